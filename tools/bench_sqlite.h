// The SQLite side of tools/bench: the same events in one table, with the
// indexes a competent user would add, doing each thing the bench times ogi
// doing.
//
// Schema: events(position INTEGER PRIMARY KEY, case_id, agency_id,
// occurred_on, type, category, outcome, target_version, payload), indexed on
// (type, occurred_on) and (case_id, type). Each row's columns are extracted
// from its JSON line by SQLite's own JSON functions (the payload column keeps
// the whole line), so SQLite parses what ogi parses. WAL journal,
// synchronous = FULL: a committed transaction survives power loss, as an ogi
// append does.
//
// Every function opens its own connection on `db_path` and closes it. Not
// thread-safe between calls on the same file, except SqliteAppends, which runs
// its own threads.
#ifndef OGI_TOOLS_BENCH_SQLITE_H_
#define OGI_TOOLS_BENCH_SQLITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "tools/bench_util.h"

namespace ogi {

// Creates `db_path` (which must not exist) and loads the JSON Lines log at
// `log_path`, in transactions of 10,000 rows (ogi import's batch), then builds
// the indexes and runs ANALYZE. Returns the rows loaded.
absl::StatusOr<uint64_t> SqliteLoad(const std::string& db_path,
                                    const std::string& log_path);

// Returns the number of rows.
absl::StatusOr<uint64_t> SqliteRows(const std::string& db_path);

// Reads every column of every row in position order (the counterpart of a full
// replay); returns the rows read.
absl::StatusOr<uint64_t> SqliteScan(const std::string& db_path);

struct SqlitePartThree {
  PartThreeCells cells;
  absl::Duration best;  // of the repeats, on one warm connection
};

// Computes part 三 of `year` for all agencies by SQL, `repeats` times.
absl::StatusOr<SqlitePartThree> SqlitePartThreeOf(const std::string& db_path,
                                                  int year, int repeats);

// Returns `n` case ids of events at positions drawn uniformly with `seed`
// (so cases with more events are drawn more often).
absl::StatusOr<std::vector<std::string>> SqliteSampleCases(
    const std::string& db_path, int n, uint64_t seed);

// Reads the events of each case of `warmup` in position order, untimed, then
// of each of `cases`; returns each timed read's latency in milliseconds.
// kNotFound if a case has no events.
absl::StatusOr<std::vector<double>> SqliteHistory(
    const std::string& db_path, const std::vector<std::string>& warmup,
    const std::vector<std::string>& cases);

// Runs PRAGMA integrity_check (every page, every index against its table);
// kDataLoss unless it says "ok".
absl::Status SqliteIntegrityCheck(const std::string& db_path);

// Appends `received` events (BenchReceivedLine) one per transaction from
// `threads` threads sharing one connection (SQLite commits one writer at a
// time), for `duration`, into a new database at `db_path` with the schema and
// indexes. Returns committed events per second.
absl::StatusOr<double> SqliteAppends(const std::string& db_path, int threads,
                                     absl::Duration duration);

}  // namespace ogi

#endif  // OGI_TOOLS_BENCH_SQLITE_H_
