// Child processes for tools/bench: a program run as `ogi` users run it (cold
// process, real peak RSS), or a function run in a forked copy of the bench so
// its peak RSS is its own.
//
// Not thread-safe: call from the bench's main thread. RunForked's body must
// not need other threads of the parent (a forked child has only one); run it
// before anything in the bench starts threads that hold locks.
#ifndef OGI_TOOLS_BENCH_PROCESS_H_
#define OGI_TOOLS_BENCH_PROCESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ogi {

struct ChildResult {
  absl::Duration elapsed;  // fork to exit, wall clock
  int64_t peak_rss_kib = 0;
  std::string out;  // the child's standard output
};

// Runs `argv[0]` (a path; no PATH search) with `argv`, standard output
// captured, standard error inherited. Returns kInternal if it cannot start or
// exits other than with status 0.
absl::StatusOr<ChildResult> RunProgram(const std::vector<std::string>& argv);

// Runs `body` in a forked child; its string result comes back as `out`.
// Returns the child's status if `body` fails, kInternal if the child dies.
absl::StatusOr<ChildResult> RunForked(
    absl::FunctionRef<absl::StatusOr<std::string>()> body);

}  // namespace ogi

#endif  // OGI_TOOLS_BENCH_PROCESS_H_
