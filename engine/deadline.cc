// The answer period and compliance flags of a case; see deadline.h.
#include "engine/deadline.h"

#include <algorithm>
#include <map>

#include "engine/civil_date.h"
#include "engine/fees.h"
#include "engine/messages.h"

namespace ogi {
namespace {

constexpr int kAnswerWorkingDays = 20;
constexpr int kCorrectionNoticeWorkingDays = 7;
constexpr int kConsultationWorkingDays = 15;
constexpr int kFeePaymentWorkingDays = 20;

struct Interval {
  absl::CivilDay from, to;  // inclusive
  std::string what;
  bool consultation = false;  // the 15-working-day rule applies
};

std::string Day(absl::CivilDay d) { return FormatCivilDay(d); }

}  // namespace

Deadline ComputeDeadline(const CaseState& state, const Calendar& calendar,
                         absl::CivilDay today) {
  Deadline out;
  out.calendar_years = calendar.Years();
  const CaseFacts& f = state.facts;
  out.concluded = f.concluded;
  if (f.concluded) out.concluded_on = f.concluded_on;
  // Pauses and correction waits end at the conclusion, or today.
  const absl::CivilDay until = f.concluded ? f.concluded_on : today;

  auto unknown = [&](const absl::Status& status) {
    out.calendar_known = false;
    out.unknown_reason = std::string(status.message());
    out.due_on.reset();
    // Neither on time nor late: named, so that it is not lost between the
    // two in any count.
    out.flags.push_back(
        {"DUE_DATE_UNKNOWN", Text(Msg::kDueDateUnknown, status.message())});
  };

  std::vector<Interval> pauses;
  std::map<std::string, absl::CivilDay> consultations_open;
  std::vector<const CaseStep*> extensions;
  std::optional<absl::CivilDay> delay_fixed;
  std::optional<absl::CivilDay> correction_requested_on;
  std::optional<absl::CivilDay> correction_due_on;  // the applicant's
  std::optional<absl::CivilDay> fee_noticed_on;
  std::vector<const CaseStep*> correction_requests;  // with day 0 then
  std::vector<absl::CivilDay> correction_request_day_zero;
  std::vector<const CaseStep*> fee_notices;
  absl::CivilDay day_zero;
  for (const CaseStep& s : state.steps) {
    switch (s.payload) {
      case v1::Event::kReceived:
        day_zero = s.on();
        out.derivation.push_back({"dayZero",
                                  Text(Msg::kDerivDayZero, Day(s.on())), s.on(),
                                  s.on(), 0});
        break;
      case v1::Event::kCorrectionRequested:
        correction_requested_on = s.on();
        correction_due_on.reset();
        if (s.has_due) correction_due_on = s.due();
        correction_requests.push_back(&s);
        correction_request_day_zero.push_back(day_zero);
        break;
      case v1::Event::kCorrectionReceived:
        correction_requested_on.reset();
        day_zero = s.on();
        out.derivation.push_back({"restart",
                                  Text(Msg::kDerivRestart, Day(s.on())), s.on(),
                                  s.on(), 0});
        break;
      case v1::Event::kConsultationStarted:
        consultations_open[s.ref] = s.on();
        break;
      case v1::Event::kConsultationEnded:
        if (auto it = consultations_open.find(s.ref);
            it != consultations_open.end()) {
          pauses.push_back(
              {it->second, s.on(), Text(Msg::kPauseConsultation, s.ref), true});
          consultations_open.erase(it);
        }
        break;
      case v1::Event::kExtended:
        extensions.push_back(&s);
        break;
      case v1::Event::kDelayFixed:
        if (s.has_due) delay_fixed = s.due();
        break;
      case v1::Event::kFeeNoticed:
        fee_noticed_on = s.on();
        fee_notices.push_back(&s);
        break;
      case v1::Event::kFeePaid:
        if (fee_noticed_on) {
          pauses.push_back({*fee_noticed_on, s.on(), Text(Msg::kPauseFee)});
          fee_noticed_on.reset();
        }
        break;
      default:
        break;
    }
  }
  for (const auto& [id, start] : consultations_open) {
    pauses.push_back({start, until,
                      Text(f.concluded ? Msg::kPauseConsultation
                                       : Msg::kPauseConsultationOpen,
                           id),
                      true});
    if (!f.concluded) out.waiting_for.push_back("consultation");
  }
  if (fee_noticed_on) {
    pauses.push_back(
        {*fee_noticed_on, until,
         Text(f.concluded ? Msg::kPauseFeeUnpaid : Msg::kPauseFeeUnpaidOpen)});
    if (!f.concluded) out.waiting_for.push_back("fee");
  }
  std::sort(
      pauses.begin(), pauses.end(),
      [](const Interval& a, const Interval& b) { return a.from < b.from; });
  out.day_zero = day_zero;
  auto paused = [&](absl::CivilDay d) {
    for (const Interval& p : pauses) {
      if (p.from <= d && d <= p.to) return true;
    }
    return false;
  };
  for (const Interval& p : pauses) {
    absl::StatusOr<int> days = calendar.WorkingDaysBetween(p.from - 1, p.to);
    out.derivation.push_back(
        {"pause",
         days.ok()
             ? Text(Msg::kDerivPause, p.what, Day(p.from), Day(p.to), *days)
             : Text(Msg::kDerivPauseNoDays, p.what, Day(p.from), Day(p.to)),
         p.from, p.to, days.ok() ? *days : 0});
  }

  // Compliance flags that need no due date.
  if (correction_requests.size() > 1) {
    out.flags.push_back(
        {"CORRECTION_REQUESTED_MORE_THAN_ONCE",
         Text(Msg::kFlagCorrectionMoreThanOnce, correction_requests.size())});
  }
  for (const CaseStep* e : extensions) {
    if (e->code == 0) {
      out.flags.push_back(
          {"EXTENSION_WITHOUT_APPROVER",
           Text(Msg::kFlagExtensionWithoutApprover, Day(e->on()))});
    }
  }
  for (const CaseStep* n : fee_notices) {
    if (n->code == v1::FeeNoticed::PER_PAGE &&
        n->amount != PerPageFeeFen(n->pages())) {
      out.flags.push_back(
          {"FEE_AMOUNT_DIFFERS",
           Text(Msg::kFlagFeeAmountDiffers, Day(n->on()), n->amount, n->pages(),
                PerPageFeeFen(n->pages()))});
    }
  }

  absl::Status status;
  for (size_t i = 0; i < correction_requests.size(); ++i) {
    absl::StatusOr<absl::CivilDay> limit = calendar.AddWorkingDays(
        correction_request_day_zero[i], kCorrectionNoticeWorkingDays);
    if (!limit.ok()) {
      status = limit.status();
      continue;
    }
    if (correction_requests[i]->on() > *limit) {
      out.flags.push_back(
          {"CORRECTION_NOTICE_LATE",
           Text(Msg::kFlagCorrectionNoticeLate,
                Day(correction_requests[i]->on()), Day(*limit))});
    }
  }
  for (const Interval& p : pauses) {
    if (!p.consultation) continue;
    absl::StatusOr<absl::CivilDay> limit =
        calendar.AddWorkingDays(p.from, kConsultationWorkingDays);
    if (!limit.ok()) {
      status = limit.status();
      continue;
    }
    if (p.to > *limit) {
      out.flags.push_back({"CONSULTATION_OVER_15_WORKING_DAYS",
                           Text(Msg::kFlagConsultationOver15, p.what,
                                Day(p.from), Day(*limit))});
    }
  }

  // The applicant's own time, while the case waits for them.
  if (correction_requested_on && !f.concluded) {
    out.lapse_outcome = "OTHER_NO_CORRECTION";
    if (correction_due_on) out.applicant_due_on = *correction_due_on;
  } else if (fee_noticed_on && !f.concluded) {
    out.lapse_outcome = "OTHER_FEE_UNPAID";
    absl::StatusOr<absl::CivilDay> pay_by =
        calendar.AddWorkingDays(*fee_noticed_on, kFeePaymentWorkingDays);
    if (pay_by.ok()) {
      out.applicant_due_on = *pay_by;
    } else {
      status = pay_by.status();
    }
  }
  out.applicant_lapsed =
      out.applicant_due_on.has_value() && today > *out.applicant_due_on;
  if (out.applicant_lapsed) {
    out.derivation.push_back({"lapsed",
                              Text(out.lapse_outcome == "OTHER_FEE_UNPAID"
                                       ? Msg::kDerivLapsedFee
                                       : Msg::kDerivLapsedCorrection,
                                   Day(*out.applicant_due_on),
                                   EnumValueTerm("Outcome", out.lapse_outcome)),
                              *out.applicant_due_on, *out.applicant_due_on, 0});
  }

  if (correction_requested_on && f.concluded) {
    // Concluded (e.g. OTHER_NO_CORRECTION) while the correction was still
    // awaited: no answer was due, so it is neither on time nor late.
    out.derivation.push_back(
        {"due",
         Text(Msg::kDerivConcludedDuringCorrection, Day(f.concluded_on),
              Day(*correction_requested_on)),
         *correction_requested_on, *correction_requested_on, 0});
    if (!status.ok()) unknown(status);
    return out;
  }
  if (correction_requested_on && !f.concluded) {
    out.waiting_for.insert(out.waiting_for.begin(), "correction");
    out.derivation.push_back(
        {"due",
         Text(Msg::kDerivWaitingForCorrection, Day(*correction_requested_on)),
         *correction_requested_on, *correction_requested_on, 0});
    if (!status.ok()) unknown(status);
    return out;
  }

  absl::StatusOr<absl::CivilDay> due =
      calendar.AddWorkingDays(day_zero, kAnswerWorkingDays, paused);
  if (!due.ok()) {
    unknown(due.status());
    return out;
  }
  out.derivation.push_back(
      {"due",
       Text(pauses.empty() ? Msg::kDerivDue : Msg::kDerivDuePaused,
            Day(day_zero), Day(*due)),
       *due, *due, kAnswerWorkingDays});
  for (const CaseStep* e : extensions) {
    const absl::CivilDay before = *due;
    due = calendar.AddWorkingDays(before, static_cast<int>(e->amount), paused);
    if (!due.ok()) {
      unknown(due.status());
      return out;
    }
    out.derivation.push_back({"extension",
                              Text(Msg::kDerivExtension, Day(e->on()),
                                   e->amount, Day(before), Day(*due)),
                              e->on(), *due, static_cast<int>(e->amount)});
    if (e->on() > before) {
      out.flags.push_back(
          {"EXTENSION_AFTER_DUE_DATE",
           Text(Msg::kFlagExtensionAfterDue, Day(e->on()), Day(before))});
    }
  }
  if (delay_fixed) {
    out.derivation.push_back(
        {"delayFixed",
         Text(Msg::kDerivDelayFixed, Day(*delay_fixed), Day(*due)),
         *delay_fixed, *delay_fixed, 0});
    due = *delay_fixed;
  }
  out.due_on = *due;
  for (const CaseStep* n : fee_notices) {
    if (n->on() > *due) {
      out.flags.push_back(
          {"FEE_NOTICE_AFTER_DUE_DATE",
           Text(Msg::kFlagFeeNoticeAfterDue, Day(n->on()), Day(*due))});
    }
  }
  if (f.concluded) {
    out.overdue = f.concluded_on > *due;
    if (out.overdue) {
      out.flags.push_back(
          {"ANSWERED_LATE",
           Text(Msg::kFlagAnsweredLate, Day(f.concluded_on), Day(*due))});
    }
  } else {
    out.overdue = today > *due;
  }
  if (!status.ok()) {
    // A flag could not be checked; the due date itself is known.
    out.flags.push_back({"CALENDAR_UNKNOWN",
                         Text(Msg::kFlagCalendarUnknown, status.message())});
  }
  return out;
}

}  // namespace ogi
