// The case state machine: the lifecycle rules of docs/EVENTS.md in one
// place.
//
// A case's state is a fold of its events. Each stored event becomes a compact
// CaseStep (case_step_codec.h: only the facts the rules and the reports need,
// no free text or personal data); ApplyCaseChange folds it in. DecideCaseEvent
// checks a new event against the state and returns the change to apply, or the
// refusal. The live append path, replay after reopen and the projections all
// use ApplyCaseChange, so a replay cannot disagree with what was accepted.
//
// Amendments: the state keeps the effective steps (index = version - 1, the
// amended event's own slot holds a marker). Applying an amendment replaces the
// target step and refolds every fact from the effective steps; the decision to
// accept one refolds the same way, checking every rule again, so a case stays
// valid whatever is corrected.
//
// Not thread-safe: a CaseState is owned by one thread at a time.
#ifndef OGI_ENGINE_CASE_STATE_H_
#define OGI_ENGINE_CASE_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/case_step_codec.h"
#include "engine/civil_date.h"
#include "engine/payload.h"
#include "proto/event.pb.h"

namespace ogi {

// Returns the StepField bits that the paths of a partial amendment
// (AmendmentFields, payload.h) of a `payload` event touch; kAllStepFields for
// an empty list (a whole replacement). Tested against StepOf in
// issue18_test.cc: a path changes only the step fields it maps to.
uint8_t StepFields(PayloadCase payload, const std::vector<std::string>& paths);

// Returns `target` with the `fields` of `replacement` (an amendment's step of
// the same payload), its date from `replacement`.
CaseStep MergeStep(const CaseStep& target, const CaseStep& replacement,
                   uint8_t fields);

struct Appeal {
  std::string id;
  absl::CivilDay filed_on;
  absl::CivilDay decided_on;
  int32_t kind = 0;    // v1::AppealFiled::Kind
  int32_t result = 0;  // v1::AppealDecided::Result; 0 while pending
  // The latest decision dated in the year the appeal was filed (0: none): the
  // status part 四 counts for that year (rule B2).
  int32_t result_in_filing_year = 0;
};

// What is true of a case now, derived from its effective steps.
struct CaseFacts {
  absl::CivilDay received_on;  // day 0 as first received (counts `new`)
  absl::CivilDay day_zero;     // day 0 of the answer period: restarts when a
                               // correction arrives
  absl::CivilDay last_on;      // latest effective date
  absl::CivilDay concluded_on;
  int64_t items = 1;
  int64_t extension_working_days = 0;
  int64_t fee_noticed_fen = 0;
  int64_t fee_paid_fen = 0;
  std::vector<std::string> consultations_open;
  std::vector<std::string> consultations_seen;
  std::vector<Appeal> appeals;
  int32_t category = 0;  // v1::Applicant::Category
  int32_t channel = 0;   // v1::Received::Channel
  int32_t outcome = 0;   // v1::Answered::Outcome; OTHER_HANDLING if withdrawn
  int32_t correction_requests = 0;
  bool received = false;
  bool correction_outstanding = false;
  bool correction_received = false;
  bool fee_outstanding = false;
  bool concluded = false;
  bool withdrawn = false;
  bool archived = false;
  bool personal_data_erased = false;
};

struct CaseState {
  uint32_t version =
      0;  // number of events in the stream; 0 = the case does not exist
  std::string agency_id;  // from `received`
  // The latest effective date of any event of the case, amendments' own dates
  // included: a new event may not be dated before it.
  absl::CivilDay floor_on;
  std::vector<CaseStep> steps;  // effective steps by version - 1
  CaseFacts facts;
};

// Returns the change a stored case event makes (StepOf plus, for an amendment,
// the replacement step). Replay folds stored events with ApplyCaseChange(state,
// CaseChangeOf(event), event.agency_id()). REQUIRES: event passed ValidateEvent
// when it was appended.
CaseChange CaseChangeOf(const v1::Event& event);

// Returns the change to apply for `event` on a case in `state`, or the refusal:
//   kNotFound            the case does not exist and `event` is not `received`;
//   kAlreadyExists       `received` on a case that exists;
//   kFailedPrecondition  the lifecycle does not allow the step now, the date is
//   before the case's previous
//                        event, or the agencyId differs from the case's.
// Messages name the case, the payload field and the rule, and no personal data.
// REQUIRES: ValidateEvent(event, ...) is OK and event is a case event.
absl::StatusOr<CaseChange> DecideCaseEvent(const CaseState& state,
                                           const v1::Event& event);

// Folds an accepted change into `state` (version + 1). `agency_id` is the
// stream's agency (the stored event's).
void ApplyCaseChange(CaseState& state, const CaseChange& change,
                     absl::string_view agency_id);

}  // namespace ogi

#endif  // OGI_ENGINE_CASE_STATE_H_
