// The per-input checks of the fuzz targets: what the engine does with one
// untrusted input, and the promises it must keep whatever the bytes. The
// libFuzzer targets (event_json_fuzz.cc, stored_record_fuzz.cc, built with
// -DOGI_FUZZ=ON) and the corpus replay test (fuzz_corpus_test.cc, always
// built) call the same functions, so a seed or a crash reproducer checked in
// under corpus/ is tested on every build.
//
// Each function returns the engine's verdict on the input. A verdict of
// kInternal means a broken promise (a round trip that changes the event, two
// parsing modes that disagree, an error code the contract does not allow): the
// fuzz targets abort on it. A crash, a hang or unbounded memory inside is the
// bug the fuzzer looks for.
//
// Thread-safe: no state is kept between calls.
#ifndef OGI_TESTS_FUZZ_FUZZ_CHECKS_H_
#define OGI_TESTS_FUZZ_FUZZ_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace ogi::fuzz {

// The day every fuzzed line counts as recorded on, so verdicts do not change
// with the date the corpus is replayed.
inline constexpr absl::CivilDay kRecordingDay = absl::CivilDay(2030, 12, 31);

// The position a fuzzed "log" value is read at; the link before it is
// kLinkSize zero bytes.
inline constexpr uint64_t kStoredPosition = 1;

// Returns the verdict of the JSON Lines import on one line, as a producer's
// event: OK if ParseEventJson(line, EngineFields::kRefuse) succeeds and the
// event passes ValidateEvent on kRecordingDay; the kInvalidArgument of the
// step that refused it otherwise. Also checks that parsing with
// EngineFields::kIgnore agrees, and that an event that parses survives
// MessageToJson and a second parse unchanged. kInternal if one of these
// promises is broken.
absl::Status CheckEventJsonLine(absl::string_view line);

// Returns the verdict of the read path on one "log" value stored at
// kStoredPosition after the all-zero link: OK if DecodeStored accepts it and
// CheckLink confirms its link; kDataLoss (from DecodeStored first) otherwise.
// An event that DecodeStored accepts is also exported with MessageToJson and
// read back as `ogi import` reads an export (EngineFields::kIgnore): that must
// give the same event without its engine fields, or refuse a field
// (kInvalidArgument), never the JSON syntax.
// kInternal if a promise is broken.
absl::Status CheckStoredRecord(absl::string_view value);

}  // namespace ogi::fuzz

#endif  // OGI_TESTS_FUZZ_FUZZ_CHECKS_H_
