// bench: every figure of issue 6 in one run and one table, ogi beside SQLite
// holding the same events, with the year's part 三 cross-checked cell by cell.
//
//   bench --ogi build/cli/ogi [--dir /tmp/ogi-bench-table]
//       10 years, 19.9M events: loads both engines, then measures
//   bench --ogi build/cli/ogi --reuse
//       measures again the stores a previous run left in --dir
//   bench --ogi build/cli/ogi --quick --dir DIR
//       CI: 2 years, 24,081 events, seconds; DIR's bench files removed after
//
// Steps: `ogi gen` writes the log; `ogi import` loads it (a child: events/s and
// peak RSS) and SQLite loads the same lines (a forked child); `ogi report` with
// no report index folds the whole log (full replay), then runs cold for one
// year (best of N) while SQLite computes the same part 三 by SQL; `ogi verify`
// against PRAGMA integrity_check; case histories in-process (EventStore::
// ReadStream against an indexed SELECT) on the same random cases; synced
// appends with 1 and 16 writers into fresh stores. Exits 1 if any step fails
// or the part 三 cells differ; never for a missed target. docs/PERFORMANCE.md
// records the table with the machine.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

#include "engine/status_macros.h"
#include "tools/bench_ogi.h"
#include "tools/bench_process.h"
#include "tools/bench_sqlite.h"
#include "tools/bench_table.h"
#include "tools/bench_util.h"

namespace ogi {
namespace {

struct Options {
  std::string ogi = "build/cli/ogi";
  std::string dir = "/tmp/ogi-bench-table";
  bool quick = false;
  bool reuse = false;
  std::string years = "2015..2024";
  int first_year = 0;  // from `years`
  int last_year = 0;
  int64_t cases_per_year = 540000;
  int agencies = 20;
  uint64_t seed = 11;
  int year = 0;  // 0: the last year but one
  double seconds = 5;
  int history_reads = 10000;
  int report_runs = 5;
};

// What the bench keeps in --dir. Only these are ever removed.
struct Paths {
  explicit Paths(const std::string& dir)
      : store(dir + "/ogi"),
        sqlite(dir + "/events.sqlite"),
        log(dir + "/log.jsonl"),
        load(dir + "/bench-load.txt"),
        appends(dir + "/appends") {}
  std::string store, sqlite, log, load, appends;
};

void RemoveSqlite(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix);
  }
}

void RemoveAll(const Paths& paths) {
  std::filesystem::remove_all(paths.store);
  RemoveSqlite(paths.sqlite);
  std::filesystem::remove(paths.log);
  std::filesystem::remove(paths.load);
  std::filesystem::remove_all(paths.appends);
}

void Progress(absl::string_view what) {
  std::fprintf(stderr, "bench: %s\n", std::string(what).c_str());
}

// The figures of the load, kept in --dir so that --reuse can print them.
using LoadFigures = std::map<std::string, double>;

absl::Status SaveLoad(const std::string& path, const LoadFigures& figures) {
  std::ofstream out(path);
  for (const auto& [key, value] : figures) out << key << " " << value << "\n";
  out.close();
  if (!out) return absl::UnavailableError("cannot write " + path);
  return absl::OkStatus();
}

absl::StatusOr<LoadFigures> ReadLoad(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("--reuse: no " + path);
  LoadFigures figures;
  std::string key;
  double value;
  while (in >> key >> value) figures[key] = value;
  return figures;
}

std::optional<double> Get(const LoadFigures& figures, const std::string& key) {
  auto it = figures.find(key);
  if (it == figures.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<LoadFigures> Load(const Options& options, const Paths& paths) {
  RemoveAll(paths);
  std::filesystem::create_directories(options.dir);
  Progress("ogi gen");
  OGI_RETURN_IF_ERROR(
      RunProgram({options.ogi, "gen", "--agencies",
                  std::to_string(options.agencies), "--years", options.years,
                  "--cases-per-year", std::to_string(options.cases_per_year),
                  "--seed", std::to_string(options.seed), "--out", paths.log})
          .status());
  OGI_ASSIGN_OR_RETURN(const uint64_t events, CountLines(paths.log));
  LoadFigures figures = {
      {"events", static_cast<double>(events)},
      {"first_year", options.first_year},
      {"last_year", options.last_year},
      {"cases_per_year", static_cast<double>(options.cases_per_year)},
      {"agencies", options.agencies},
      {"seed", static_cast<double>(options.seed)}};
  Progress(absl::StrCat("ogi import of ", events, " events"));
  OGI_ASSIGN_OR_RETURN(
      const ChildResult import,
      RunProgram({options.ogi, "--db", paths.store, "import", paths.log}));
  figures["ogi_import_seconds"] = absl::ToDoubleSeconds(import.elapsed);
  figures["ogi_import_rss_kib"] = static_cast<double>(import.peak_rss_kib);
  Progress("SQLite load");
  OGI_ASSIGN_OR_RETURN(
      const ChildResult load, RunForked([&]() -> absl::StatusOr<std::string> {
        OGI_ASSIGN_OR_RETURN(const uint64_t rows,
                             SqliteLoad(paths.sqlite, paths.log));
        return std::to_string(rows);
      }));
  if (load.out != std::to_string(events)) {
    return absl::InternalError(
        absl::StrCat("SQLite loaded ", load.out, " rows of ", events));
  }
  figures["sqlite_load_seconds"] = absl::ToDoubleSeconds(load.elapsed);
  figures["sqlite_load_rss_kib"] = static_cast<double>(load.peak_rss_kib);
  std::filesystem::remove(paths.log);
  OGI_RETURN_IF_ERROR(SaveLoad(paths.load, figures));
  return figures;
}

// Returns a / b, or nullopt if either is missing or b is not positive.
std::optional<double> Quotient(std::optional<double> a,
                               std::optional<double> b) {
  if (!a || !b || *b <= 0) return std::nullopt;
  return *a / *b;
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Prints each cell where the two engines differ, to standard error.
void PrintDifferences(const PartThreeCells& ours,
                      const PartThreeCells& theirs) {
  std::map<std::string, std::pair<int64_t, int64_t>> both;
  for (const auto& [cell, value] : ours) both[cell].first = value;
  for (const auto& [cell, value] : theirs) both[cell].second = value;
  for (const auto& [cell, values] : both) {
    if (values.first == values.second) continue;
    std::fprintf(stderr, "bench: part 三 %s: ogi %lld, SQLite %lld\n",
                 cell.c_str(), static_cast<long long>(values.first),
                 static_cast<long long>(values.second));
  }
}

// Runs every step and prints the table; returns whether the two engines'
// part 三 cells agree.
absl::StatusOr<bool> Run(const Options& options) {
  const Paths paths(options.dir);
  LoadFigures load;
  if (options.reuse) {
    OGI_ASSIGN_OR_RETURN(load, ReadLoad(paths.load));
  } else {
    OGI_ASSIGN_OR_RETURN(load, Load(options, paths));
  }
  OGI_ASSIGN_OR_RETURN(const uint64_t event_count, SqliteRows(paths.sqlite));
  const double events = static_cast<double>(event_count);
  const int year = options.year == 0 ? options.last_year - 1 : options.year;
  const std::vector<std::string> report = {
      options.ogi, "--db",     paths.store,
      "report",    "--year",   std::to_string(year),
      "--agency",  "gov-root", "--rollup",
      "--format",  "csv"};

  Progress("full replay");
  std::filesystem::remove(paths.store + "/ogi-report-index.pb");
  OGI_ASSIGN_OR_RETURN(const ChildResult replay, RunProgram(report));
  absl::Time start = absl::Now();
  OGI_ASSIGN_OR_RETURN(const uint64_t scanned, SqliteScan(paths.sqlite));
  const double scan_seconds = Seconds(absl::Now() - start);
  if (scanned != event_count)
    return absl::InternalError("SQLite scan lost rows");

  Progress("one year's report");
  // Reports never write the index (issue 15): save it once, unmeasured.
  std::vector<std::string> reindex = {options.ogi, "--db", paths.store,
                                      "reindex"};
  OGI_RETURN_IF_ERROR(RunProgram(reindex).status());
  OGI_ASSIGN_OR_RETURN(ChildResult best, RunProgram(report));
  for (int i = 1; i < options.report_runs; ++i) {
    OGI_ASSIGN_OR_RETURN(ChildResult run, RunProgram(report));
    if (run.elapsed < best.elapsed) best = std::move(run);
  }
  OGI_ASSIGN_OR_RETURN(const SqlitePartThree sql,
                       SqlitePartThreeOf(paths.sqlite, year, 3));
  const PartThreeCells ours = CsvPartThree(best.out);
  const bool cells_agree = !ours.empty() && ours == sql.cells;
  if (!cells_agree) PrintDifferences(ours, sql.cells);

  Progress("verify");
  OGI_ASSIGN_OR_RETURN(
      const ChildResult verify,
      RunProgram({options.ogi, "--db", paths.store, "verify"}));
  start = absl::Now();
  OGI_RETURN_IF_ERROR(SqliteIntegrityCheck(paths.sqlite));
  const double check_seconds = Seconds(absl::Now() - start);
  const double ogi_bytes = static_cast<double>(BytesOnDisk(paths.store));
  const double sqlite_bytes = static_cast<double>(
      BytesOnDisk(paths.sqlite) + BytesOnDisk(paths.sqlite + "-wal"));

  Progress("case histories");
  // Both engines first read as many other cases untimed: the figure is a
  // serving process's, not the first reads after open (which open each
  // RocksDB table file once, a few ms each).
  OGI_ASSIGN_OR_RETURN(
      const std::vector<std::string> warmup,
      SqliteSampleCases(paths.sqlite, options.history_reads, 8));
  OGI_ASSIGN_OR_RETURN(
      const std::vector<std::string> cases,
      SqliteSampleCases(paths.sqlite, options.history_reads, 7));
  OGI_ASSIGN_OR_RETURN(const std::vector<double> ogi_history,
                       OgiHistory(paths.store, warmup, cases));
  OGI_ASSIGN_OR_RETURN(const std::vector<double> sqlite_history,
                       SqliteHistory(paths.sqlite, warmup, cases));

  Progress("synced appends");
  std::filesystem::remove_all(paths.appends);
  std::filesystem::create_directories(paths.appends);
  std::map<int, std::pair<double, double>> appends;
  for (int threads : {1, 16}) {
    const absl::Duration duration = absl::Seconds(options.seconds);
    const std::string name = absl::StrCat(paths.appends, "/", threads);
    OGI_ASSIGN_OR_RETURN(appends[threads].first,
                         OgiAppends(name + "-ogi", threads, duration));
    OGI_ASSIGN_OR_RETURN(appends[threads].second,
                         SqliteAppends(name + ".sqlite", threads, duration));
  }
  std::filesystem::remove_all(paths.appends);

  const double kKiB = 1024;  // per MiB
  const std::vector<Figure> figures = {
      Rate("synced appends/s, 1 writer", appends[1].first, appends[1].second),
      Rate("synced appends/s, 16 writers", appends[16].first,
           appends[16].second),
      Rate("import, events/s",
           Quotient(events, Get(load, "ogi_import_seconds")),
           Quotient(events, Get(load, "sqlite_load_seconds")), 500000),
      Cost("import, peak RSS", Quotient(Get(load, "ogi_import_rss_kib"), kKiB),
           Quotient(Get(load, "sqlite_load_rss_kib"), kKiB), " MiB", 0),
      Rate("full replay, events/s", events / Seconds(replay.elapsed),
           events / scan_seconds, 2500000),
      Cost("full replay, peak RSS", replay.peak_rss_kib / kKiB, std::nullopt,
           " MiB", 0),
      Cost(absl::StrCat("one year's report (", year, " part 三)"),
           Seconds(best.elapsed) * 1000, Seconds(sql.best) * 1000, " ms", 1, 50,
           10),
      Cost("case history p50", Quantile(ogi_history, 0.5),
           Quantile(sqlite_history, 0.5), " ms", 3),
      Cost("case history p99", Quantile(ogi_history, 0.99),
           Quantile(sqlite_history, 0.99), " ms", 3, 1),
      Rate("verify, events/s", events / Seconds(verify.elapsed),
           events / check_seconds, 1000000),
      Cost("store size per event", ogi_bytes / events, sqlite_bytes / events,
           " B", 1),
  };
  std::vector<BenchRow> rows;
  for (const Figure& figure : figures) rows.push_back(MakeRow(figure));
  BenchRow check;
  check.measure = absl::StrCat(year, " part 三 cells identical");
  check.ogi = absl::StrCat(ours.size(), " nonzero cells");
  check.sqlite = absl::StrCat(sql.cells.size(), " nonzero cells");
  check.target = "every cell";
  check.verdict = cells_agree ? "✔" : "✘";
  rows.push_back(check);

  std::printf("%s events (%s, %lld cases/year, %d agencies, seed %llu)%s\n\n",
              Thousands(events).c_str(), options.years.c_str(),
              static_cast<long long>(options.cases_per_year), options.agencies,
              static_cast<unsigned long long>(options.seed),
              options.reuse ? ", stores reused; import figures from the run "
                              "that loaded them"
                            : "");
  std::printf("%s", RenderTable(rows).c_str());
  std::printf(
      "\n× better: ogi's figure over SQLite's for rates, SQLite's over ogi's "
      "for times, memory and bytes.\n");
  if (options.quick) {
    std::printf(
        "--quick: the targets are set for the full 10-year log; only the "
        "cross-check counts here.\n");
  }
  return cells_agree;
}

// --reuse takes the log's shape from the run that loaded the stores.
absl::Status ApplySavedShape(const std::string& dir, Options& options) {
  OGI_ASSIGN_OR_RETURN(const LoadFigures saved, ReadLoad(Paths(dir).load));
  const std::optional<double> first = Get(saved, "first_year");
  const std::optional<double> last = Get(saved, "last_year");
  if (first && last) {
    options.years =
        absl::StrCat(static_cast<int>(*first), "..", static_cast<int>(*last));
  }
  if (auto cases = Get(saved, "cases_per_year")) {
    options.cases_per_year = static_cast<int64_t>(*cases);
  }
  if (auto agencies = Get(saved, "agencies")) {
    options.agencies = static_cast<int>(*agencies);
  }
  if (auto seed = Get(saved, "seed")) {
    options.seed = static_cast<uint64_t>(*seed);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace ogi

int main(int argc, char** argv) {
  ogi::Options options;
  CLI::App app{"bench: ogi against SQLite on the same generated log"};
  app.add_option("--ogi", options.ogi, "path of the ogi binary");
  app.add_option("--dir", options.dir,
                 "working directory (the bench's own files in it are "
                 "replaced)");
  app.add_flag("--quick", options.quick,
               "a 2-year log of 3,000 cases a year, short runs: for CI");
  app.add_flag("--reuse", options.reuse,
               "measure the stores a previous run left in --dir");
  app.add_option("--years", options.years, "FIRST..LAST");
  app.add_option("--cases-per-year", options.cases_per_year,
                 "applications a year, over all agencies");
  app.add_option("--agencies", options.agencies, "agencies in the tree");
  app.add_option("--seed", options.seed, "the generator's seed");
  app.add_option("--year", options.year,
                 "the report's year (default: the last year but one)");
  app.add_option("--seconds", options.seconds, "length of each append run");
  app.add_option("--history-reads", options.history_reads,
                 "case histories read by each engine");
  app.add_option("--report-runs", options.report_runs,
                 "cold `ogi report` runs (the best counts)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (options.quick) {
    if (app.count("--years") == 0) options.years = "2023..2024";
    if (app.count("--cases-per-year") == 0) options.cases_per_year = 3000;
    if (app.count("--seconds") == 0) options.seconds = 0.5;
    if (app.count("--history-reads") == 0) options.history_reads = 500;
    if (app.count("--report-runs") == 0) options.report_runs = 3;
  }
  if (options.reuse) {
    const absl::Status shape = ogi::ApplySavedShape(options.dir, options);
    if (!shape.ok()) {
      std::fprintf(stderr, "bench: %s\n", std::string(shape.message()).c_str());
      return 1;
    }
  }
  const std::vector<std::string> span = absl::StrSplit(options.years, "..");
  if (span.size() != 2 || !absl::SimpleAtoi(span[0], &options.first_year) ||
      !absl::SimpleAtoi(span[1], &options.last_year) ||
      options.first_year > options.last_year) {
    std::fprintf(stderr, "bench: --years must be FIRST..LAST\n");
    return 1;
  }
  const absl::StatusOr<bool> cells_agree = ogi::Run(options);
  if (options.quick && !options.reuse) {
    ogi::RemoveAll(ogi::Paths(options.dir));
    std::error_code ignored;  // a --dir holding other files stays
    std::filesystem::remove(options.dir, ignored);
  }
  if (!cells_agree.ok()) {
    std::fprintf(stderr, "bench: %s\n",
                 std::string(cells_agree.status().message()).c_str());
    return 1;
  }
  if (!*cells_agree) {
    std::fprintf(stderr, "bench: ogi's and SQLite's part 三 differ\n");
    return 1;
  }
  return 0;
}
