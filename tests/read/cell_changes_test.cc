// The changes of a cell since an instant (ChangesOfCell) are the same cases,
// counted the same, from the report index's change log as from two replays.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

#include "engine/json_codec.h"
#include "gen/gen_log.h"
#include "read/reports.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::TestStore;

std::string Dump(const CellChanges& changes) {
  std::string out =
      absl::StrCat("since ", changes.since, " total ", changes.total, "\n");
  for (const CellChange& c : changes.changes) {
    absl::StrAppend(&out, c.event.agency_id, " ", c.event.case_id, " ",
                    c.then_count, "->", c.now_count);
    // A case that entered comes with the event that put it there.
    if (c.now_count > c.then_count)
      absl::StrAppend(&out, " ", c.event.step, " v", c.event.version, " @",
                      c.event.position, " ", c.event.occurred_on);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

TEST(CellChangesTest, TheIndexAndTheReplayFindTheSameChanges) {
  TestStore t;
  GenOptions gen;
  gen.agencies = 4;
  gen.first_year = 2021;
  gen.last_year = 2023;
  gen.cases_per_year = 80;
  gen.seed = 17;
  gen.until = absl::CivilDay(2024, 3, 1);
  std::vector<v1::Event> on_time, late;
  GenerateLog(gen, [&](absl::string_view line) {
    absl::StatusOr<v1::Event> event =
        ParseEventJson(line, EngineFields::kRefuse);
    ASSERT_TRUE(event.ok()) << event.status();
    const bool held = !event->case_id().empty() &&
                      std::hash<std::string>()(event->case_id()) % 4 == 0;
    (held ? late : on_time).push_back(*std::move(event));
  });
  ASSERT_OK(t->Append(on_time).status());
  const absl::Time published = t.clock.Now();
  t.clock.Advance(absl::Hours(1));
  ASSERT_OK(t->Append(late).status());
  ReportOptions index;
  index.index_path = t.dir.Sub("index.pb");
  int changed = 0;
  for (const char* row : {"new", "carried_in", "carried_out", "disclosed",
                          "unavailable_not_held", "results_total"}) {
    for (const char* column : {"total", "natural_person"}) {
      for (int year = 2021; year <= 2024; ++year) {
        SCOPED_TRACE(absl::StrCat(row, "/", column, " ", year));
        ReportRequest request{year, "gov-root", Scope::kRollup};
        request.as_of = published;
        ASSERT_OK_AND_ASSIGN(
            const CellChanges indexed,
            ChangesOfCell(*t.store, request, row, column, index));
        ASSERT_OK_AND_ASSIGN(const CellChanges replayed,
                             ChangesOfCell(*t.store, request, row, column));
        EXPECT_TRUE(indexed.from_index);
        EXPECT_FALSE(replayed.from_index);
        EXPECT_EQ(Dump(indexed), Dump(replayed));
        changed += static_cast<int>(indexed.total);
      }
    }
  }
  EXPECT_GT(changed, 0);
}

}  // namespace
}  // namespace ogi
