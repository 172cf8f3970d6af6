// A stored event read without building a v1::Event: the envelope fields that
// replay folds, and the payload as bytes, as views into the stored record.
//
// Replay and verification read millions of records; parsing each into a
// v1::Event costs more than everything else they do with it (allocation,
// unknown-field handling, the strings nobody reads). This reader walks the
// record's wire format once and keeps views. It accepts only the shape the
// engine writes (event_store.cc serializes each field once, with the wire type
// of event.proto); for anything else — a damaged record, a field repeated or
// of another wire type, a non-ASCII id or date — it declines, and the caller
// parses the record fully with DecodeRecord (key_codec.h), which decides
// between a v1::Event and kDataLoss. So a record that decodes here has the
// values a full parse would give it; what this reader does not look at (the
// UTF-8 of free-text fields it skips) is covered by the chain link, which
// `ogi verify` checks.
//
// Thread-compatible: plain functions over caller-owned views.
#ifndef OGI_ENGINE_EVENT_VIEW_H_
#define OGI_ENGINE_EVENT_VIEW_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

#include "engine/payload.h"
#include "proto/event.pb.h"

namespace ogi {

// The envelope of a stored event. The views point into the record, which must
// outlive them.
struct EventView {
  uint64_t position = 0;
  uint32_t version = 0;
  PayloadCase payload = v1::Event::PAYLOAD_NOT_SET;
  absl::string_view event_id;
  absl::string_view case_id;
  absl::string_view agency_id;
  absl::string_view occurred_on;
  int64_t recorded_seconds = 0;  // recorded_at
  int32_t recorded_nanos = 0;
  absl::string_view payload_bytes;  // the payload message, serialized
};

// Reads `record` (a serialized v1::Event) into `view`. Returns false, leaving
// `view` unspecified, unless the record is well formed, in the engine's shape
// (see above) and has a payload; the caller then parses it fully.
bool DecodeEventView(absl::string_view record, EventView& view);
// The views would point into a string that dies at the end of the call's
// statement (ASan found a test doing so): keep the record in a variable.
bool DecodeEventView(std::string&& record, EventView& view) = delete;

// Returns the view of a parsed event (payload_bytes empty). The views point
// into `event`, which must outlive them.
EventView ViewOf(const v1::Event& event);
EventView ViewOf(v1::Event&& event) = delete;  // would point into a temporary

// The top-level fields 1..kMaxField of a payload message (higher numbers are
// skipped): for each, its wire type and its value.
struct PayloadFields {
  static constexpr int kMaxField = 4;
  enum class Type : uint8_t { kAbsent, kVarint, kBytes, kOther };
  Type type[kMaxField + 1] = {};
  uint64_t varint[kMaxField + 1] = {};
  absl::string_view bytes[kMaxField + 1];
};

// Reads the fields of a serialized message. Returns false if it is malformed
// or repeats one of the fields 1..kMaxField (which a full parse would merge).
bool ReadPayloadFields(absl::string_view message, PayloadFields& fields);

// Returns whether every byte of `text` is ASCII (so valid UTF-8).
bool IsAscii(absl::string_view text);

}  // namespace ogi

#endif  // OGI_ENGINE_EVENT_VIEW_H_
