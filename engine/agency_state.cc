// Agency stream rules; see agency_state.h.
#include "engine/agency_state.h"

#include "absl/strings/str_cat.h"

#include "engine/payload.h"

namespace ogi {
namespace {

absl::Status DecideDocumentEnd(const AgencyState& state,
                               absl::string_view label, absl::string_view field,
                               const std::string& document_id) {
  const auto it = state.documents.find(document_id);
  if (it == state.documents.end()) {
    return absl::NotFoundError(
        absl::StrCat(label, ": '", field, "' refused: no document ",
                     document_id, " was issued by this agency"));
  }
  if (it->second != AgencyState::DocumentStatus::kInForce) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": '", field, "' refused: document ", document_id,
        " is already ",
        it->second == AgencyState::DocumentStatus::kRepealed ? "repealed"
                                                             : "expired"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecideAgencyEvent(const AgencyState& state, const v1::Event& event,
                               bool parent_registered) {
  const std::string label = absl::StrCat("agency ", event.agency_id());
  const PayloadCase payload = event.payload_case();
  if (payload == v1::Event::kAgencyRegistered) {
    if (state.version > 0) {
      return absl::AlreadyExistsError(absl::StrCat(
          label, ": 'agencyRegistered' refused: already registered"));
    }
    if (!event.agency_registered().parent_id().empty() && !parent_registered) {
      return absl::NotFoundError(absl::StrCat(
          label, ": field 'agencyRegistered.parentId' refused: agency ",
          event.agency_registered().parent_id(), " is not registered"));
    }
    return absl::OkStatus();
  }
  if (state.version == 0) {
    return absl::NotFoundError(absl::StrCat(
        label, ": '", PayloadName(payload),
        "' refused: the agency is not registered (no 'agencyRegistered')"));
  }
  switch (payload) {
    case v1::Event::kDocumentIssued:
      if (state.documents.contains(event.document_issued().document_id())) {
        return absl::AlreadyExistsError(absl::StrCat(
            label, ": 'documentIssued.documentId' refused: document ",
            event.document_issued().document_id(), " was already issued"));
      }
      return absl::OkStatus();
    case v1::Event::kDocumentRepealed:
      return DecideDocumentEnd(state, label, "documentRepealed.documentId",
                               event.document_repealed().document_id());
    case v1::Event::kDocumentExpired:
      return DecideDocumentEnd(state, label, "documentExpired.documentId",
                               event.document_expired().document_id());
    default:
      return absl::OkStatus();
  }
}

void ApplyAgencyEvent(AgencyState& state, const v1::Event& event) {
  ++state.version;
  switch (event.payload_case()) {
    case v1::Event::kAgencyRegistered:
      state.name = event.agency_registered().name();
      state.parent_id = event.agency_registered().parent_id();
      break;
    case v1::Event::kAgencyRenamed:
      state.name = event.agency_renamed().name();
      break;
    case v1::Event::kDocumentIssued:
      state.documents[event.document_issued().document_id()] =
          AgencyState::DocumentStatus::kInForce;
      break;
    case v1::Event::kDocumentRepealed:
      state.documents[event.document_repealed().document_id()] =
          AgencyState::DocumentStatus::kRepealed;
      break;
    case v1::Event::kDocumentExpired:
      state.documents[event.document_expired().document_id()] =
          AgencyState::DocumentStatus::kExpired;
      break;
    default:
      break;
  }
}

}  // namespace ogi
