// The report index must give exactly the figures of the replaying report
// (ComputeAnnualReport), whether built in one catch-up, in several, or reopened
// from its file.
#include "projections/report_index.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

#include "engine/json_codec.h"
#include "gen/gen_log.h"
#include "projections/annual_report.h"
#include "projections/report_render.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

// A canonical dump of every figure of a report (the CSV contract plus the fee
// line and provenance).
std::string Dump(const AnnualReport& r) {
  std::string out = absl::StrCat(r.agency_id, " ", r.year, " ", r.agency_name,
                                 " position ", r.position, "\n");
  for (int row = 0; row < kApplicationRows; ++row) {
    absl::StrAppend(&out, ApplicationRowCode(static_cast<AppRow>(row)), ":");
    for (int col = 0; col < kApplicationColumns; ++col)
      absl::StrAppend(&out, " ", r.applications[row][col]);
    absl::StrAppend(&out, "\n");
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    absl::StrAppend(&out, AppealGroupCode(static_cast<AppealGroup>(g)), ":");
    for (int c = 0; c < kAppealColumns; ++c)
      absl::StrAppend(&out, " ", r.appeals[g][c]);
    absl::StrAppend(&out, "\n");
  }
  const ProactiveTable& p = r.proactive;
  absl::StrAppend(
      &out, "regulations ", p.regulations.issued, " ", p.regulations.repealed,
      " ", p.regulations.in_force, "\nnormative ", p.normative_documents.issued,
      " ", p.normative_documents.repealed, " ", p.normative_documents.in_force,
      "\ndecisions ", p.licensing, " ", p.penalty, " ", p.enforcement,
      "\nfees ", p.administrative_fees_fen, "\nfee line ", r.fee_applications,
      " ", r.fee_paid_fen, "\nnarrative ", r.narrative.overview.size(), " ",
      r.narrative.problems.size(), " ", r.narrative.other.size(), "\n");
  return out;
}

std::vector<v1::Event> Generated(uint64_t seed) {
  GenOptions gen;
  gen.agencies = 6;
  gen.first_year = 2020;
  gen.last_year = 2023;
  gen.cases_per_year = 400;
  gen.seed = seed;
  gen.until = absl::CivilDay(2024, 5, 1);
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

// Every agency, alone and rolled up, for every year around the log, from the
// index and from a replay, both as of `as_of`: the same figures, or the same
// refusal.
void ExpectIndexEqualsReplay(EventStore& store, ReportIndex& index,
                             absl::Time as_of = absl::InfiniteFuture()) {
  const std::vector<std::string> agencies = {"gov-root", "dept-001", "dept-002",
                                             "dept-003", "dept-004", "dept-005",
                                             "dept-late"};
  for (const std::string& agency : agencies) {
    for (const Scope scope : {Scope::kAgency, Scope::kRollup}) {
      for (int year = 2019; year <= 2025; ++year) {
        SCOPED_TRACE(absl::StrCat(agency, " ", year,
                                  scope == Scope::kRollup ? " rollup" : "",
                                  " as of ", absl::FormatTime(as_of)));
        ReportRequest request{year, agency, scope};
        request.as_of = as_of;
        absl::StatusOr<AnnualReport> replayed =
            ComputeAnnualReport(store, request);
        absl::StatusOr<AnnualReport> indexed = index.Report(request);
        ASSERT_EQ(indexed.status().code(), replayed.status().code())
            << indexed.status() << " / " << replayed.status();
        if (!replayed.ok()) continue;
        EXPECT_EQ(Dump(*indexed), Dump(*replayed));
        EXPECT_EQ(indexed->chain_link, replayed->chain_link);
        EXPECT_EQ(indexed->recorded_until, replayed->recorded_until);
        EXPECT_EQ(indexed->narrative.overview, replayed->narrative.overview);
      }
    }
  }
}

TEST(ReportIndexTest, RebuildEqualsReplayForEveryAgencyYearAndRollup) {
  for (const uint64_t seed : {1, 2, 3}) {
    // 0: every concluded case is read back from its stream; 64: the recent
    // cache rolls over many times; the default: it holds every case here.
    for (const size_t recent :
         {size_t{0}, size_t{64}, ReportIndex::kDefaultRecentCases}) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, ", recent cases ", recent));
      TestStore t;
      const std::vector<v1::Event> events = Generated(seed);
      AppendAll(*t.store, events, 0, events.size());
      ASSERT_OK_AND_ASSIGN(auto index,
                           ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
      ASSERT_OK_AND_ASSIGN(ReportIndex::CatchUpStats stats,
                           index->CatchUp(recent));
      EXPECT_EQ(stats.events, events.size());
      // Appeals and amendments after conclusion bring their cases back.
      if (recent == 0) {
        EXPECT_GT(stats.cases_loaded, 0u);
        EXPECT_EQ(stats.cases_recalled, 0u);
      } else if (recent == ReportIndex::kDefaultRecentCases) {
        EXPECT_EQ(stats.cases_loaded, 0u);
        EXPECT_GT(stats.cases_recalled, 0u);
      } else {
        EXPECT_GT(stats.cases_loaded, 0u);
        EXPECT_GT(stats.cases_recalled, 0u);
      }
      EXPECT_EQ(index->checkpoint(), t->HeadPosition());
      ExpectIndexEqualsReplay(*t.store, *index);
    }
  }
}

TEST(ReportIndexTest, IncrementalCatchUpsAndReopenEqualTheRebuild) {
  TestStore t;
  const std::vector<v1::Event> events = Generated(7);
  const std::string path = t.dir.Sub("index.pb");
  // Catch up after each third of the log, reopening the index from its file
  // each time; open cases of one catch-up are reloaded from their streams by
  // the next.
  const size_t third = events.size() / 3;
  for (size_t part = 0; part < 3; ++part) {
    AppendAll(*t.store, events, part * third,
              part == 2 ? events.size() : (part + 1) * third);
    ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp());
    EXPECT_EQ(index->checkpoint(), t->HeadPosition());
  }
  ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
  ASSERT_OK_AND_ASSIGN(ReportIndex::CatchUpStats nothing, index->CatchUp());
  EXPECT_EQ(nothing.events, 0u);
  ExpectIndexEqualsReplay(*t.store, *index);
}

// The report as of any instant, from today's figures less the cell table's
// changes after it, equals the replay of the log up to that instant: on a log
// appended in batches an hour apart, with every fifth case entered late (all
// its events in the last batch, so it changes years long reported), and an
// agency renamed, given a narrative and registered under the root late.
TEST(ReportIndexTest, AsOfAnyInstantEqualsTheReplayUpToIt) {
  for (const uint64_t seed : {4, 5}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    TestStore t;
    std::vector<v1::Event> on_time, late;
    for (v1::Event& event : Generated(seed)) {
      const bool held = !event.case_id().empty() &&
                        std::hash<std::string>()(event.case_id()) % 5 == 0;
      (held ? late : on_time).push_back(std::move(event));
    }
    ASSERT_FALSE(late.empty());
    late.push_back(testing::Ev(
        R"({"agencyId":"dept-001","occurredOn":"2024-05-01","agencyRenamed":{"name":"改名后的部门"}})"));
    late.push_back(testing::Ev(
        R"({"agencyId":"gov-root","occurredOn":"2024-05-01","narrativeSet":{"year":2022,"section":"OVERVIEW","text":"补写的概述"}})"));
    late.push_back(testing::RegisterAgency("dept-late", "gov-root"));
    late.push_back(testing::Receive("LATE-1", "dept-late", "2021-03-01"));
    late.push_back(testing::CaseEvent("LATE-1", "2022-02-01",
                                      R"("answered":{"outcome":"DISCLOSED"})"));

    std::vector<absl::Time> instants = {t.clock.Now() - absl::Seconds(1)};
    const size_t quarter = on_time.size() / 4;
    for (size_t part = 0; part < 5; ++part) {
      t.clock.Advance(absl::Hours(1));
      instants.push_back(t.clock.Now() - absl::Seconds(1));
      if (part < 4) {
        AppendAll(*t.store, on_time, part * quarter,
                  part == 3 ? on_time.size() : (part + 1) * quarter);
      } else {
        AppendAll(*t.store, late, 0, late.size());
      }
      instants.push_back(t.clock.Now());  // the batch's own recordedAt
    }
    instants.push_back(absl::InfiniteFuture());
    ASSERT_OK_AND_ASSIGN(auto index,
                         ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
    ASSERT_OK(index->CatchUp());
    for (const absl::Time as_of : instants)
      ExpectIndexEqualsReplay(*t.store, *index, as_of);
  }
}

TEST(ReportIndexTest, AmendmentOfAConcludedCaseMovesItsCountsInEveryYear) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("a1")}));
  ASSERT_OK(
      t->Append({testing::Receive("C1", "a1", "2022-12-30"),
                 testing::CaseEvent("C1", "2023-01-05",
                                    R"("answered":{"outcome":"DISCLOSED"})")}));
  ASSERT_OK_AND_ASSIGN(auto index,
                       ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
  ASSERT_OK(index->CatchUp());
  ASSERT_OK(t->Append({testing::CaseEvent(
      "C1", "2024-02-01",
      R"("amended":{"version":1,"reason":"录入错误","received":{"applicant":{"category":"LEGAL_SERVICE_AGENCY"}}})")}));
  ASSERT_OK_AND_ASSIGN(ReportIndex::CatchUpStats stats, index->CatchUp());
  EXPECT_EQ(stats.cases_loaded, 1u);
  const int legal = 4;
  ASSERT_OK_AND_ASSIGN(AnnualReport y2022, index->Report({2022, "a1"}));
  EXPECT_EQ(y2022.cell(AppRow::kNew, legal), 1);
  EXPECT_EQ(y2022.cell(AppRow::kCarriedOut, legal), 1);
  EXPECT_EQ(y2022.cell(AppRow::kNew, 0), 0);
  ASSERT_OK_AND_ASSIGN(AnnualReport y2023, index->Report({2023, "a1"}));
  EXPECT_EQ(y2023.cell(AppRow::kCarriedIn, legal), 1);
  EXPECT_EQ(y2023.cell(AppRow::kDisclosed, legal), 1);
  EXPECT_EQ(y2023.cell(AppRow::kCarriedOut, legal), 0);
}

TEST(ReportIndexTest, DocumentLifecyclesMatchTheReplayInEveryYear) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("a1")}));
  auto doc = [](absl::string_view date, absl::string_view payload) {
    return testing::Ev(absl::StrCat(R"({"agencyId":"a1","occurredOn":")", date,
                                    R"(",)", payload, "}"));
  };
  ASSERT_OK(t->Append({
      doc("2020-03-01",
          R"("documentIssued":{"documentId":"R1","kind":"REGULATION"})"),
      doc("2020-05-01",
          R"("documentIssued":{"documentId":"N1","kind":"NORMATIVE_DOCUMENT","validUntil":"2021-12-30"})"),
      doc("2020-05-01",
          R"("documentIssued":{"documentId":"N2","kind":"NORMATIVE_DOCUMENT","validUntil":"2021-12-31"})"),
      doc("2021-02-01",
          R"("documentIssued":{"documentId":"N3","kind":"NORMATIVE_DOCUMENT"})"),
      doc("2022-06-01", R"("documentExpired":{"documentId":"N3"})"),
      doc("2022-07-01", R"("documentRepealed":{"documentId":"N2"})"),
      doc("2023-01-01", R"("documentRepealed":{"documentId":"R1"})"),
  }));
  ASSERT_OK_AND_ASSIGN(auto index,
                       ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
  ASSERT_OK(index->CatchUp());
  for (int year = 2019; year <= 2024; ++year) {
    SCOPED_TRACE(year);
    ASSERT_OK_AND_ASSIGN(AnnualReport replayed,
                         ComputeAnnualReport(*t.store, {year, "a1"}));
    ASSERT_OK_AND_ASSIGN(AnnualReport indexed, index->Report({year, "a1"}));
    EXPECT_EQ(Dump(indexed), Dump(replayed));
  }
  // N1 ends on 2021-12-31 (the day after validUntil), N2 on 2022-01-01.
  ASSERT_OK_AND_ASSIGN(AnnualReport y2021, index->Report({2021, "a1"}));
  EXPECT_EQ(y2021.proactive.normative_documents.in_force, 2);  // N2, N3
  ASSERT_OK_AND_ASSIGN(AnnualReport y2022, index->Report({2022, "a1"}));
  EXPECT_EQ(y2022.proactive.normative_documents.in_force, 0);
  EXPECT_EQ(y2022.proactive.normative_documents.repealed,
            1);  // N2, though it had already expired
}

TEST(ReportIndexTest, FeesPaidInTwoYearsCountInEachLikeTheReplay) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("a1")}));
  ASSERT_OK(t->Append({
      testing::Receive("C1", "a1", "2022-11-01"),
      testing::CaseEvent(
          "C1", "2022-11-03",
          R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":10000})"),
      testing::CaseEvent("C1", "2022-11-20",
                         R"("feePaid":{"amountFen":10000})"),
      testing::CaseEvent(
          "C1", "2022-12-20",
          R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":20000})"),
      testing::CaseEvent("C1", "2023-01-05",
                         R"("feePaid":{"amountFen":20000})"),
  }));
  ASSERT_OK_AND_ASSIGN(auto index,
                       ReportIndex::Open(*t.store, t.dir.Sub("index.pb")));
  ASSERT_OK(index->CatchUp());
  for (int year : {2022, 2023}) {
    SCOPED_TRACE(year);
    ASSERT_OK_AND_ASSIGN(AnnualReport replayed,
                         ComputeAnnualReport(*t.store, {year, "a1"}));
    ASSERT_OK_AND_ASSIGN(AnnualReport indexed, index->Report({year, "a1"}));
    EXPECT_EQ(Dump(indexed), Dump(replayed));
    EXPECT_EQ(indexed.fee_applications, 1);
    EXPECT_EQ(indexed.fee_paid_fen, year == 2022 ? 10000 : 20000);
  }
}

TEST(ReportIndexTest, RefusesAgenciesUnknownThenOrNowAndADamagedFile) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("a1")}));
  const std::string path = t.dir.Sub("index.pb");
  ASSERT_OK_AND_ASSIGN(auto index, ReportIndex::Open(*t.store, path));
  ASSERT_OK(index->CatchUp());
  // Before its registration, the agency is unknown.
  ReportRequest past{2023, "a1"};
  past.as_of = absl::FromUnixSeconds(0);
  EXPECT_THAT(index->Report(past), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(index->Report({2023, "nope"}),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(index->Report({0, "a1"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("\xff\xff\xff garbage", f);
  std::fclose(f);
  EXPECT_THAT(ReportIndex::Open(*t.store, path),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ogi
