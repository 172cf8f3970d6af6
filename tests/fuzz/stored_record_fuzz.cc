// libFuzzer target: one input is one value of the "log" column family, read
// as the event store reads it (see fuzz_checks.h). Built with -DOGI_FUZZ=ON;
// docs/FUZZING.md tells how to run it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "google/protobuf/stubs/logging.h"

#include "tests/fuzz/fuzz_checks.h"

// Silences protobuf's log lines (a string that is not UTF-8 logs one per
// parse), which would otherwise cost most of the run's time.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Status verdict = ogi::fuzz::CheckStoredRecord(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (verdict.code() == absl::StatusCode::kInternal) {
    std::fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    std::abort();
  }
  return 0;
}
