// The case lifecycle: CheckStep / ApplyEffect, and the amendment refold; see
// case_state.h.
#include "engine/case_state.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/civil_date.h"
#include "engine/event_view.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace ogi {
namespace {

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The payload's name in messages ("answered", "amended.answered").
std::string StepName(const CaseStep& step) {
  return std::string(PayloadName(step.payload));
}

// Returns the refusal of `step` on a case with `facts` (which has been
// received), or OK. Date order is checked by the callers, since an amendment
// checks it over the effective steps.
absl::Status CheckStep(const CaseFacts& f, const CaseStep& s,
                       absl::string_view label) {
  auto refuse = [&](absl::string_view field, absl::string_view rule) {
    return absl::FailedPreconditionError(
        Text(Msg::kRefused, label, field.empty() ? StepName(s) : field, rule));
  };
  const std::string concluded_on = FormatCivilDay(f.concluded_on);
  switch (s.payload) {
    case v1::Event::kReceived:
      return refuse("", Text(Msg::kRefuseAlreadyReceived));
    case v1::Event::kReanswered:
      return f.concluded ? absl::OkStatus()
                         : refuse("", Text(Msg::kRefuseNotConcludedReanswer));
    case v1::Event::kArchived:
      if (!f.concluded)
        return refuse("", Text(Msg::kRefuseNotConcludedArchive));
      if (f.archived) return refuse("", Text(Msg::kRefuseAlreadyArchived));
      return absl::OkStatus();
    case v1::Event::kPersonalDataErased:
      if (f.personal_data_erased)
        return refuse("", Text(Msg::kRefuseAlreadyErased));
      return absl::OkStatus();
    case v1::Event::kAppealFiled:
      if (std::any_of(f.appeals.begin(), f.appeals.end(),
                      [&](const Appeal& a) { return a.id == s.ref; })) {
        return refuse("appealFiled.appealId",
                      Text(Msg::kRefuseAppealFiled, s.ref));
      }
      return absl::OkStatus();
    case v1::Event::kAppealDecided:
      if (std::none_of(f.appeals.begin(), f.appeals.end(),
                       [&](const Appeal& a) { return a.id == s.ref; })) {
        return refuse("appealDecided.appealId",
                      Text(Msg::kRefuseNoAppeal, s.ref));
      }
      return absl::OkStatus();
    default:
      break;
  }
  // Everything below is a step before conclusion.
  if (f.concluded) {
    return refuse("", Text(Msg::kRefuseConcluded, concluded_on));
  }
  switch (s.payload) {
    case v1::Event::kCorrectionRequested:
      if (f.correction_outstanding)
        return refuse("", Text(Msg::kRefuseCorrectionOutstanding));
      if (s.has_due && s.due() < s.on())
        return refuse("correctionRequested.dueOn",
                      Text(Msg::kRefuseBeforeRequest));
      return absl::OkStatus();
    case v1::Event::kCorrectionReceived:
      return f.correction_outstanding
                 ? absl::OkStatus()
                 : refuse("", Text(Msg::kRefuseNoCorrection));
    case v1::Event::kConsultationStarted:
      if (Contains(f.consultations_seen, s.ref)) {
        return refuse("consultationStarted.consultationId",
                      Text(Msg::kRefuseConsultationStarted, s.ref));
      }
      return absl::OkStatus();
    case v1::Event::kConsultationEnded:
      if (!Contains(f.consultations_open, s.ref)) {
        return refuse("consultationEnded.consultationId",
                      Text(Msg::kRefuseNoOpenConsultation, s.ref));
      }
      return absl::OkStatus();
    case v1::Event::kExtended:
      if (f.extension_working_days + s.amount > kMaxExtensionWorkingDays) {
        return refuse("extended.workingDays",
                      Text(Msg::kRefuseExtensionTotal,
                           f.extension_working_days + s.amount,
                           kMaxExtensionWorkingDays));
      }
      return absl::OkStatus();
    case v1::Event::kDelayFixed:
      if (s.has_due && s.due() < s.on())
        return refuse("delayFixed.dueOn", Text(Msg::kRefuseBeforeEvent));
      return absl::OkStatus();
    case v1::Event::kReviewed:
      return absl::OkStatus();
    case v1::Event::kFeeNoticed:
      return f.fee_outstanding ? refuse("", Text(Msg::kRefuseFeeOutstanding))
                               : absl::OkStatus();
    case v1::Event::kFeePaid:
      if (!f.fee_outstanding)
        return refuse("", Text(Msg::kRefuseNoFeeOutstanding));
      if (s.amount != f.fee_noticed_fen) {
        return refuse("feePaid.amountFen",
                      Text(Msg::kRefuseFeeAmount, f.fee_noticed_fen, s.amount));
      }
      return absl::OkStatus();
    case v1::Event::kAnswered:
      if (s.code == v1::Answered::OTHER_NO_CORRECTION &&
          !f.correction_outstanding) {
        return refuse("answered.outcome",
                      Text(Msg::kRefuseNoCorrectionOutcome));
      }
      if (s.code == v1::Answered::OTHER_FEE_UNPAID && !f.fee_outstanding) {
        return refuse("answered.outcome", Text(Msg::kRefuseFeeUnpaidOutcome));
      }
      if (s.code == v1::Answered::UNAVAILABLE_STILL_UNCLEAR &&
          !f.correction_received) {
        return refuse("answered.outcome",
                      Text(Msg::kRefuseStillUnclearOutcome));
      }
      return absl::OkStatus();
    case v1::Event::kWithdrawn:
      return absl::OkStatus();
    default:
      return refuse("", Text(Msg::kRefuseNotACaseStep));
  }
}

void Erase(std::vector<std::string>& ids, const std::string& id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

// Folds one accepted, non-marker step into the facts.
void ApplyEffect(CaseFacts& f, const CaseStep& s) {
  f.last_on = std::max(f.last_on, s.on());
  switch (s.payload) {
    case v1::Event::kReceived:
      f.received = true;
      f.received_on = s.on();
      f.day_zero = s.on();
      f.category = s.code;
      f.channel = s.channel;
      f.items = s.amount > 0 ? s.amount : 1;
      break;
    case v1::Event::kCorrectionRequested:
      f.correction_outstanding = true;
      ++f.correction_requests;
      break;
    case v1::Event::kCorrectionReceived:
      f.correction_outstanding = false;
      f.correction_received = true;
      f.day_zero = s.on();
      break;
    case v1::Event::kConsultationStarted:
      f.consultations_open.push_back(s.ref);
      f.consultations_seen.push_back(s.ref);
      break;
    case v1::Event::kConsultationEnded:
      Erase(f.consultations_open, s.ref);
      break;
    case v1::Event::kExtended:
      f.extension_working_days += s.amount;
      break;
    case v1::Event::kFeeNoticed:
      f.fee_outstanding = true;
      f.fee_noticed_fen = s.amount;
      break;
    case v1::Event::kFeePaid:
      f.fee_outstanding = false;
      f.fee_paid_fen += s.amount;
      break;
    case v1::Event::kAnswered:
      f.concluded = true;
      f.concluded_on = s.on();
      f.outcome = s.code;
      break;
    case v1::Event::kWithdrawn:
      f.concluded = true;
      f.concluded_on = s.on();
      f.outcome = v1::Answered::OTHER_HANDLING;
      f.withdrawn = true;
      break;
    case v1::Event::kArchived:
      f.archived = true;
      break;
    case v1::Event::kPersonalDataErased:
      f.personal_data_erased = true;
      break;
    case v1::Event::kAppealFiled:
      f.appeals.push_back(
          Appeal{s.ref, s.on(), absl::CivilDay(), s.code, 0, 0});
      break;
    case v1::Event::kAppealDecided:
      for (Appeal& a : f.appeals) {
        if (a.id == s.ref) {
          a.result = s.code;
          a.decided_on = s.on();
          if (s.on().year() == a.filed_on.year())
            a.result_in_filing_year = s.code;
        }
      }
      break;
    default:  // delayFixed, reviewed, reanswered and amendment markers change
              // no fact used here.
      break;
  }
}

// Returns the facts of `steps`, checking every rule and the date order on the
// way. Amendment markers change no fact but keep their place in the date order,
// as on the live path (where an amendment's date raises the floor for later
// events): a correction may not date an event after an amendment recorded after
// it, including the amendment making the correction, since an amendment cannot
// record a step that had not happened yet.
absl::StatusOr<CaseFacts> RefoldChecked(const std::vector<CaseStep>& steps,
                                        absl::string_view label) {
  CaseFacts facts;
  size_t latest = 0;  // index of the step with the latest date so far
  for (size_t i = 0; i < steps.size(); ++i) {
    const CaseStep& s = steps[i];
    if (s.on() < steps[latest].on()) {
      return absl::FailedPreconditionError(
          Text(Msg::kRefuseAmendmentDate, label, i + 1, PayloadName(s.payload),
               FormatCivilDay(s.on()), latest + 1,
               PayloadName(steps[latest].payload),
               FormatCivilDay(steps[latest].on())));
    }
    if (s.on() > steps[latest].on()) latest = i;
    if (s.payload == v1::Event::kAmended) continue;
    if (i > 0) {
      OGI_RETURN_IF_ERROR(
          CheckStep(facts, s, Text(Msg::kAmendedVersionLabel, label, i + 1)));
    } else if (s.payload != v1::Event::kReceived) {
      return absl::FailedPreconditionError(
          Text(Msg::kRefuseFirstNotReceived, label));
    }
    ApplyEffect(facts, s);
  }
  return facts;
}

void Refold(CaseState& state) {
  state.facts = CaseFacts();
  for (const CaseStep& s : state.steps) {
    if (s.payload != v1::Event::kAmended) ApplyEffect(state.facts, s);
  }
}

bool AmendmentKeepsDate(const v1::Event& event) {
  return event.amended().occurred_on().empty();
}

absl::StatusOr<CaseChange> DecideAmendment(const CaseState& state,
                                           const v1::Event& event,
                                           absl::string_view label) {
  CaseChange change{StepOf(event), std::nullopt, AmendmentKeepsDate(event)};
  const v1::Amended& amended = event.amended();
  const uint32_t target = amended.version();
  if (target > state.version) {
    return absl::FailedPreconditionError(
        Text(Msg::kRefuseNoSuchVersion, label, target, state.version));
  }
  const CaseStep& original = state.steps[target - 1];
  if (original.payload == v1::Event::kAmended) {
    return absl::FailedPreconditionError(
        Text(Msg::kRefuseAmendAmendment, label, target));
  }
  const v1::Event replacement_event = AmendmentReplacement(event);
  if (replacement_event.payload_case() != original.payload) {
    return absl::FailedPreconditionError(
        Text(Msg::kRefuseAmendOtherPayload, label, target,
             PayloadName(original.payload),
             PayloadName(replacement_event.payload_case())));
  }
  OGI_ASSIGN_OR_RETURN(const std::vector<std::string> paths,
                       AmendmentFields(event));
  change.replaced_fields = StepFields(original.payload, paths);
  CaseStep replacement =
      MergeStep(original, StepOf(replacement_event), change.replaced_fields);
  if (amended.occurred_on().empty()) replacement.set_on(original.on());
  std::vector<CaseStep> effective = state.steps;
  effective[target - 1] = replacement;
  effective.push_back(change.step);  // the amendment itself, for the date order
  OGI_RETURN_IF_ERROR(RefoldChecked(effective, label).status());
  change.replacement = std::move(replacement);
  return change;
}

constexpr size_t kTypicalSteps = 4;

}  // namespace

uint8_t StepFields(PayloadCase payload, const std::vector<std::string>& paths) {
  if (paths.empty()) return kAllStepFields;
  // The fields StepOf reads, by payload: the one map from payload paths to
  // step fields.
  struct Entry {
    PayloadCase payload;
    absl::string_view path;
    uint8_t field;
  };
  static constexpr Entry kMap[] = {
      {v1::Event::kReceived, "applicant.category", kStepCode},
      {v1::Event::kReceived, "channel", kStepChannel},
      {v1::Event::kReceived, "items", kStepAmount},
      {v1::Event::kCorrectionRequested, "dueOn", kStepDue},
      {v1::Event::kConsultationStarted, "party", kStepCode},
      {v1::Event::kConsultationStarted, "consultationId", kStepRef},
      {v1::Event::kConsultationEnded, "opinion", kStepCode},
      {v1::Event::kConsultationEnded, "consultationId", kStepRef},
      {v1::Event::kExtended, "workingDays", kStepAmount},
      {v1::Event::kExtended, "approvedBy", kStepCode},
      {v1::Event::kDelayFixed, "dueOn", kStepDue},
      {v1::Event::kReviewed, "decision", kStepCode},
      {v1::Event::kFeeNoticed, "method", kStepCode},
      {v1::Event::kFeeNoticed, "amountFen", kStepAmount},
      {v1::Event::kFeeNoticed, "pages", kStepDue},
      {v1::Event::kFeePaid, "amountFen", kStepAmount},
      {v1::Event::kAnswered, "outcome", kStepCode},
      {v1::Event::kReanswered, "outcome", kStepCode},
      {v1::Event::kAppealFiled, "kind", kStepCode},
      {v1::Event::kAppealFiled, "appealId", kStepRef},
      {v1::Event::kAppealDecided, "result", kStepCode},
      {v1::Event::kAppealDecided, "appealId", kStepRef},
  };
  uint8_t fields = 0;
  for (const std::string& path : paths) {
    for (const Entry& e : kMap) {
      if (e.payload != payload) continue;
      // "applicant" covers "applicant.category"; so does the path itself.
      const bool covers = e.path == path || (e.path.size() > path.size() &&
                                             absl::StartsWith(e.path, path) &&
                                             e.path[path.size()] == '.');
      if (covers) fields |= e.field;
    }
  }
  return fields;
}

CaseStep MergeStep(const CaseStep& target, const CaseStep& replacement,
                   uint8_t fields) {
  CaseStep out = target;
  out.on_day = replacement.on_day;
  if (fields & kStepCode) out.code = replacement.code;
  if (fields & kStepChannel) out.channel = replacement.channel;
  if (fields & kStepAmount) out.amount = replacement.amount;
  if (fields & kStepRef) out.ref = replacement.ref;
  if (fields & kStepDue) {
    out.due_day = replacement.due_day;
    out.has_due = replacement.has_due;
  }
  return out;
}

CaseChange CaseChangeOf(const v1::Event& event) {
  CaseChange change{StepOf(event), std::nullopt, false};
  if (event.payload_case() == v1::Event::kAmended) {
    const v1::Event replacement = AmendmentReplacement(event);
    change.replacement = StepOf(replacement);
    change.replacement_keeps_date = AmendmentKeepsDate(event);
    // Validated when appended; a stored list that no longer resolves
    // corrects nothing rather than everything.
    absl::StatusOr<std::vector<std::string>> paths = AmendmentFields(event);
    change.replaced_fields =
        paths.ok() ? StepFields(replacement.payload_case(), *paths) : 0;
  }
  return change;
}

absl::StatusOr<CaseChange> DecideCaseEvent(const CaseState& state,
                                           const v1::Event& event) {
  const std::string label = Text(Msg::kStreamCase, event.case_id());
  if (event.payload_case() == v1::Event::kReceived) {
    if (state.version > 0) {
      return absl::AlreadyExistsError(
          Text(Msg::kRefuseCaseExists, label, state.version));
    }
    return CaseChange{StepOf(event), std::nullopt, false};
  }
  if (state.version == 0) {
    return absl::NotFoundError(Text(Msg::kRefuseUnknownCase, label,
                                    PayloadName(event.payload_case())));
  }
  if (!event.agency_id().empty() && event.agency_id() != state.agency_id) {
    return absl::FailedPreconditionError(Text(
        Msg::kRefuseOtherAgency, label, event.agency_id(), state.agency_id));
  }
  const CaseStep step = StepOf(event);
  if (step.on() < state.floor_on) {
    return absl::FailedPreconditionError(Text(Msg::kRefuseDateBackwards, label,
                                              event.occurred_on(),
                                              FormatCivilDay(state.floor_on)));
  }
  if (event.payload_case() == v1::Event::kAmended)
    return DecideAmendment(state, event, label);
  OGI_RETURN_IF_ERROR(CheckStep(state.facts, step, label));
  return CaseChange{step, std::nullopt, false};
}

void ApplyCaseChange(CaseState& state, const CaseChange& change,
                     absl::string_view agency_id) {
  ++state.version;
  if (state.version == 1) state.agency_id = std::string(agency_id);
  state.floor_on = std::max(state.floor_on, change.step.on());
  // Most cases have a handful of events: one allocation instead of three.
  if (state.steps.empty()) state.steps.reserve(kTypicalSteps);
  if (change.step.payload != v1::Event::kAmended) {
    state.steps.push_back(change.step);
    ApplyEffect(state.facts, change.step);
    return;
  }
  const auto target = static_cast<size_t>(change.step.amount);
  state.steps.push_back(change.step);
  if (change.replacement && target >= 1 && target < state.steps.size()) {
    CaseStep replacement = MergeStep(
        state.steps[target - 1], *change.replacement, change.replaced_fields);
    if (change.replacement_keeps_date)
      replacement.set_on(state.steps[target - 1].on());
    state.steps[target - 1] = std::move(replacement);
  }
  Refold(state);
  state.floor_on = std::max(state.floor_on, state.facts.last_on);
}

}  // namespace ogi
