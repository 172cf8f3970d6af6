// Small shared pieces of tools/bench: the event both engines append, a timed
// multi-threaded loop, percentiles, sizes on disk.
//
// Thread-safe (no shared state), except where a function says otherwise.
#ifndef OGI_TOOLS_BENCH_UTIL_H_
#define OGI_TOOLS_BENCH_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ogi {

// The nonzero cells of an annual report's part 三 (applications by applicant
// category), keyed "row,column" in the CSV's names, e.g.
// "new,natural_person" or "disclosed,commercial_enterprise".
using PartThreeCells = std::map<std::string, int64_t>;

// Returns the JSON line of a `received` event opening case B-<thread>-<i> at
// agency "bench", shaped like the generator's (name and ID number included, so
// ogi seals them as it would a real applicant's).
std::string BenchReceivedLine(int thread, int64_t i);

// Runs `threads` threads, each calling `op(thread, i)` for i = 0, 1, ... until
// `duration` has passed or an op fails. Returns the completed ops per second,
// or the first op's error.
absl::StatusOr<double> RunFor(
    int threads, absl::Duration duration,
    absl::FunctionRef<absl::Status(int thread, int64_t i)> op);

// Returns the q-quantile (0 ≤ q ≤ 1, nearest rank) of `values`; 0 if empty.
double Quantile(std::vector<double> values, double q);

// Returns the total size of the regular files under `path` (a file or a
// directory, recursively); 0 if it does not exist.
uint64_t BytesOnDisk(const std::string& path);

// Returns the number of '\n' in the file; kNotFound if it cannot be read.
absl::StatusOr<uint64_t> CountLines(const std::string& path);

// Returns `value` rounded to an integer with thousands separators
// ("19,865,740").
std::string Thousands(double value);

}  // namespace ogi

#endif  // OGI_TOOLS_BENCH_UTIL_H_
