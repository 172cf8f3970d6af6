// The in-process ogi side of tools/bench (the rest runs `ogi` as a child):
// durable appends through EventStore::Append, case histories through
// EventStore::ReadStream, and the part 三 cells of `ogi report --format csv`.
//
// Each function opens the store it is given and closes it before returning;
// no other process may hold that store meanwhile.
#ifndef OGI_TOOLS_BENCH_OGI_H_
#define OGI_TOOLS_BENCH_OGI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "tools/bench_util.h"

namespace ogi {

// Creates a store at `dir` (which must not exist), registers agency "bench",
// then appends one `received` event (BenchReceivedLine, a new case each) per
// Append call from `threads` threads for `duration`. Returns appends per
// second; each returned only once durable (WAL synced).
absl::StatusOr<double> OgiAppends(const std::string& dir, int threads,
                                  absl::Duration duration);

// Reads the stream of each case of `warmup`, untimed, then of each of `cases`
// (personal data revealed, as `ogi history` shows it); returns each timed
// read's latency in milliseconds. kNotFound if a case has no events.
absl::StatusOr<std::vector<double>> OgiHistory(
    const std::string& store_dir, const std::vector<std::string>& warmup,
    const std::vector<std::string>& cases);

// Returns the nonzero part 三 cells of `ogi report --format csv` output,
// category columns only (no totals).
PartThreeCells CsvPartThree(absl::string_view csv);

}  // namespace ogi

#endif  // OGI_TOOLS_BENCH_OGI_H_
