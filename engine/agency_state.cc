// Agency stream rules; see agency_state.h.
#include "engine/agency_state.h"

#include "absl/strings/str_cat.h"

#include "engine/civil_date.h"
#include "engine/fees.h"
#include "engine/messages.h"
#include "engine/payload.h"

namespace ogi {
namespace {

absl::Status DecideDocumentEnd(const AgencyState& state,
                               absl::string_view label, absl::string_view field,
                               const std::string& document_id) {
  const auto it = state.documents.find(document_id);
  if (it == state.documents.end()) {
    return absl::NotFoundError(Text(Msg::kRefused, label, field,
                                    Text(Msg::kRefuseNoDocument, document_id)));
  }
  const AgencyDocument::Status status = it->second.status();
  if (status != AgencyDocument::Status::kInForce) {
    return absl::FailedPreconditionError(
        Text(Msg::kRefused, label, field,
             Text(status == AgencyDocument::Status::kRepealed
                      ? Msg::kRefuseDocumentRepealed
                      : Msg::kRefuseDocumentExpired,
                  document_id)));
  }
  return absl::OkStatus();
}

// The events were validated: a date that does not parse is never folded.
absl::CivilDay Day(absl::string_view text) {
  auto day = ParseCivilDay(text);
  return day.ok() ? *day : absl::CivilDay();
}

}  // namespace

absl::Status DecideAgencyEvent(const AgencyState& state, const v1::Event& event,
                               bool parent_registered) {
  const std::string label = Text(Msg::kStreamAgency, event.agency_id());
  const PayloadCase payload = event.payload_case();
  if (payload == v1::Event::kAgencyRegistered) {
    if (state.version > 0) {
      return absl::AlreadyExistsError(
          Text(Msg::kRefused, label, "agencyRegistered",
               Text(Msg::kRefuseAlreadyRegistered)));
    }
    if (!event.agency_registered().parent_id().empty() && !parent_registered) {
      return absl::NotFoundError(Text(Msg::kRefuseParentNotRegistered, label,
                                      event.agency_registered().parent_id()));
    }
    return absl::OkStatus();
  }
  if (state.version == 0) {
    return absl::NotFoundError(
        Text(Msg::kRefuseAgencyNotRegistered, label, PayloadName(payload)));
  }
  switch (payload) {
    case v1::Event::kDocumentIssued:
      if (state.documents.contains(event.document_issued().document_id())) {
        return absl::AlreadyExistsError(
            Text(Msg::kRefused, label, "documentIssued.documentId",
                 Text(Msg::kRefuseDocumentIssued,
                      event.document_issued().document_id())));
      }
      return absl::OkStatus();
    case v1::Event::kDocumentRepealed:
      return DecideDocumentEnd(state, label, "documentRepealed.documentId",
                               DocumentIdOf(event));
    case v1::Event::kDocumentExpired:
      return DecideDocumentEnd(state, label, "documentExpired.documentId",
                               DocumentIdOf(event));
    default:
      return absl::OkStatus();
  }
}

const std::string& DocumentIdOf(const v1::Event& event) {
  static const std::string* const kNone = new std::string();
  switch (event.payload_case()) {
    case v1::Event::kDocumentIssued:
      return event.document_issued().document_id();
    case v1::Event::kDocumentRepealed:
      return event.document_repealed().document_id();
    case v1::Event::kDocumentExpired:
      return event.document_expired().document_id();
    default:
      return *kNone;
  }
}

void ApplyAgencyEvent(AgencyState& state, const v1::Event& e) {
  ++state.version;
  const absl::CivilDay on = Day(e.occurred_on());
  const int year = static_cast<int>(on.year());
  switch (e.payload_case()) {
    case v1::Event::kAgencyRegistered:
      state.name = e.agency_registered().name();
      state.parent_id = e.agency_registered().parent_id();
      break;
    case v1::Event::kAgencyRenamed:
      state.name = e.agency_renamed().name();
      break;
    case v1::Event::kDocumentIssued: {
      AgencyDocument& d = state.documents[DocumentIdOf(e)];
      d.kind = e.document_issued().kind();
      d.issued_on = on;
      if (!e.document_issued().valid_until().empty())
        d.valid_until = Day(e.document_issued().valid_until());
      break;
    }
    case v1::Event::kDocumentRepealed:
      state.documents[DocumentIdOf(e)].repealed_on = on;
      break;
    case v1::Event::kDocumentExpired:
      state.documents[DocumentIdOf(e)].expired_on = on;
      break;
    case v1::Event::kDecisionsRecorded: {
      AgencyYearCounts& t = state.counts[year];
      const int64_t count = e.decisions_recorded().count();
      switch (e.decisions_recorded().kind()) {
        case v1::DecisionsRecorded::LICENSING:
          t.licensing = SaturatingAdd(t.licensing, count);
          break;
        case v1::DecisionsRecorded::PENALTY:
          t.penalty = SaturatingAdd(t.penalty, count);
          break;
        case v1::DecisionsRecorded::ENFORCEMENT:
          t.enforcement = SaturatingAdd(t.enforcement, count);
          break;
        default:
          break;
      }
      break;
    }
    case v1::Event::kFeesCollected: {
      AgencyYearCounts& t = state.counts[year];
      t.administrative_fees_fen = SaturatingAdd(
          t.administrative_fees_fen, e.fees_collected().amount_fen());
      break;
    }
    case v1::Event::kNarrativeSet: {
      AgencyNarrative& n = state.narratives[e.narrative_set().year()];
      switch (e.narrative_set().section()) {
        case v1::NarrativeSet::OVERVIEW:
          n.overview = e.narrative_set().text();
          break;
        case v1::NarrativeSet::PROBLEMS:
          n.problems = e.narrative_set().text();
          break;
        case v1::NarrativeSet::OTHER:
          n.other = e.narrative_set().text();
          break;
        default:
          break;
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace ogi
