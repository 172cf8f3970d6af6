// The statutory answer period of a case (docs/DEADLINES.md), derived from its
// effective steps and the working-day calendar — never stored, so a changed
// calendar moves every open case's due date — with the derivation a clerk or
// an appeal body can check, and the compliance flags.
//
// Rules (条例 第三十条–第三十五条, docs/DEADLINES.md):
//   - day 0 is the day received; due = WD(day 0, 20); an answer on day 0 is in
//     time;
//   - a received correction restarts the period: day 0 := its date; while a
//     correction is outstanding no answer is due;
//   - working days from a consultation's start up to and including its end are
//     not counted (overlapping consultations pause once: the union); an open
//     consultation pauses up to `today`;
//   - [choice] the same for a fee notice, from the notice to the payment;
//   - extensions add their working days (≤ 20 in all) to the due date, counted
//     past the pauses too;
//   - delayFixed replaces the due date;
//   - while a correction or a fee is outstanding, the applicant's own time
//     (the correction request's dueOn; fee notice + 20 working days) is
//     reported, and whether it has run out.
#ifndef OGI_ENGINE_DEADLINE_H_
#define OGI_ENGINE_DEADLINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/case_state.h"

namespace ogi {

// What a process judges deadlines by: one calendar and one "today", chosen
// once (cli/main.cc for a command, cli/serve_command.cc for the service) and
// handed to every command and projection that calls a case late or on time,
// so no two of them can disagree.
struct Judge {
  const Calendar* calendar = nullptr;  // must outlive every use
  absl::CivilDay today;      // the day judged from (`--on`, else clock_day)
  absl::CivilDay clock_day;  // today in the agency calendar by the clock
};

// What an open case waits for, as shown: the codes of
// Deadline::waiting_for ("correction", "consultation", "fee") in the
// process's language (engine/messages.h), joined by "、" or ", ".
std::string WaitingForText(const std::vector<std::string>& codes);

struct DerivationStep {
  std::string kind;  // "dayZero", "restart", "pause", "extension",
                     // "delayFixed", "due", "calendar"
  std::string text;  // a sentence a clerk can read aloud
  absl::CivilDay from;
  absl::CivilDay to;  // pauses: the interval; otherwise = from
  int working_days = 0;
};

struct ComplianceFlag {
  std::string code;  // e.g. "CORRECTION_NOTICE_LATE"
  std::string text;
};

struct Deadline {
  absl::CivilDay day_zero;               // the current day 0 (after restarts)
  std::optional<absl::CivilDay> due_on;  // nullopt: unknown or none due
  bool calendar_known = true;
  std::string unknown_reason;  // when !calendar_known
  bool concluded = false;
  std::optional<absl::CivilDay> concluded_on;
  bool overdue = false;
  // What an open case waits for: "correction", "consultation", "fee".
  std::vector<std::string> waiting_for;
  std::vector<DerivationStep> derivation;
  std::vector<ComplianceFlag> flags;
  std::vector<int> calendar_years;  // the calendar's known years
  // An open case waiting for the applicant (a correction, a fee payment):
  // the last day the applicant has (the correction request's dueOn; a fee
  // notice's date + 20 working days), nullopt if none is known, and whether
  // `today` is past it. Then the case may be concluded as `lapse_outcome`
  // ("OTHER_NO_CORRECTION" or "OTHER_FEE_UNPAID"), else it is carried into
  // the next year for ever.
  std::optional<absl::CivilDay> applicant_due_on;
  bool applicant_lapsed = false;
  std::string lapse_outcome;  // empty unless waiting for the applicant
};

// Computes the deadline of a case from its state (effective steps) as of
// `today`. REQUIRES: state.version > 0.
Deadline ComputeDeadline(const CaseState& state, const Calendar& calendar,
                         absl::CivilDay today);

}  // namespace ogi

#endif  // OGI_ENGINE_DEADLINE_H_
