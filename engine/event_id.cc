// Engine-assigned eventIds; see event_id.h.
#include "engine/event_id.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "engine/payload.h"

namespace ogi {

std::string AssignedEventId(const StreamId& stream, uint32_t version) {
  return absl::StrCat(kAssignedEventIdPrefix,
                      std::string(1, static_cast<char>(stream.kind)), ":",
                      stream.id, ":", version);
}

bool IsReservedEventId(absl::string_view id) {
  return absl::StartsWith(id, kAssignedEventIdPrefix);
}

std::optional<NamedEvent> ParseAssignedEventId(absl::string_view id) {
  if (!IsReservedEventId(id)) return std::nullopt;
  id.remove_prefix(sizeof(kAssignedEventIdPrefix) - 1);
  if (id.size() < 5 || id[1] != ':' || (id[0] != 'a' && id[0] != 'c'))
    return std::nullopt;
  const size_t colon = id.rfind(':');
  if (colon <= 2) return std::nullopt;
  uint32_t version;
  const absl::string_view digits = id.substr(colon + 1);
  // The canonical decimal form only, so one event has one id.
  if (digits.empty() || digits[0] == '0' ||
      !absl::SimpleAtoi(digits, &version)) {
    return std::nullopt;
  }
  NamedEvent named{{static_cast<StreamId::Kind>(id[0]),
                    std::string(id.substr(2, colon - 2))},
                   version};
  return named;
}

StreamId StreamOf(const v1::Event& event) {
  if (IsAgencyPayload(event.payload_case()))
    return {StreamId::Kind::kAgency, event.agency_id()};
  return {StreamId::Kind::kCase, event.case_id()};
}

bool InStream(const v1::Event& event, const StreamId& stream) {
  const bool agency = IsAgencyPayload(event.payload_case());
  return stream.kind ==
             (agency ? StreamId::Kind::kAgency : StreamId::Kind::kCase) &&
         (agency ? event.agency_id() : event.case_id()) == stream.id;
}

bool NamesItsEventIdAgency(const v1::Event& event) {
  return IsAgencyPayload(event.payload_case()) ||
         event.payload_case() == v1::Event::kReceived;
}

std::string EventIdKeyOf(const v1::Event& event) {
  return EncodeEventIdKey(event.agency_id(), event.event_id());
}

void EventIdKeyOf(const v1::Event& event, std::string& out) {
  EncodeEventIdKey(event.agency_id(), event.event_id(), out);
}

void FillEventId(v1::Event& event) {
  if (event.event_id().empty())
    event.set_event_id(AssignedEventId(StreamOf(event), event.version()));
}

}  // namespace ogi
