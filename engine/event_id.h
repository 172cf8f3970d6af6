// The eventIds the engine assigns. Every stored event has an eventId: a
// producer's own, or, when it gives none (agency events, CLI appends, the
// engine's personalDataErased), one the engine derives from where the event
// lands, "ogi:" kind ":" stream id ":" version, e.g. "ogi:c:2023-0001:3" for
// version 3 of case 2023-0001 ("a" for an agency). The id is stored in the
// record (so the chain covers it) and exported, so importing an export again
// is a no-op, and importing it into an empty store gives the same ids.
//
// Producers may not choose ids of this form freely: one is accepted only for
// the event it names (docs/EVENTS.md). Events stored before ids were assigned
// have none in their record; readers (ReadStream, ScanLog, FindByEventId)
// report the derived id for them, which is the same rule.
#ifndef OGI_ENGINE_EVENT_ID_H_
#define OGI_ENGINE_EVENT_ID_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

#include "engine/key_codec.h"
#include "proto/event.pb.h"

namespace ogi {

inline constexpr char kAssignedEventIdPrefix[] = "ogi:";

// Returns the id the engine assigns to version `version` of `stream`.
std::string AssignedEventId(const StreamId& stream, uint32_t version);

struct NamedEvent {
  StreamId stream;
  uint32_t version;
};

// Returns the stream and version an assigned id names; nullopt if `id` is not
// of the assigned form (an id with the prefix that does not parse names no
// event, and is refused for any).
std::optional<NamedEvent> ParseAssignedEventId(absl::string_view id);

// Returns whether `id` has the prefix the engine reserves.
bool IsReservedEventId(absl::string_view id);

// The one rule for which stream an event belongs to: an agency payload to its
// agency's stream, any other to its case's. Every writer, reader and checker
// asks these two.
StreamId StreamOf(const v1::Event& event);
// Returns whether `event` belongs to `stream` (StreamOf(event) == stream,
// without a copy).
bool InStream(const v1::Event& event, const StreamId& stream);

// Sets the event's id to the assigned one if it has none (a record stored
// before ids were assigned). REQUIRES: version set.
void FillEventId(v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_EVENT_ID_H_
