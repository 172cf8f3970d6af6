// The report index's cell table must list exactly the cases the replay lists
// behind every cell (CasesInCell), as many as the report counts, however it
// was built: in one catch-up, in several, after a crash left it ahead of the
// figures, or rebuilt when it went missing.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

#include "engine/json_codec.h"
#include "gen/gen_log.h"
#include "projections/annual_report.h"
#include "projections/report_index.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

std::vector<v1::Event> Generated(uint64_t seed, int cases_per_year) {
  GenOptions gen;
  gen.agencies = 4;
  gen.first_year = 2020;
  gen.last_year = 2023;
  gen.cases_per_year = cases_per_year;
  gen.seed = seed;
  gen.until = absl::CivilDay(2023, 12, 20);  // December's cases still open
  std::vector<v1::Event> events;
  GenerateLog(gen, [&](absl::string_view line) {
    auto event = ParseEventJson(line, EngineFields::kRefuse);
    EXPECT_TRUE(event.ok()) << event.status();
    if (event.ok()) events.push_back(*std::move(event));
  });
  return events;
}

void AppendAll(EventStore& store, const std::vector<v1::Event>& events,
               size_t from, size_t to) {
  for (size_t i = from; i < to; i += 1000) {
    std::vector<v1::Event> batch(events.begin() + i,
                                 events.begin() + std::min(to, i + 1000));
    ASSERT_OK(store.Append(std::move(batch)));
  }
}

struct Cell {
  std::string section, row, column;
};

// Every cell of parts 三 and 四.
std::vector<Cell> AllCells() {
  std::vector<Cell> cells;
  for (int r = 0; r < kApplicationRows; ++r) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      cells.push_back({"applications",
                       std::string(ApplicationRowCode(static_cast<AppRow>(r))),
                       std::string(ApplicationColumnCode(c))});
    }
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int c = 0; c < kAppealColumns; ++c) {
      cells.push_back(
          {"appeals", std::string(AppealGroupCode(static_cast<AppealGroup>(g))),
           std::string(AppealColumnCode(static_cast<AppealColumn>(c)))});
    }
  }
  return cells;
}

// The report's figure for a cell.
int64_t Figure(const AnnualReport& r, const Cell& cell) {
  for (int row = 0; row < kApplicationRows; ++row) {
    for (int col = 0; col < kApplicationColumns; ++col) {
      if (cell.section == "applications" &&
          ApplicationRowCode(static_cast<AppRow>(row)) == cell.row &&
          ApplicationColumnCode(col) == cell.column)
        return r.applications[row][col];
    }
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int c = 0; c < kAppealColumns; ++c) {
      if (cell.section == "appeals" &&
          AppealGroupCode(static_cast<AppealGroup>(g)) == cell.row &&
          AppealColumnCode(static_cast<AppealColumn>(c)) == cell.column)
        return r.appeals[g][c];
    }
  }
  ADD_FAILURE() << "no cell " << cell.row << "/" << cell.column;
  return -1;
}

std::string Dump(const std::vector<ReportIndex::CellEntry>& entries) {
  std::string out;
  for (const auto& e : entries)
    absl::StrAppend(&out, e.agency_id, " ", e.case_id, " v", e.version, "\n");
  return out;
}

std::string Dump(const std::vector<CaseInCell>& cases) {
  std::string out;
  for (const auto& c : cases)
    absl::StrAppend(&out, c.agency_id, " ", c.case_id, " v", c.version, "\n");
  return out;
}

const std::vector<std::string> kAgencies = {"gov-root", "dept-001", "dept-002",
                                            "dept-003"};

// For every agency alone and rolled up, every year around the log and every
// cell: as many cases as the report counts (which report_index_test.cc shows
// equal to the replay's figures).
void ExpectCountsEqualTheReport(ReportIndex& index,
                                absl::Time as_of = absl::InfiniteFuture()) {
  const std::vector<Cell> cells = AllCells();
  for (const std::string& agency : kAgencies) {
    for (const Scope scope : {Scope::kAgency, Scope::kRollup}) {
      for (int year = 2019; year <= 2025; ++year) {
        ReportRequest request{year, agency, scope};
        request.as_of = as_of;
        ASSERT_OK_AND_ASSIGN(const AnnualReport report, index.Report(request));
        for (const Cell& cell : cells) {
          SCOPED_TRACE(absl::StrCat(agency, " ", year,
                                    scope == Scope::kRollup ? " rollup " : " ",
                                    cell.row, "/", cell.column));
          ASSERT_OK_AND_ASSIGN(
              const ReportIndex::CellPage entries,
              index.CellEntries(request, cell.section, cell.row, cell.column));
          EXPECT_EQ(static_cast<int64_t>(entries.total), Figure(report, cell));
          EXPECT_EQ(entries.entries.size(), entries.total);
        }
      }
    }
  }
}

// The same cases as the replay, cell by cell (the replay costs a pass over
// the log per cell: the total column and one other per row).
void ExpectCasesEqualTheReplay(EventStore& store, ReportIndex& index,
                               absl::Time as_of = absl::InfiniteFuture()) {
  int n = 0;
  for (const Cell& cell : AllCells()) {
    const bool total = cell.column == "total";
    if (!total && (n++ % 6) != 0) continue;
    for (const auto& [agency, scope] :
         {std::pair{std::string("gov-root"), Scope::kRollup},
          std::pair{std::string("dept-002"), Scope::kAgency}}) {
      for (int year = 2020; year <= 2024; ++year) {
        SCOPED_TRACE(absl::StrCat(agency, " ", year, " ", cell.row, "/",
                                  cell.column, " as of ",
                                  absl::FormatTime(as_of)));
        ReportRequest request{year, agency, scope};
        request.as_of = as_of;
        ASSERT_OK_AND_ASSIGN(
            const ReportIndex::CellPage entries,
            index.CellEntries(request, cell.section, cell.row, cell.column));
        ASSERT_OK_AND_ASSIGN(
            const std::vector<CaseInCell> replayed,
            CasesInCell(store, request, cell.section, cell.row, cell.column));
        EXPECT_EQ(Dump(entries.entries), Dump(replayed));
        // Any page of it is that slice of the whole, with the whole's total.
        const size_t n = replayed.size();
        for (const auto& [offset, limit] : {std::pair<size_t, size_t>{0, 1},
                                            {1, 2},
                                            {n / 2, 3},
                                            {n > 0 ? n - 1 : 0, 5},
                                            {n, 1},
                                            {n + 3, 10}}) {
          ASSERT_OK_AND_ASSIGN(
              const ReportIndex::CellPage page,
              index.CellEntries(request, cell.section, cell.row, cell.column,
                                offset, limit));
          EXPECT_EQ(page.total, n);
          const size_t begin = std::min(offset, n);
          const std::vector<CaseInCell> slice(
              replayed.begin() + begin,
              replayed.begin() + std::min(n, begin + limit));
          EXPECT_EQ(Dump(page.entries), Dump(slice)) << offset << "+" << limit;
        }
      }
    }
  }
}

// A cell's changes since `as_of` are the cases whose count differs between
// the cell then and now, each with its versions then and now and the first
// event after the instant that changed it; any page is a slice of them.
void ExpectChangesEqualTheDiff(ReportIndex& index, absl::Time as_of) {
  for (const Cell& cell : AllCells()) {
    for (const auto& [agency, scope] :
         {std::pair{std::string("gov-root"), Scope::kRollup},
          std::pair{std::string("dept-002"), Scope::kAgency}}) {
      for (int year = 2020; year <= 2024; ++year) {
        SCOPED_TRACE(absl::StrCat(agency, " ", year, " ", cell.row, "/",
                                  cell.column, " since ",
                                  absl::FormatTime(as_of)));
        ReportRequest past{year, agency, scope};
        past.as_of = as_of;
        ASSERT_OK_AND_ASSIGN(
            const ReportIndex::CellPage then,
            index.CellEntries(past, cell.section, cell.row, cell.column));
        ASSERT_OK_AND_ASSIGN(
            const ReportIndex::CellPage now,
            index.CellEntries({year, agency, scope}, cell.section, cell.row,
                              cell.column));
        // agency, case -> (count, version) then and now.
        std::map<std::pair<std::string, std::string>,
                 std::pair<std::pair<int, uint32_t>, std::pair<int, uint32_t>>>
            counts;
        for (const auto& e : then.entries) {
          auto& c = counts[{e.agency_id, e.case_id}].first;
          ++c.first;
          c.second = e.version;
        }
        for (const auto& e : now.entries) {
          auto& c = counts[{e.agency_id, e.case_id}].second;
          ++c.first;
          c.second = e.version;
        }
        std::string expected;
        for (const auto& [id, c] : counts) {
          if (c.first.first == c.second.first) continue;
          absl::StrAppend(&expected, id.first, " ", id.second, " ",
                          c.first.first, "->", c.second.first, "\n");
        }
        ASSERT_OK_AND_ASSIGN(
            const ReportIndex::CellChangePage changes,
            index.CellChanges(past, cell.section, cell.row, cell.column));
        std::string got;
        for (const auto& c : changes.changes) {
          absl::StrAppend(&got, c.agency_id, " ", c.case_id, " ", c.then_count,
                          "->", c.now_count, "\n");
          const auto& [was, is] = counts[{c.agency_id, c.case_id}];
          if (was.first == 1) {
            EXPECT_EQ(c.then_version, was.second);
          }
          if (is.first == 1) {
            EXPECT_EQ(c.now_version, is.second);
          }
          EXPECT_GT(c.first_change, changes.since);
          EXPECT_LE(c.first_change, changes.position);
        }
        EXPECT_EQ(got, expected);
        EXPECT_EQ(changes.total, changes.changes.size());
        EXPECT_EQ(changes.since, then.position);
        if (changes.total < 3) continue;
        ASSERT_OK_AND_ASSIGN(
            const ReportIndex::CellChangePage page,
            index.CellChanges(past, cell.section, cell.row, cell.column, 1, 2));
        EXPECT_EQ(page.total, changes.total);
        ASSERT_EQ(page.changes.size(), 2u);
        EXPECT_EQ(page.changes[0].case_id, changes.changes[1].case_id);
        EXPECT_EQ(page.changes[1].case_id, changes.changes[2].case_id);
      }
    }
  }
}

// Every cell's entries, for comparing two indexes.
std::string DumpAll(ReportIndex& index) {
  std::string out;
  for (const Cell& cell : AllCells()) {
    for (int year = 2019; year <= 2025; ++year) {
      auto entries = index.CellEntries({year, "gov-root", Scope::kRollup},
                                       cell.section, cell.row, cell.column);
      EXPECT_TRUE(entries.ok()) << entries.status();
      if (!entries.ok()) return out;
      absl::StrAppend(&out, year, " ", cell.row, "/", cell.column, "\n",
                      Dump(entries->entries));
    }
  }
  return out;
}

TEST(CellTableTest, EveryCellListsTheReplaysCasesAsManyAsTheReportCounts) {
  for (const uint64_t seed : {1, 2}) {
    // 0: concluded cases are read back from their streams; the default: the
    // recent cache holds them.
    for (const size_t recent : {size_t{0}, ReportIndex::kDefaultRecentCases}) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, ", recent ", recent));
      TestStore t;
      const std::vector<v1::Event> events = Generated(seed, 60);
      AppendAll(*t.store, events, 0, events.size());
      ASSERT_OK_AND_ASSIGN(auto index,
                           ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
      ASSERT_OK(index->CatchUp(recent).status());
      ExpectCountsEqualTheReport(*index);
      ExpectCasesEqualTheReplay(*t.store, *index);
    }
  }
}

// As of any instant, a cell lists the cases the replay up to that instant
// lists, as many as the report then counts: on a log appended in batches an
// hour apart, with every fifth case entered late (all its events in the last
// batch).
TEST(CellTableTest, AsOfAnyInstantACellListsTheReplaysCases) {
  TestStore t;
  std::vector<v1::Event> on_time, late;
  for (v1::Event& event : Generated(3, 60)) {
    const bool held = !event.case_id().empty() &&
                      std::hash<std::string>()(event.case_id()) % 5 == 0;
    (held ? late : on_time).push_back(std::move(event));
  }
  std::vector<absl::Time> instants;
  const size_t half = on_time.size() / 2;
  for (const auto& [events, from, to] :
       {std::tuple{&on_time, size_t{0}, half},
        std::tuple{&on_time, half, on_time.size()},
        std::tuple{&late, size_t{0}, late.size()}}) {
    t.clock.Advance(absl::Hours(1));
    AppendAll(*t.store, *events, from, to);
    instants.push_back(t.clock.Now());
  }
  ASSERT_OK_AND_ASSIGN(auto index,
                       ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
  ASSERT_OK(index->CatchUp().status());
  for (const absl::Time as_of : instants) {
    ExpectCountsEqualTheReport(*index, as_of);
    ExpectCasesEqualTheReplay(*t.store, *index, as_of);
  }
  for (const absl::Time as_of : instants)
    ExpectChangesEqualTheDiff(*index, as_of);
  // A page says which log position it reflects: the last batch's end is the
  // head; the first's, where the second began.
  ReportRequest first{2021, "gov-root", Scope::kRollup};
  first.as_of = instants[0];
  ASSERT_OK_AND_ASSIGN(
      const ReportIndex::CellPage then,
      index->CellEntries(first, "applications", "new", "total", 0, 1));
  ASSERT_OK_AND_ASSIGN(const AnnualReport report,
                       ComputeAnnualReport(*t.store, first));
  EXPECT_EQ(then.position, report.position);
  EXPECT_LT(then.position, t->HeadPosition());
}

TEST(CellTableTest, CountsHoldOnALargerLog) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(5, 400);
  AppendAll(*t.store, events, 0, events.size());
  ASSERT_OK_AND_ASSIGN(auto index,
                       ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
  ASSERT_OK(index->CatchUp(64).status());
  ExpectCountsEqualTheReport(*index);
}

TEST(CellTableTest, IncrementalCatchUpsEqualTheRebuild) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(7, 80);
  const std::string path = t.dir.Sub("index.pb");
  const size_t third = events.size() / 3;
  for (size_t part = 0; part < 3; ++part) {
    AppendAll(*t.store, events, part * third,
              part == 2 ? events.size() : (part + 1) * third);
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  ASSERT_OK_AND_ASSIGN(auto incremental, ReportIndex::Open(*t.store, path));
  ASSERT_OK(incremental->CatchUp().status());
  ASSERT_OK_AND_ASSIGN(auto rebuilt,
                       ReportIndex::Open(*t.store, t.dir.Sub("fresh.pb")));
  ASSERT_OK(rebuilt->CatchUp().status());
  EXPECT_EQ(DumpAll(*incremental), DumpAll(*rebuilt));
  ExpectCasesEqualTheReplay(*t.store, *incremental);
}

TEST(CellTableTest, ATableAheadOfTheFiguresConvergesAndAMissingOneIsRebuilt) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(9, 80);
  const std::string path = t.dir.Sub("index.pb");
  AppendAll(*t.store, events, 0, events.size() / 2);
  {
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  std::filesystem::copy_file(path, path + ".old");
  AppendAll(*t.store, events, events.size() / 2, events.size());
  {
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  // A crash between the table's commit and the figures' save: the table is
  // ahead of the figures, which fold the second half again.
  std::filesystem::rename(path + ".old", path);
  ASSERT_OK_AND_ASSIGN(auto resumed, ReportIndex::Open(*t.store, path));
  ASSERT_OK_AND_ASSIGN(ReportIndex::CatchUpStats stats, resumed->CatchUp());
  EXPECT_GT(stats.events, 0u);
  ASSERT_OK_AND_ASSIGN(auto fresh,
                       ReportIndex::Open(*t.store, t.dir.Sub("fresh.pb")));
  ASSERT_OK(fresh->CatchUp().status());
  const std::string expected = DumpAll(*fresh);
  EXPECT_EQ(DumpAll(*resumed), expected);
  resumed.reset();

  // The table deleted: the figures are at the head, yet the next catch-up
  // folds the whole log again to rebuild it.
  std::filesystem::remove_all(ReportIndex::CellTablePath(path));
  ASSERT_OK_AND_ASSIGN(auto rebuilt, ReportIndex::Open(*t.store, path));
  ASSERT_OK_AND_ASSIGN(stats, rebuilt->CatchUp());
  EXPECT_EQ(stats.events, t->HeadPosition());
  EXPECT_EQ(DumpAll(*rebuilt), expected);
  ExpectCountsEqualTheReport(*rebuilt);
}

// A table written before the change log (no format key) cannot answer for a
// past instant: a reader does not use it, and the next catch-up that saves
// empties it and folds the whole log again.
TEST(CellTableTest, ATableWithoutTheChangeLogIsRebuilt) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(13, 40);
  const std::string path = t.dir.Sub("index.pb");
  AppendAll(*t.store, events, 0, events.size() / 2);
  const absl::Time between = t.clock.Now();
  t.clock.Advance(absl::Hours(1));
  AppendAll(*t.store, events, events.size() / 2, events.size());
  std::string expected;
  {
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
    expected = DumpAll(*index);
  }
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(),
                                  ReportIndex::CellTablePath(path), &raw)
                    .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(),
                           "\xff"
                           "format")
                    .ok());
  }
  ReportRequest past{2023, "gov-root", Scope::kRollup};
  past.as_of = between;
  {
    ASSERT_OK_AND_ASSIGN(
        auto reader,
        ReportIndex::Open(*t.store, path, ReportIndex::Saving::kInMemory));
    ASSERT_OK(reader->CatchUp().status());
    EXPECT_THAT(reader->CellEntries(past, "applications", "new", "total"),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(reader->Report(past),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_OK(reader->Report({2023, "gov-root", Scope::kRollup}).status());
  }
  ASSERT_OK_AND_ASSIGN(auto rebuilt, ReportIndex::Open(*t.store, path));
  ASSERT_OK_AND_ASSIGN(const ReportIndex::CatchUpStats stats,
                       rebuilt->CatchUp());
  EXPECT_EQ(stats.events, t->HeadPosition());
  EXPECT_EQ(DumpAll(*rebuilt), expected);
  ASSERT_OK_AND_ASSIGN(const AnnualReport then, rebuilt->Report(past));
  ASSERT_OK_AND_ASSIGN(const AnnualReport replayed,
                       ComputeAnnualReport(*t.store, past));
  EXPECT_EQ(then.position, replayed.position);
  EXPECT_EQ(Figure(then, {"applications", "new", "total"}),
            Figure(replayed, {"applications", "new", "total"}));
}

TEST(CellTableTest, AReaderUsesTheTableOnlyWhenItHoldsTheHead) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(11, 40);
  const std::string path = t.dir.Sub("index.pb");
  AppendAll(*t.store, events, 0, events.size() - 10);
  {
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  const ReportRequest request{2023, "gov-root", Scope::kRollup};
  {
    ASSERT_OK_AND_ASSIGN(
        auto reader,
        ReportIndex::Open(*t.store, path, ReportIndex::Saving::kInMemory));
    ASSERT_OK(reader->CatchUp().status());
    EXPECT_OK(
        reader->CellEntries(request, "applications", "new", "total").status());
  }
  const absl::Time between = t.clock.Now();
  t.clock.Advance(absl::Hours(1));
  AppendAll(*t.store, events, events.size() - 10, events.size());
  ASSERT_OK_AND_ASSIGN(
      auto reader,
      ReportIndex::Open(*t.store, path, ReportIndex::Saving::kInMemory));
  ASSERT_OK(reader->CatchUp().status());  // in memory, past the table
  EXPECT_THAT(reader->CellEntries(request, "applications", "new", "total"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Nor as of a past instant (its change log ends where the table does); bad
  // codes are refused.
  ReportRequest past = request;
  past.as_of = between;
  EXPECT_THAT(reader->CellEntries(past, "applications", "new", "total"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(reader->CellEntries(request, "applications", "nope", "total"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      reader->CellEntries({2023, "nope"}, "applications", "new", "total"),
      StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace ogi
