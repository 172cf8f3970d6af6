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

// eventIds are scoped by agency: each agency has its own namespace, so a
// producer of one agency can neither take an id another agency will use (its
// event would then be refused, or taken for a retry) nor learn whether that
// agency used it. An event's namespace is the agency its stream belongs to: an
// agency event's own agency; a case event's case's agency, which the engine
// stores on every case event (and refuses another: docs/EVENTS.md), so a
// decided or stored event's agencyId is its namespace. Assigned ids name
// their stream, so they are unique anyway.
//
// Returns whether an event not yet decided names its id's namespace itself:
// an agency event, or a `received` (which opens its case in the agency it
// names). Any other case event's namespace is its case's stored agency,
// whatever agencyId it claims.
bool NamesItsEventIdAgency(const v1::Event& event);

// Returns the "event_ids" key (EncodeEventIdKey) of a decided or stored
// event: its agencyId and eventId. Every writer, reader and checker of the
// index asks this (or, before an event is decided, EncodeEventIdKey with the
// agency of its stream: Decider::CheckEventId).
std::string EventIdKeyOf(const v1::Event& event);
// The same, into `out`.
void EventIdKeyOf(const v1::Event& event, std::string& out);

// Sets the event's id to the assigned one if it has none (a record stored
// before ids were assigned). REQUIRES: version set.
void FillEventId(v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_EVENT_ID_H_
