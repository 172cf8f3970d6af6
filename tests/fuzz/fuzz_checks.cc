// The per-input checks of the fuzz targets; see fuzz_checks.h.
#include "tests/fuzz/fuzz_checks.h"

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "engine/validate.h"
#include "proto/event.pb.h"

namespace ogi::fuzz {
namespace {

absl::Status Broken(absl::string_view what) {
  return absl::InternalError(absl::StrCat("broken promise: ", what));
}

// Returns true if `status` is OK or has the one error code the contract
// allows.
bool IsVerdict(const absl::Status& status, absl::StatusCode allowed) {
  return status.ok() || status.code() == allowed;
}

absl::Status UnexpectedCode(absl::string_view step,
                            const absl::Status& status) {
  return Broken(absl::StrCat(step, " returned ", status.ToString()));
}

// Checks that `stored`, exported as `ogi export` does and read back as
// `ogi import` reads an export, is refused with kInvalidArgument or comes back
// as the same event without its engine fields.
absl::Status CheckExportRoundTrip(const v1::Event& stored) {
  const std::string json = MessageToJson(stored);
  const absl::StatusOr<v1::Event> imported =
      ParseEventJson(json, EngineFields::kIgnore);
  if (!imported.ok()) {
    if (!IsVerdict(imported.status(), absl::StatusCode::kInvalidArgument)) {
      return UnexpectedCode("re-importing an export", imported.status());
    }
    // A field may be refused (an enum number the schema does not name), the
    // syntax never: the writer writes well-formed JSON whatever the event.
    if (absl::StartsWith(imported.status().message(), "malformed JSON")) {
      return Broken(absl::StrCat("MessageToJson wrote malformed JSON: ",
                                 imported.status().message()));
    }
    return absl::OkStatus();
  }
  v1::Event expected = stored;
  expected.clear_recorded_at();
  expected.clear_version();
  expected.clear_position();
  if (MessageToJson(*imported) != MessageToJson(expected)) {
    return Broken("an exported event reads back changed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckEventJsonLine(absl::string_view line) {
  const absl::StatusOr<v1::Event> refused =
      ParseEventJson(line, EngineFields::kRefuse);
  const absl::StatusOr<v1::Event> ignored =
      ParseEventJson(line, EngineFields::kIgnore);
  if (!IsVerdict(refused.status(), absl::StatusCode::kInvalidArgument)) {
    return UnexpectedCode("ParseEventJson(kRefuse)", refused.status());
  }
  if (!IsVerdict(ignored.status(), absl::StatusCode::kInvalidArgument)) {
    return UnexpectedCode("ParseEventJson(kIgnore)", ignored.status());
  }
  if (refused.ok()) {
    // Without engine fields the two modes read the same line.
    if (!ignored.ok()) {
      return Broken(absl::StrCat("kIgnore refuses a line kRefuse accepts: ",
                                 ignored.status().message()));
    }
    if (MessageToJson(*refused) != MessageToJson(*ignored)) {
      return Broken("kRefuse and kIgnore read one line differently");
    }
  }
  if (ignored.ok()) {
    // The export format is the import format: what was read must print as a
    // line that reads back as the same event.
    const std::string json = MessageToJson(*ignored);
    const absl::StatusOr<v1::Event> again =
        ParseEventJson(json, EngineFields::kRefuse);
    if (!again.ok()) {
      return Broken(absl::StrCat("MessageToJson output does not parse: ",
                                 again.status().message()));
    }
    if (MessageToJson(*again) != json) {
      return Broken("MessageToJson and ParseEventJson change the event");
    }
  }
  if (!refused.ok()) return refused.status();
  const absl::Status valid = ValidateEvent(*refused, kRecordingDay);
  if (!IsVerdict(valid, absl::StatusCode::kInvalidArgument)) {
    return UnexpectedCode("ValidateEvent", valid);
  }
  return valid;
}

absl::Status CheckStoredRecord(absl::string_view value) {
  v1::Event event;
  const absl::Status decoded = DecodeStored(value, kStoredPosition, event);
  const std::string zero_link(kLinkSize, '\0');
  const absl::StatusOr<absl::string_view> link =
      CheckLink(zero_link, value, kStoredPosition);
  if (!IsVerdict(decoded, absl::StatusCode::kDataLoss)) {
    return UnexpectedCode("DecodeStored", decoded);
  }
  if (!IsVerdict(link.status(), absl::StatusCode::kDataLoss)) {
    return UnexpectedCode("CheckLink", link.status());
  }
  if (link.ok() && *link != value.substr(1, kLinkSize)) {
    return Broken("CheckLink returns a link other than the stored one");
  }
  if (decoded.ok()) {
    const absl::Status round_trip = CheckExportRoundTrip(event);
    if (!round_trip.ok()) return round_trip;
  }
  if (!decoded.ok()) return decoded;
  return link.status();
}

}  // namespace ogi::fuzz
