// bench_report: one year's annual report on a long log, ogi against SQLite,
// with the numbers cross-checked.
//
//   bench_report --ogi build/cli/ogi --dir /tmp/ogi-bench-report [--years
//   2015..2024] [--cases-per-year 540000]
//                [--reuse]   (measure the stores a previous run left, without
//                loading anew)
//
// 1. Generates a log (gen/gen_log.h: 20 agencies) and appends it to an ogi
// store through EventStore::Append in
//    batches of 10,000, and the same events to an SQLite table with the indexes
//    a competent user would add.
// 2. Full rebuild: `ogi report` as a child process with no report index (it
// folds the whole log): seconds,
//    events/s, peak RSS.
// 3. One year's report in a cold process with the index present: `ogi report
// --format csv`, best of 5.
// 4. SQLite: the same year's part 三 by SQL, best of 3 (warm); its cells must
// equal ogi's CSV. Prints a Markdown table.
#include <cstdio>
#include <filesystem>
#include <sqlite3.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "gen/gen_log.h"
#include "projections/annual_report.h"
#include "tools/bench_ogi.h"
#include "tools/bench_sqlite.h"

namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "bench_report: %s\n", what.c_str());
  std::exit(1);
}

void Sql(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    Die(absl::StrCat("sqlite: ", error == nullptr ? "?" : error, " in ",
                     sql.substr(0, 80)));
  }
}

struct ChildRun {
  double seconds;
  long max_rss_kb;
  std::string out;
};

ChildRun RunChild(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (pipe(pipefd) != 0) Die("pipe");
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
    out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    Die(absl::StrCat("child failed: ", argv[0]));
  return {absl::ToDoubleSeconds(absl::Now() - start), usage.ru_maxrss, out};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bench_report: one year's report on a long log, ogi against SQLite"};
  std::string ogi_binary = "build/cli/ogi";
  std::string dir = "/tmp/ogi-bench-report";
  std::string years = "2015..2024";
  int64_t cases_per_year = 540000;
  int report_year = 0;
  app.add_option("--ogi", ogi_binary, "path of the ogi binary");
  app.add_option("--dir", dir, "scratch directory (emptied)");
  app.add_option("--years", years, "FIRST..LAST");
  app.add_option("--cases-per-year", cases_per_year, "applications per year");
  app.add_option("--year", report_year,
                 "the report's year (default: the last year but one)");
  bool reuse = false;
  app.add_flag("--reuse", reuse,
               "measure the stores a previous run left in --dir instead of "
               "loading anew");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  ogi::GenOptions gen;
  gen.agencies = 20;
  gen.cases_per_year = cases_per_year;
  gen.seed = 11;
  const std::vector<std::string> span = absl::StrSplit(years, "..");
  if (span.size() != 2 || !absl::SimpleAtoi(span[0], &gen.first_year) ||
      !absl::SimpleAtoi(span[1], &gen.last_year)) {
    Die("--years must be FIRST..LAST");
  }
  if (report_year == 0) report_year = gen.last_year - 1;
  const std::string store_dir = dir + "/ogi";
  if (!reuse) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  } else if (!std::filesystem::exists(store_dir) ||
             !std::filesystem::exists(dir + "/events.sqlite")) {
    Die("--reuse: no stores in " + dir);
  }

  // 1. Load both.
  sqlite3* sql = nullptr;
  if (sqlite3_open((dir + "/events.sqlite").c_str(), &sql) != SQLITE_OK)
    Die("cannot open sqlite");
  Sql(sql, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  uint64_t events = 0;
  double ogi_load_seconds = 0;
  if (reuse) {
    sqlite3_stmt* count = nullptr;
    sqlite3_prepare_v2(sql, "SELECT count(*) FROM events", -1, &count, nullptr);
    if (sqlite3_step(count) != SQLITE_ROW) Die(sqlite3_errmsg(sql));
    events = static_cast<uint64_t>(sqlite3_column_int64(count, 0));
    sqlite3_finalize(count);
  } else {
    Sql(sql,
        "CREATE TABLE events (position INTEGER PRIMARY KEY, case_id TEXT, "
        "agency_id TEXT, occurred_on TEXT, "
        "type TEXT, category TEXT, outcome TEXT, target_version INTEGER, "
        "payload BLOB)");
    Sql(sql, "BEGIN");
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(sql, "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?)", -1,
                       &insert, nullptr);
    {
      auto store = ogi::EventStore::Open({.path = store_dir});
      if (!store.ok()) Die(std::string(store.status().message()));
      std::vector<ogi::v1::Event> batch;
      auto flush = [&] {
        const absl::Time start = absl::Now();
        auto appended = (*store)->Append(std::move(batch));
        if (!appended.ok()) Die(std::string(appended.status().message()));
        ogi_load_seconds += absl::ToDoubleSeconds(absl::Now() - start);
        batch.clear();
      };
      ogi::GenerateLog(gen, [&](absl::string_view line) {
        auto e = ogi::ParseEventJson(line, ogi::EngineFields::kRefuse);
        if (!e.ok()) Die(std::string(e.status().message()));
        ++events;
        std::string category, outcome;
        int64_t target = 0;
        if (e->has_received())
          category = ogi::v1::Applicant::Category_Name(
              e->received().applicant().category());
        if (e->has_answered())
          outcome = ogi::v1::Answered::Outcome_Name(e->answered().outcome());
        if (e->has_amended() && e->amended().has_received()) {
          target = e->amended().version();
          category = ogi::v1::Applicant::Category_Name(
              e->amended().received().applicant().category());
        }
        const std::string type(e->payload_case() ==
                                       ogi::v1::Event::PAYLOAD_NOT_SET
                                   ? "?"
                                   : e->GetDescriptor()
                                         ->FindFieldByNumber(e->payload_case())
                                         ->json_name());
        sqlite3_bind_int64(insert, 1, static_cast<int64_t>(events));
        sqlite3_bind_text(insert, 2, e->case_id().c_str(), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, e->agency_id().c_str(), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, e->occurred_on().c_str(), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, type.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 6, category.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 7, outcome.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 8, target);
        sqlite3_bind_blob(insert, 9, line.data(), static_cast<int>(line.size()),
                          SQLITE_TRANSIENT);
        if (sqlite3_step(insert) != SQLITE_DONE) Die(sqlite3_errmsg(sql));
        sqlite3_reset(insert);
        batch.push_back(*std::move(e));
        if (batch.size() == 10000) flush();
      });
      if (!batch.empty()) flush();
    }
    sqlite3_finalize(insert);
    Sql(sql, "COMMIT");
    Sql(sql, "CREATE INDEX events_type_date ON events (type, occurred_on)");
    Sql(sql, "CREATE INDEX events_case_type ON events (case_id, type)");
    Sql(sql, "ANALYZE");
  }
  std::fprintf(stderr, "bench_report: %llu events %s\n",
               static_cast<unsigned long long>(events),
               reuse ? "reused" : "loaded");

  // 2. Full rebuild: no index file, so `ogi report` folds the whole log.
  const std::vector<std::string> report = {
      ogi_binary, "--db",     store_dir,
      "report",   "--year",   std::to_string(report_year),
      "--agency", "gov-root", "--rollup",
      "--format", "csv"};
  std::filesystem::remove(store_dir + "/ogi-report-index.pb");
  const ChildRun rebuild = RunChild(report);

  // 3. One year's report, cold process, index present (reports never write
  // it: `ogi reindex` saves it, unmeasured).
  (void)RunChild({ogi_binary, "--db", store_dir, "reindex"});
  ChildRun best = RunChild(report);
  for (int i = 0; i < 4; ++i) {
    ChildRun run = RunChild(report);
    if (run.seconds < best.seconds) best = run;
  }

  // 4. SQLite, warm, best of 3; the numbers must agree (the query and the CSV
  // reading are tools/bench's).
  sqlite3_close(sql);
  auto sql_part =
      ogi::SqlitePartThreeOf(dir + "/events.sqlite", report_year, 3);
  if (!sql_part.ok()) Die(std::string(sql_part.status().message()));
  const double sql_best = absl::ToDoubleSeconds(sql_part->best);
  const ogi::PartThreeCells ogi_cells = ogi::CsvPartThree(best.out);
  const bool agree = ogi_cells == sql_part->cells;

  std::printf("| figure | ogi | SQLite | SQLite / ogi |\n|---|---|---|---|\n");
  std::printf("| events (%d..%d, %lld cases/year, 20 agencies) | %llu | | |\n",
              gen.first_year, gen.last_year,
              static_cast<long long>(cases_per_year),
              static_cast<unsigned long long>(events));
  if (!reuse) {
    std::printf(
        "| load: ogi Append in batches of 10,000, events/s | %.0f | | |\n",
        events / ogi_load_seconds);
  }
  std::printf(
      "| full rebuild (cold process, whole log folded), events/s | %.0f | | "
      "|\n",
      events / rebuild.seconds);
  std::printf("| full rebuild peak RSS | %.0f MiB | | |\n",
              rebuild.max_rss_kb / 1024.0);
  std::printf(
      "| %d part 三, roll-up of 20 agencies, ms | %.1f (cold process) | %.1f "
      "(warm) | %.0f |\n",
      report_year, best.seconds * 1000, sql_best * 1000,
      sql_best / best.seconds);
  std::printf("| part 三 cells identical | %s (%zu nonzero cells) | | |\n",
              agree ? "yes" : "NO", ogi_cells.size());
  return agree ? 0 : 1;
}
