// The JSON Lines interchange format of docs/EVENTS.md: one event
// envelope per line.
//
// The format is the protobuf JSON mapping of ogi.v1.Event (lowerCamelCase field
// names, enum values by name, recordedAt as an RFC 3339 instant), parsed
// strictly by our own reflective parser rather than protobuf's: errors must
// name the field path ("received.applicant.category") and never quote a value
// that may be personal data, and the parser must be fast enough for bulk
// import. It checks syntax and types only; the rules of the spec (required
// fields, formats, lifecycle) are checked by validate.h and case_state.h.
//
// Thread-safe: the functions keep no state between calls.
#ifndef OGI_ENGINE_JSON_CODEC_H_
#define OGI_ENGINE_JSON_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

#include "proto/event.pb.h"

namespace ogi {

// What to do with the fields only the engine may set (recordedAt, version,
// position).
enum class EngineFields {
  kRefuse,  // a producer's event: refuse them.
  kIgnore,  // the output of `ogi export`: accept and drop them; the engine
            // assigns its own.
};

// Returns the event encoded by one line of JSON. Returns kInvalidArgument, with
// a message naming the field path and the problem, for malformed JSON, an
// unknown or repeated field, two members of one oneof (two payloads), a value
// of the wrong type, an enum name that does not exist, an integer out of range,
// a bytes field that is not base64, invalid UTF-8, nesting deeper than 16, or
// (with EngineFields::kRefuse) an engine field.
absl::StatusOr<v1::Event> ParseEventJson(absl::string_view json,
                                         EngineFields engine_fields);

// Returns `message` as one line of JSON (no newline) in the interchange format:
// fields that are set, in field number order; 64-bit integers as JSON numbers;
// Timestamps as RFC 3339 UTC ("2024-01-12T00:00:00Z"); bytes as base64; enum
// values by name, or as a number if the schema has no name for it (which
// ParseEventJson refuses). Any message gives well-formed JSON.
std::string MessageToJson(const google::protobuf::Message& message);

// Appends `text` to `out` as a JSON string literal (quotes included), escaping
// as JSON requires.
void AppendJsonString(absl::string_view text, std::string& out);

// Returns true if `text` is well-formed UTF-8 (no overlongs, no surrogates, at
// most U+10FFFF).
bool IsWellFormedUtf8(absl::string_view text);

}  // namespace ogi

#endif  // OGI_ENGINE_JSON_CODEC_H_
