// The SQLite side of tools/bench; see bench_sqlite.h. Tested by the
// bench_quick ctest, whose cross-check fails if the load or the part 三 query
// drifts from ogi's counting.
#include "tools/bench_sqlite.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <sqlite3.h>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

#include "engine/status_macros.h"

namespace ogi {
namespace {

constexpr int kBatchRows = 10000;

// Columns from the JSON line (?1), position ?2 (NULL: the next rowid). The
// payload is the envelope's only object-valued member (recordedAt is a
// string), so its key is the event's type, as in ogi's JSON.
constexpr char kInsert[] = R"(
  INSERT INTO events VALUES (?2,
    json_extract(?1, '$.caseId'), json_extract(?1, '$.agencyId'),
    json_extract(?1, '$.occurredOn'),
    (SELECT key FROM json_each(?1) WHERE type = 'object'),
    coalesce(json_extract(?1, '$.received.applicant.category'),
             json_extract(?1, '$.amended.received.applicant.category')),
    json_extract(?1, '$.answered.outcome'),
    json_extract(?1, '$.amended.version'),
    ?1))";

constexpr char kSchema[] = R"(
  CREATE TABLE events (position INTEGER PRIMARY KEY, case_id TEXT,
    agency_id TEXT, occurred_on TEXT, type TEXT, category TEXT, outcome TEXT,
    target_version INTEGER, payload TEXT))";

constexpr char kIndexes[] = R"(
  CREATE INDEX events_type_date ON events (type, occurred_on);
  CREATE INDEX events_case_type ON events (case_id, type))";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

absl::Status Error(sqlite3* db, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("sqlite: ", what, ": ", sqlite3_errmsg(db)));
}

enum class Mode { kOpen, kCreate };

absl::StatusOr<Db> OpenDb(const std::string& path, Mode mode) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                    (mode == Mode::kCreate ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return Error(raw, absl::StrCat("cannot open ", path));
  return db;
}

absl::Status Exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message == nullptr ? "?" : message;
    sqlite3_free(message);
    return absl::InternalError(
        absl::StrCat("sqlite: ", text, " in ", sql.substr(0, 60)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Stmt> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw,
                         nullptr) != SQLITE_OK) {
    return Error(db, "prepare");
  }
  return Stmt(raw);
}

absl::StatusOr<Db> CreateDb(const std::string& path) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(path, Mode::kCreate));
  OGI_RETURN_IF_ERROR(
      Exec(db.get(), "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"));
  OGI_RETURN_IF_ERROR(Exec(db.get(), kSchema));
  return db;
}

// Inserts one line through the prepared kInsert; position 0 means NULL.
absl::Status InsertLine(sqlite3* db, sqlite3_stmt* insert,
                        absl::string_view line, int64_t position) {
  sqlite3_bind_text(insert, 1, line.data(), static_cast<int>(line.size()),
                    SQLITE_STATIC);
  if (position > 0) {
    sqlite3_bind_int64(insert, 2, position);
  } else {
    sqlite3_bind_null(insert, 2);
  }
  const int rc = sqlite3_step(insert);
  sqlite3_reset(insert);
  sqlite3_clear_bindings(insert);
  if (rc != SQLITE_DONE) return Error(db, "insert");
  return absl::OkStatus();
}

// Part 三 by SQL: a case's column is its latest corrected category, its row
// the answer's outcome (a withdrawal counts as other handling). The
// generator's amendments only correct `received` categories, so this is the
// whole rule set for its logs (docs/REPORT.md has ogi's).
std::string PartThreeSql(int year) {
  const std::string jan1 = absl::StrCat("'", year, "-01-01'");
  const std::string dec31 = absl::StrCat("'", year, "-12-31'");
  return absl::StrCat(R"(
    WITH c AS (
      SELECT r.case_id AS case_id, r.occurred_on AS received_on,
             COALESCE((SELECT a.category FROM events a
                        WHERE a.case_id = r.case_id AND a.type = 'amended'
                          AND a.target_version = 1
                        ORDER BY a.position DESC LIMIT 1), r.category)
               AS category,
             k.occurred_on AS concluded_on,
             CASE WHEN k.type = 'withdrawn' THEN 'OTHER_HANDLING'
                  ELSE k.outcome END AS outcome
        FROM events r
        LEFT JOIN events k ON k.case_id = r.case_id
                          AND k.type IN ('answered', 'withdrawn')
       WHERE r.type = 'received' AND r.occurred_on <= )",
                      dec31, R"(
         AND (k.occurred_on IS NULL OR k.occurred_on >= )",
                      jan1, R"())
    SELECT 'new', category, count(*) FROM c WHERE received_on >= )",
                      jan1, R"( GROUP BY 2
    UNION ALL SELECT 'carried_in', category, count(*) FROM c
               WHERE received_on < )",
                      jan1, R"( GROUP BY 2
    UNION ALL SELECT outcome, category, count(*) FROM c
               WHERE concluded_on <= )",
                      dec31, R"( GROUP BY 1, 2
    UNION ALL SELECT 'carried_out', category, count(*) FROM c
               WHERE concluded_on IS NULL OR concluded_on > )",
                      dec31, " GROUP BY 2");
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

}  // namespace

absl::StatusOr<uint64_t> SqliteLoad(const std::string& db_path,
                                    const std::string& log_path) {
  OGI_ASSIGN_OR_RETURN(Db db, CreateDb(db_path));
  OGI_ASSIGN_OR_RETURN(Stmt insert, Prepare(db.get(), kInsert));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> log(
      std::fopen(log_path.c_str(), "rb"), &std::fclose);
  if (log == nullptr) return absl::NotFoundError("cannot read " + log_path);
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t length;
  int64_t rows = 0;
  absl::Status status = Exec(db.get(), "BEGIN");
  while (status.ok() && (length = getline(&buffer, &capacity, log.get())) > 0) {
    absl::string_view line(buffer, static_cast<size_t>(length));
    if (line.back() == '\n') line.remove_suffix(1);
    if (line.empty()) continue;
    status = InsertLine(db.get(), insert.get(), line, ++rows);
    if (status.ok() && rows % kBatchRows == 0) {
      status = Exec(db.get(), "COMMIT; BEGIN");
    }
  }
  std::free(buffer);
  OGI_RETURN_IF_ERROR(status);
  OGI_RETURN_IF_ERROR(Exec(db.get(), "COMMIT"));
  OGI_RETURN_IF_ERROR(Exec(db.get(), kIndexes));
  OGI_RETURN_IF_ERROR(Exec(db.get(), "ANALYZE"));
  return static_cast<uint64_t>(rows);
}

absl::StatusOr<uint64_t> SqliteRows(const std::string& db_path) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(Stmt count,
                       Prepare(db.get(), "SELECT count(*) FROM events"));
  if (sqlite3_step(count.get()) != SQLITE_ROW) return Error(db.get(), "count");
  return static_cast<uint64_t>(sqlite3_column_int64(count.get(), 0));
}

absl::StatusOr<uint64_t> SqliteScan(const std::string& db_path) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(
      Stmt scan,
      Prepare(
          db.get(),
          "SELECT position, case_id, agency_id, occurred_on, type, category, "
          "outcome, target_version, payload FROM events ORDER BY position"));
  uint64_t rows = 0;
  uint64_t bytes = 0;
  int rc;
  while ((rc = sqlite3_step(scan.get())) == SQLITE_ROW) {
    ++rows;
    for (int column = 0; column < 9; ++column) {
      if (sqlite3_column_type(scan.get(), column) == SQLITE_INTEGER) {
        bytes +=
            static_cast<uint64_t>(sqlite3_column_int64(scan.get(), column));
      } else if (sqlite3_column_text(scan.get(), column) != nullptr) {
        bytes +=
            static_cast<uint64_t>(sqlite3_column_bytes(scan.get(), column));
      }
    }
  }
  if (rc != SQLITE_DONE) return Error(db.get(), "scan");
  if (bytes == 0 && rows > 0) return absl::InternalError("sqlite: empty scan");
  return rows;
}

absl::StatusOr<SqlitePartThree> SqlitePartThreeOf(const std::string& db_path,
                                                  int year, int repeats) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(Stmt query, Prepare(db.get(), PartThreeSql(year)));
  SqlitePartThree result;
  result.best = absl::InfiniteDuration();
  for (int i = 0; i < repeats; ++i) {
    const absl::Time start = absl::Now();
    PartThreeCells cells;
    int rc;
    while ((rc = sqlite3_step(query.get())) == SQLITE_ROW) {
      std::string row = ColumnText(query.get(), 0);
      const std::string category =
          absl::AsciiStrToLower(ColumnText(query.get(), 1));
      if (row != "new" && row != "carried_in" && row != "carried_out") {
        row = absl::AsciiStrToLower(row);
      }
      cells[absl::StrCat(row, ",", category)] +=
          sqlite3_column_int64(query.get(), 2);
    }
    sqlite3_reset(query.get());
    if (rc != SQLITE_DONE) return Error(db.get(), "part 三");
    result.best = std::min(result.best, absl::Now() - start);
    std::erase_if(cells, [](const auto& cell) { return cell.second == 0; });
    result.cells = std::move(cells);
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> SqliteSampleCases(
    const std::string& db_path, int n, uint64_t seed) {
  OGI_ASSIGN_OR_RETURN(uint64_t rows, SqliteRows(db_path));
  if (rows == 0) return absl::NotFoundError("sqlite: no events to sample");
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(
      Stmt at,
      Prepare(db.get(), "SELECT case_id FROM events WHERE position = ?"));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> position(1,
                                                  static_cast<int64_t>(rows));
  std::vector<std::string> cases;
  for (int tries = 0; static_cast<int>(cases.size()) < n && tries < 100 * n;
       ++tries) {
    sqlite3_bind_int64(at.get(), 1, position(random));
    if (sqlite3_step(at.get()) == SQLITE_ROW &&
        sqlite3_column_type(at.get(), 0) == SQLITE_TEXT) {
      cases.push_back(ColumnText(at.get(), 0));
    }
    sqlite3_reset(at.get());
  }
  if (static_cast<int>(cases.size()) < n) {
    return absl::NotFoundError("sqlite: too few case events to sample");
  }
  return cases;
}

namespace {

// Returns the time to read one case's events through `history`.
absl::StatusOr<absl::Duration> ReadCase(sqlite3* db, sqlite3_stmt* history,
                                        const std::string& id) {
  const absl::Time start = absl::Now();
  sqlite3_bind_text(history, 1, id.data(), static_cast<int>(id.size()),
                    SQLITE_STATIC);
  int events = 0;
  uint64_t bytes = 0;
  int rc;
  while ((rc = sqlite3_step(history)) == SQLITE_ROW) {
    ++events;
    sqlite3_column_text(history, 0);
    bytes += static_cast<uint64_t>(sqlite3_column_bytes(history, 0));
  }
  sqlite3_reset(history);
  const absl::Duration elapsed = absl::Now() - start;
  if (rc != SQLITE_DONE) return Error(db, "history");
  if (events == 0 || bytes == 0) {
    return absl::NotFoundError(absl::StrCat("sqlite: no events of ", id));
  }
  return elapsed;
}

}  // namespace

absl::StatusOr<std::vector<double>> SqliteHistory(
    const std::string& db_path, const std::vector<std::string>& warmup,
    const std::vector<std::string>& cases) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(
      Stmt history,
      Prepare(
          db.get(),
          "SELECT payload FROM events WHERE case_id = ? ORDER BY position"));
  for (const std::string& id : warmup) {
    OGI_RETURN_IF_ERROR(ReadCase(db.get(), history.get(), id).status());
  }
  std::vector<double> latencies_ms;
  latencies_ms.reserve(cases.size());
  for (const std::string& id : cases) {
    OGI_ASSIGN_OR_RETURN(const absl::Duration elapsed,
                         ReadCase(db.get(), history.get(), id));
    latencies_ms.push_back(absl::ToDoubleMilliseconds(elapsed));
  }
  return latencies_ms;
}

absl::Status SqliteIntegrityCheck(const std::string& db_path) {
  OGI_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, Mode::kOpen));
  OGI_ASSIGN_OR_RETURN(Stmt check, Prepare(db.get(), "PRAGMA integrity_check"));
  if (sqlite3_step(check.get()) != SQLITE_ROW) {
    return Error(db.get(), "integrity_check");
  }
  const std::string verdict = ColumnText(check.get(), 0);
  if (verdict != "ok") {
    return absl::DataLossError("sqlite integrity_check: " + verdict);
  }
  return absl::OkStatus();
}

absl::StatusOr<double> SqliteAppends(const std::string& db_path, int threads,
                                     absl::Duration duration) {
  OGI_ASSIGN_OR_RETURN(Db db, CreateDb(db_path));
  OGI_RETURN_IF_ERROR(Exec(db.get(), kIndexes));
  OGI_ASSIGN_OR_RETURN(Stmt insert, Prepare(db.get(), kInsert));
  absl::Mutex mu;
  return RunFor(threads, duration, [&](int thread, int64_t i) {
    const std::string line = BenchReceivedLine(thread, i);
    absl::MutexLock lock(&mu);
    return InsertLine(db.get(), insert.get(), line, 0);
  });
}

}  // namespace ogi
