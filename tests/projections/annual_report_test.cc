// Tests of ComputeAnnualReport and CasesInCell: hand-computed fixture logs for
// every counting rule of docs/REPORT.md (P1-P4, A1-A9, B1-B4,
// the fee line), reports as of an earlier instant, the cases behind each cell,
// and properties over logs from the generator (gen/gen_log.h) checked
// against the identities of the spec and a trivial re-count.
#include "projections/annual_report.h"

#include <array>
#include <bit>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"
#include "gen/gen_log.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Ev;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

constexpr const char* kCategories[] = {
    "NATURAL_PERSON",       "COMMERCIAL_ENTERPRISE",
    "RESEARCH_INSTITUTION", "PUBLIC_WELFARE_ORGANIZATION",
    "LEGAL_SERVICE_AGENCY", "OTHER_ORGANIZATION"};

// The 21 answer outcomes in the order of v1::Answered::Outcome (value i + 1).
constexpr const char* kOutcomes[] = {"DISCLOSED",
                                     "PARTIALLY_DISCLOSED",
                                     "WITHHELD_STATE_SECRET",
                                     "WITHHELD_PROHIBITED_BY_LAW",
                                     "WITHHELD_SECURITY_STABILITY",
                                     "WITHHELD_THIRD_PARTY_RIGHTS",
                                     "WITHHELD_INTERNAL_AFFAIRS",
                                     "WITHHELD_PROCESS_INFORMATION",
                                     "WITHHELD_ENFORCEMENT_FILE",
                                     "WITHHELD_ADMINISTRATIVE_INQUIRY",
                                     "UNAVAILABLE_NOT_HELD",
                                     "UNAVAILABLE_NEEDS_CREATION",
                                     "UNAVAILABLE_STILL_UNCLEAR",
                                     "NOT_PROCESSED_PETITION",
                                     "NOT_PROCESSED_DUPLICATE",
                                     "NOT_PROCESSED_PUBLICATION",
                                     "NOT_PROCESSED_EXCESSIVE",
                                     "NOT_PROCESSED_CONFIRMATION",
                                     "OTHER_NO_CORRECTION",
                                     "OTHER_FEE_UNPAID",
                                     "OTHER_HANDLING"};

// ---------------------------------------------------------------------------
// Builders and helpers.

v1::Event ReceiveAs(absl::string_view case_id, absl::string_view agency,
                    absl::string_view date, absl::string_view category) {
  return Ev(absl::StrCat(R"({"caseId":")", case_id, R"(","agencyId":")", agency,
                         R"(","occurredOn":")", date,
                         R"(","received":{"applicant":{"category":")", category,
                         R"(","name":"申请人"},"channel":"POST"}})"));
}

v1::Event Answer(absl::string_view case_id, absl::string_view date,
                 absl::string_view outcome) {
  return CaseEvent(case_id, date,
                   absl::StrCat(R"("answered":{"outcome":")", outcome, "\"}"));
}

v1::Event FileAppeal(absl::string_view case_id, absl::string_view date,
                     absl::string_view appeal_id, absl::string_view kind) {
  return CaseEvent(
      case_id, date,
      absl::StrCat(R"("appealFiled":{"appealId":")", appeal_id, R"(","kind":")",
                   kind, R"(","body":"复议机关"})"));
}

v1::Event DecideAppeal(absl::string_view case_id, absl::string_view date,
                       absl::string_view appeal_id, absl::string_view result) {
  return CaseEvent(case_id, date,
                   absl::StrCat(R"("appealDecided":{"appealId":")", appeal_id,
                                R"(","result":")", result, "\"}"));
}

// Corrects the applicant category of the case's `received` (version 1).
v1::Event AmendCategory(absl::string_view case_id, absl::string_view date,
                        absl::string_view category) {
  return CaseEvent(
      case_id, date,
      absl::StrCat(R"("amended":{"version":1,"reason":"录入错误",)",
                   R"("received":{"applicant":{"category":")", category,
                   R"("}}})"));
}

v1::Event Reanswer(absl::string_view case_id, absl::string_view date,
                   absl::string_view outcome) {
  return CaseEvent(
      case_id, date,
      absl::StrCat(R"("reanswered":{"outcome":")", outcome, "\"}"));
}

v1::Event AgencyEvent(absl::string_view agency, absl::string_view date,
                      absl::string_view payload) {
  return Ev(absl::StrCat(R"({"agencyId":")", agency, R"(","occurredOn":")",
                         date, "\",", payload, "}"));
}

v1::Event Issue(absl::string_view agency, absl::string_view date,
                absl::string_view id, absl::string_view kind,
                absl::string_view valid_until = "") {
  std::string payload =
      absl::StrCat(R"("documentIssued":{"documentId":")", id, R"(","kind":")",
                   kind, R"(","title":"文件)", id, "\"");
  if (!valid_until.empty())
    absl::StrAppend(&payload, R"(,"validUntil":")", valid_until, "\"");
  return AgencyEvent(agency, date, absl::StrCat(payload, "}"));
}

v1::Event Decisions(absl::string_view agency, absl::string_view date,
                    absl::string_view kind, int64_t count) {
  return AgencyEvent(agency, date,
                     absl::StrCat(R"("decisionsRecorded":{"kind":")", kind,
                                  R"(","count":)", count, "}"));
}

v1::Event FeesCollected(absl::string_view agency, absl::string_view date,
                        int64_t fen) {
  return AgencyEvent(
      agency, date, absl::StrCat(R"("feesCollected":{"amountFen":)", fen, "}"));
}

// Appends `events` atomically; returns their positions.
absl::StatusOr<std::vector<uint64_t>> Add(TestStore& t,
                                          std::vector<v1::Event> events) {
  absl::StatusOr<std::vector<AppendedEvent>> appended = t->Append(events);
  if (!appended.ok()) return appended.status();
  std::vector<uint64_t> positions;
  for (const AppendedEvent& a : *appended) positions.push_back(a.position);
  return positions;
}

absl::StatusOr<AnnualReport> Report(EventStore& store, absl::string_view agency,
                                    int year, Scope scope = Scope::kAgency,
                                    absl::Time as_of = absl::InfiniteFuture()) {
  return ComputeAnnualReport(store,
                             ReportRequest{.year = year,
                                           .agency_id = std::string(agency),
                                           .scope = scope,
                                           .as_of = as_of});
}

// The nonzero cells of a report, one line per row: "section row: column=value
// ...". Proactive amounts are in fen. Identifying fields are left out, so a
// roll-up and a sum of reports compare equal.
std::string Dump(const AnnualReport& r) {
  std::string out;
  auto row = [&](absl::string_view section, absl::string_view name,
                 std::vector<std::pair<absl::string_view, int64_t>> cells) {
    std::string line;
    for (const auto& [column, value] : cells) {
      if (value != 0) absl::StrAppend(&line, " ", column, "=", value);
    }
    if (!line.empty())
      absl::StrAppend(&out, section, " ", name, ":", line, "\n");
  };
  auto docs = [&](absl::string_view name, const DocumentCounts& d) {
    row("proactive", name,
        {{"issued", d.issued},
         {"repealed", d.repealed},
         {"in_force", d.in_force}});
  };
  docs("regulations", r.proactive.regulations);
  docs("normative_documents", r.proactive.normative_documents);
  row("proactive", "licensing", {{"decisions", r.proactive.licensing}});
  row("proactive", "penalty", {{"decisions", r.proactive.penalty}});
  row("proactive", "enforcement", {{"decisions", r.proactive.enforcement}});
  row("proactive", "administrative_fees",
      {{"fen", r.proactive.administrative_fees_fen}});
  for (int i = 0; i < kApplicationRows; ++i) {
    std::vector<std::pair<absl::string_view, int64_t>> cells;
    for (int c = 0; c < kApplicationColumns; ++c)
      cells.emplace_back(ApplicationColumnCode(c), r.applications[i][c]);
    row("applications", ApplicationRowCode(static_cast<AppRow>(i)), cells);
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    std::vector<std::pair<absl::string_view, int64_t>> cells;
    for (int c = 0; c < kAppealColumns; ++c) {
      cells.emplace_back(AppealColumnCode(static_cast<AppealColumn>(c)),
                         r.appeals[g][c]);
    }
    row("appeals", AppealGroupCode(static_cast<AppealGroup>(g)), cells);
  }
  row("fees", "paid",
      {{"applications", r.fee_applications}, {"fen", r.fee_paid_fen}});
  return out;
}

// The dump of a report, or its error.
std::string DumpOf(TestStore& t, absl::string_view agency, int year,
                   Scope scope = Scope::kAgency,
                   absl::Time as_of = absl::InfiniteFuture()) {
  absl::StatusOr<AnnualReport> report =
      Report(*t.store, agency, year, scope, as_of);
  if (!report.ok()) return absl::StrCat("error: ", report.status().ToString());
  return Dump(*report);
}

struct YearWant {
  int year;
  std::string want;
};

void ExpectYears(TestStore& t, absl::string_view agency,
                 const std::vector<YearWant>& rows) {
  for (const YearWant& row : rows) {
    SCOPED_TRACE(row.year);
    EXPECT_EQ(DumpOf(t, agency, row.year), row.want);
  }
}

absl::Time NoonOf(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, AgencyTimeZone());
}

// ---------------------------------------------------------------------------
// Part 三: applications.

TEST(AnnualReportTest, CaseReceivedOn31DecAndAnsweredOn2JanIsCarriedOver) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2022-12-31", "NATURAL_PERSON"),
                    Answer("C1", "2023-01-02", "DISCLOSED")}));
  ExpectYears(t, "a",
              {{2021, ""},
               {2022,
                "applications new: natural_person=1 total=1\n"
                "applications carried_out: natural_person=1 total=1\n"},
               {2023,
                "applications carried_in: natural_person=1 total=1\n"
                "applications disclosed: natural_person=1 total=1\n"
                "applications results_total: natural_person=1 total=1\n"},
               {2024, ""}});
}

TEST(AnnualReportTest, CaseAnsweredOnItsReceiptDayIsNewAndConcluded) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2023-03-06", "COMMERCIAL_ENTERPRISE"),
                    Answer("C1", "2023-03-06", "PARTIALLY_DISCLOSED")}));
  ExpectYears(
      t, "a",
      {{2022, ""},
       {2023,
        "applications new: commercial_enterprise=1 total=1\n"
        "applications partially_disclosed: commercial_enterprise=1 total=1\n"
        "applications results_total: commercial_enterprise=1 total=1\n"},
       {2024, ""}});
}

TEST(AnnualReportTest, WithdrawalCountsInOtherHandling) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2023-04-01", "LEGAL_SERVICE_AGENCY"),
                    CaseEvent("C1", "2023-04-03", R"("withdrawn":{})"),
                    ReceiveAs("C2", "a", "2023-04-02", "LEGAL_SERVICE_AGENCY"),
                    Answer("C2", "2023-04-20", "OTHER_HANDLING")}));
  ExpectYears(
      t, "a",
      {{2023,
        "applications new: legal_service_agency=2 total=2\n"
        "applications other_handling: legal_service_agency=2 total=2\n"
        "applications results_total: legal_service_agency=2 total=2\n"}});
}

TEST(AnnualReportTest, AmendedCategoryCountsInEveryYear) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2022-11-01", "NATURAL_PERSON"),
                    Answer("C1", "2023-01-10", "DISCLOSED")}));
  EXPECT_EQ(DumpOf(t, "a", 2022),
            "applications new: natural_person=1 total=1\n"
            "applications carried_out: natural_person=1 total=1\n");
  ASSERT_OK(
      Add(t, {AmendCategory("C1", "2023-02-01", "RESEARCH_INSTITUTION")}));
  ExpectYears(t, "a",
              {{2022,
                "applications new: research_institution=1 total=1\n"
                "applications carried_out: research_institution=1 total=1\n"},
               {2023,
                "applications carried_in: research_institution=1 total=1\n"
                "applications disclosed: research_institution=1 total=1\n"
                "applications results_total: research_institution=1 "
                "total=1\n"}});
}

TEST(AnnualReportTest, CorrectionRestartStillCountsNewByFirstReceipt) {
  TestStore t;
  ASSERT_OK(
      Add(t, {RegisterAgency("a"),
              ReceiveAs("C1", "a", "2022-12-28", "PUBLIC_WELFARE_ORGANIZATION"),
              CaseEvent("C1", "2022-12-30",
                        R"("correctionRequested":{"dueOn":"2023-01-14"})"),
              CaseEvent("C1", "2023-01-05", R"("correctionReceived":{})"),
              Answer("C1", "2023-01-20", "UNAVAILABLE_STILL_UNCLEAR")}));
  ExpectYears(
      t, "a",
      {{2022,
        "applications new: public_welfare_organization=1 total=1\n"
        "applications carried_out: public_welfare_organization=1 total=1\n"},
       {2023,
        "applications carried_in: public_welfare_organization=1 total=1\n"
        "applications unavailable_still_unclear: "
        "public_welfare_organization=1 total=1\n"
        "applications results_total: public_welfare_organization=1 "
        "total=1\n"}});
}

TEST(AnnualReportTest, ReanswerAfterAppealDoesNotCountAgain) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2022-03-01", "NATURAL_PERSON"),
                    Answer("C1", "2022-03-10", "UNAVAILABLE_NOT_HELD"),
                    FileAppeal("C1", "2022-04-01", "A1", "RECONSIDERATION"),
                    DecideAppeal("C1", "2022-06-01", "A1", "CORRECTED"),
                    Reanswer("C1", "2022-07-01", "DISCLOSED"),
                    Reanswer("C1", "2023-02-01", "PARTIALLY_DISCLOSED")}));
  ExpectYears(t, "a",
              {{2022,
                "applications new: natural_person=1 total=1\n"
                "applications unavailable_not_held: natural_person=1 total=1\n"
                "applications results_total: natural_person=1 total=1\n"
                "appeals reconsideration: corrected=1 total=1\n"},
               {2023, ""}});
}

TEST(AnnualReportTest, EveryOutcomeLandsInItsOwnRow) {
  TestStore t;
  std::vector<v1::Event> events = {RegisterAgency("a")};
  using Matrix =
      std::array<std::array<int64_t, kApplicationColumns>, kApplicationRows>;
  Matrix want{};
  auto count = [&](AppRow row, int column) {
    for (AppRow r : {row, AppRow::kResultsTotal}) {
      ++want[static_cast<int>(r)][column];
      ++want[static_cast<int>(r)][kTotalColumn];
    }
  };
  for (int i = 0; i < 21; ++i) {
    const std::string id = absl::StrCat("C", i + 1);
    const absl::string_view outcome = kOutcomes[i];
    const int column = i % 6;
    events.push_back(ReceiveAs(id, "a", "2023-03-01", kCategories[column]));
    if (outcome == "UNAVAILABLE_STILL_UNCLEAR" ||
        outcome == "OTHER_NO_CORRECTION") {
      events.push_back(CaseEvent(
          id, "2023-03-02", R"("correctionRequested":{"dueOn":"2023-03-17"})"));
    }
    if (outcome == "UNAVAILABLE_STILL_UNCLEAR")
      events.push_back(
          CaseEvent(id, "2023-03-05", R"("correctionReceived":{})"));
    if (outcome == "OTHER_FEE_UNPAID") {
      events.push_back(CaseEvent(
          id, "2023-03-02",
          R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":10000})"));
    }
    events.push_back(Answer(id, "2023-03-20", outcome));
    ++want[static_cast<int>(AppRow::kNew)][column];
    ++want[static_cast<int>(AppRow::kNew)][kTotalColumn];
    count(static_cast<AppRow>(kFirstResultRow + i), column);
  }
  events.push_back(ReceiveAs("W", "a", "2023-03-01", "OTHER_ORGANIZATION"));
  events.push_back(CaseEvent("W", "2023-03-02", R"("withdrawn":{})"));
  ++want[static_cast<int>(AppRow::kNew)][5];
  ++want[static_cast<int>(AppRow::kNew)][kTotalColumn];
  count(AppRow::kOtherHandling, 5);
  ASSERT_OK(Add(t, events));

  ASSERT_OK_AND_ASSIGN(AnnualReport report, Report(*t.store, "a", 2023));
  EXPECT_EQ(report.applications, want) << Dump(report);
  // Spot checks of the mapping, by name.
  EXPECT_EQ(report.cell(AppRow::kDisclosed, 0), 1);
  EXPECT_EQ(report.cell(AppRow::kWithheldStateSecret, 2), 1);
  EXPECT_EQ(report.cell(AppRow::kUnavailableStillUnclear, 0), 1);
  EXPECT_EQ(report.cell(AppRow::kNotProcessedConfirmation, 5), 1);
  EXPECT_EQ(report.cell(AppRow::kOtherNoCorrection, 0), 1);
  EXPECT_EQ(report.cell(AppRow::kOtherFeeUnpaid, 1), 1);
  EXPECT_EQ(report.cell(AppRow::kOtherHandling, 2), 1);
  EXPECT_EQ(report.cell(AppRow::kOtherHandling, 5), 1);
  EXPECT_EQ(report.cell(AppRow::kOtherHandling, kTotalColumn), 2);
  EXPECT_EQ(report.cell(AppRow::kResultsTotal, kTotalColumn), 22);
  EXPECT_EQ(report.cell(AppRow::kCarriedOut, kTotalColumn), 0);
}

// ---------------------------------------------------------------------------
// Part 四: appeals.

TEST(AnnualReportTest, AppealDecidedNextYearIsPendingInItsFilingYearOnly) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a"),
                    ReceiveAs("C1", "a", "2022-09-01", "NATURAL_PERSON"),
                    Answer("C1", "2022-09-20", "WITHHELD_THIRD_PARTY_RIGHTS"),
                    FileAppeal("C1", "2022-11-01", "A1", "LITIGATION_DIRECT"),
                    DecideAppeal("C1", "2023-02-01", "A1", "UPHELD")}));
  ExpectYears(
      t, "a",
      {{2022,
        "applications new: natural_person=1 total=1\n"
        "applications withheld_third_party_rights: natural_person=1 total=1\n"
        "applications results_total: natural_person=1 total=1\n"
        "appeals litigation_direct: pending=1 total=1\n"},
       {2023, ""}});
}

TEST(AnnualReportTest, AppealCountsWithItsStatusAtTheEndOfItsFilingYear) {
  TestStore t;
  ASSERT_OK(Add(
      t,
      {RegisterAgency("a"),
       ReceiveAs("C1", "a", "2022-01-05", "NATURAL_PERSON"),
       Answer("C1", "2022-01-20", "WITHHELD_PROCESS_INFORMATION"),
       // Decided in the filing year, then again (higher instance) the next.
       FileAppeal("C1", "2022-03-01", "A1", "RECONSIDERATION"),
       DecideAppeal("C1", "2022-05-01", "A1", "UPHELD"),
       FileAppeal("C1", "2022-06-01", "A2", "LITIGATION_AFTER_RECONSIDERATION"),
       // Two decisions in the filing year: the latest counts (B3).
       FileAppeal("C1", "2022-07-01", "A3", "LITIGATION_DIRECT"),
       DecideAppeal("C1", "2022-08-01", "A3", "UPHELD"),
       DecideAppeal("C1", "2022-09-01", "A2", "CORRECTED"),
       DecideAppeal("C1", "2022-10-01", "A3", "OTHER"),
       DecideAppeal("C1", "2023-03-01", "A2", "UPHELD"),
       DecideAppeal("C1", "2023-04-01", "A1", "CORRECTED")}));
  ExpectYears(
      t, "a",
      {{2022,
        "applications new: natural_person=1 total=1\n"
        "applications withheld_process_information: natural_person=1 total=1\n"
        "applications results_total: natural_person=1 total=1\n"
        "appeals reconsideration: upheld=1 total=1\n"
        "appeals litigation_direct: other=1 total=1\n"
        "appeals litigation_after_reconsideration: corrected=1 total=1\n"},
       {2023, ""}});
}

TEST(AnnualReportTest, EachAppealKindCountsInItsGroup) {
  struct Kind {
    const char* kind;
    AppealGroup group;
  };
  const Kind kinds[] = {{"RECONSIDERATION", AppealGroup::kReconsideration},
                        {"LITIGATION_DIRECT", AppealGroup::kLitigationDirect},
                        {"LITIGATION_AFTER_RECONSIDERATION",
                         AppealGroup::kLitigationAfterReconsideration}};
  struct Result {
    const char* result;  // nullptr: not decided
    AppealColumn column;
  };
  const Result results[] = {{"UPHELD", AppealColumn::kUpheld},
                            {"CORRECTED", AppealColumn::kCorrected},
                            {"OTHER", AppealColumn::kOther},
                            {nullptr, AppealColumn::kPending}};
  TestStore t;
  std::vector<v1::Event> events = {RegisterAgency("a")};
  // One case per kind and result: k results for group k (1, 2, 3 of each), so
  // a group mixed up with another shows.
  int n = 0;
  for (int k = 0; k < 3; ++k) {
    for (const Result& r : results) {
      for (int copy = 0; copy <= k; ++copy) {
        const std::string id = absl::StrCat("C", ++n);
        events.push_back(ReceiveAs(id, "a", "2023-02-01", "NATURAL_PERSON"));
        if (r.result == nullptr) {
          // Filed before any answer (e.g. for not answering in time).
          events.push_back(FileAppeal(id, "2023-04-01", "A", kinds[k].kind));
          continue;
        }
        events.push_back(Answer(id, "2023-02-10", "DISCLOSED"));
        events.push_back(FileAppeal(id, "2023-04-01", "A", kinds[k].kind));
        events.push_back(DecideAppeal(id, "2023-07-01", "A", r.result));
      }
    }
  }
  ASSERT_OK(Add(t, events));
  ASSERT_OK_AND_ASSIGN(AnnualReport report, Report(*t.store, "a", 2023));
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE(kinds[k].kind);
    const auto& group = report.appeals[static_cast<int>(kinds[k].group)];
    for (const Result& r : results) {
      SCOPED_TRACE(r.result == nullptr ? "pending" : r.result);
      EXPECT_EQ(group[static_cast<int>(r.column)], k + 1);
    }
    EXPECT_EQ(group[static_cast<int>(AppealColumn::kTotal)], 4 * (k + 1));
  }
  EXPECT_EQ(report.cell(AppRow::kCarriedOut, kTotalColumn), 6);
}

// ---------------------------------------------------------------------------
// Part 二: proactive disclosure.

TEST(AnnualReportTest, DocumentsIssuedRepealedExpiredAndInForce) {
  TestStore t;
  ASSERT_OK(Add(
      t, {RegisterAgency("a"), Issue("a", "2021-03-01", "R1", "REGULATION"),
          Issue("a", "2021-05-01", "N1", "NORMATIVE_DOCUMENT", "2022-06-30"),
          // Expired without repeal.
          Issue("a", "2022-01-10", "N2", "NORMATIVE_DOCUMENT"),
          Issue("a", "2022-02-01", "N3", "NORMATIVE_DOCUMENT"),
          AgencyEvent("a", "2022-08-01",
                      R"("documentExpired":{"documentId":"N2"})"),
          // Valid through its last day, 31 Dec: in force that year only.
          Issue("a", "2022-12-01", "R2", "REGULATION", "2022-12-31"),
          Issue("a", "2023-02-01", "N4", "NORMATIVE_DOCUMENT", "2023-12-31"),
          AgencyEvent("a", "2023-04-01",
                      R"("documentRepealed":{"documentId":"N3"})")}));
  ExpectYears(t, "a",
              {{2020, ""},
               {2021,
                "proactive regulations: issued=1 in_force=1\n"
                "proactive normative_documents: issued=1 in_force=1\n"},
               {2022,
                "proactive regulations: issued=1 in_force=2\n"
                "proactive normative_documents: issued=2 in_force=1\n"},
               {2023,
                "proactive regulations: in_force=1\n"
                "proactive normative_documents: issued=1 repealed=1 "
                "in_force=1\n"},
               {2024, "proactive regulations: in_force=1\n"}});
}

TEST(AnnualReportTest, ValidUntilEndsInForceFromTheDayAfter) {
  TestStore t;
  ASSERT_OK(Add(
      t, {RegisterAgency("a"),
          Issue("a", "2021-01-01", "N1", "NORMATIVE_DOCUMENT", "2021-12-30"),
          Issue("a", "2021-01-01", "N2", "NORMATIVE_DOCUMENT", "2021-12-31"),
          Issue("a", "2021-01-01", "N3", "NORMATIVE_DOCUMENT", "2022-01-01")}));
  ExpectYears(t, "a",
              {{2021, "proactive normative_documents: issued=3 in_force=2\n"},
               {2022, ""}});
}

TEST(AnnualReportTest, DecisionsAndFeesAreSummedByYear) {
  TestStore t;
  ASSERT_OK(
      Add(t, {RegisterAgency("a"), Decisions("a", "2021-12-28", "LICENSING", 1),
              FeesCollected("a", "2021-12-31", 9),
              Decisions("a", "2022-03-28", "LICENSING", 10),
              FeesCollected("a", "2022-05-01", 1234567),
              Decisions("a", "2022-06-28", "LICENSING", 5),
              Decisions("a", "2022-07-28", "ENFORCEMENT", 3),
              Decisions("a", "2022-07-28", "PENALTY", 0),
              FeesCollected("a", "2022-11-01", 100),
              Decisions("a", "2022-12-31", "PENALTY", 7),
              Decisions("a", "2023-01-01", "PENALTY", 100),
              FeesCollected("a", "2023-01-05", 5)}));
  ExpectYears(t, "a",
              {{2021,
                "proactive licensing: decisions=1\n"
                "proactive administrative_fees: fen=9\n"},
               {2022,
                "proactive licensing: decisions=15\n"
                "proactive penalty: decisions=7\n"
                "proactive enforcement: decisions=3\n"
                "proactive administrative_fees: fen=1234667\n"},
               {2023,
                "proactive penalty: decisions=100\n"
                "proactive administrative_fees: fen=5\n"}});
  ASSERT_OK_AND_ASSIGN(AnnualReport report, Report(*t.store, "a", 2022));
  EXPECT_EQ(FenToWanYuan(report.proactive.administrative_fees_fen), "1.234667");
}

TEST(AnnualReportTest, FenToWanYuanIsExact) {
  EXPECT_EQ(FenToWanYuan(96171600000), "96171.6");
  EXPECT_EQ(FenToWanYuan(5949088667), "5949.088667");
  EXPECT_EQ(FenToWanYuan(1000000), "1");
  EXPECT_EQ(FenToWanYuan(1), "0.000001");
  EXPECT_EQ(FenToWanYuan(0), "0");
}

// ---------------------------------------------------------------------------
// Part 六: information-processing fees.

TEST(AnnualReportTest, FeePaidInTheYearCountsInTheFeeLine) {
  TestStore t;
  ASSERT_OK(Add(
      t, {RegisterAgency("a"),
          ReceiveAs("C1", "a", "2022-12-01", "NATURAL_PERSON"),
          CaseEvent(
              "C1", "2022-12-10",
              R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":10000})"),
          CaseEvent("C1", "2023-01-05", R"("feePaid":{"amountFen":10000})"),
          Answer("C1", "2023-01-10", "DISCLOSED"),
          // Noticed, never paid: no fee.
          ReceiveAs("C2", "a", "2023-02-01", "NATURAL_PERSON"),
          CaseEvent(
              "C2", "2023-02-05",
              R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":20000})"),
          Answer("C2", "2023-03-20", "OTHER_FEE_UNPAID"),
          ReceiveAs("C3", "a", "2023-04-01", "COMMERCIAL_ENTERPRISE"),
          CaseEvent("C3", "2023-04-02",
                    R"("feeNoticed":{"method":"PER_PAGE",)"
                    R"("amountFen":30000,"pages":60})"),
          CaseEvent("C3", "2023-04-10", R"("feePaid":{"amountFen":30000})"),
          Answer("C3", "2023-04-12", "DISCLOSED")}));
  ASSERT_OK_AND_ASSIGN(AnnualReport y2022, Report(*t.store, "a", 2022));
  EXPECT_EQ(y2022.fee_applications, 0);
  EXPECT_EQ(y2022.fee_paid_fen, 0);
  ASSERT_OK_AND_ASSIGN(AnnualReport y2023, Report(*t.store, "a", 2023));
  EXPECT_EQ(y2023.fee_applications, 2);
  EXPECT_EQ(y2023.fee_paid_fen, 40000);
}

TEST(AnnualReportTest, FeePaymentsCountInTheYearEachWasPaid) {
  TestStore t;
  ASSERT_OK(Add(
      t, {RegisterAgency("a"),
          ReceiveAs("C1", "a", "2022-11-01", "NATURAL_PERSON"),
          CaseEvent(
              "C1", "2022-11-05",
              R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":10000})"),
          CaseEvent("C1", "2022-11-10", R"("feePaid":{"amountFen":10000})"),
          CaseEvent("C1", "2022-12-20",
                    R"("feeNoticed":{"method":"PER_PAGE",)"
                    R"("amountFen":20000,"pages":50})"),
          CaseEvent("C1", "2023-01-05", R"("feePaid":{"amountFen":20000})"),
          Answer("C1", "2023-01-10", "DISCLOSED")}));
  ExpectYears(t, "a",
              {{2022,
                "applications new: natural_person=1 total=1\n"
                "applications carried_out: natural_person=1 total=1\n"
                "fees paid: applications=1 fen=10000\n"},
               {2023,
                "applications carried_in: natural_person=1 total=1\n"
                "applications disclosed: natural_person=1 total=1\n"
                "applications results_total: natural_person=1 total=1\n"
                "fees paid: applications=1 fen=20000\n"}});
}

// ---------------------------------------------------------------------------
// Scope, later events, errors.

TEST(AnnualReportTest, RollupIncludesChildrenAndGrandchildrenOnly) {
  TestStore t;
  // root <- a <- b, root <- sib; other is a separate tree. Agency i has 2^i
  // cases and 2^i licensing decisions, so every sum names its members.
  const char* agencies[] = {"root", "a", "b", "sib", "other"};
  std::vector<v1::Event> events = {
      RegisterAgency("root"), RegisterAgency("a", "root"),
      RegisterAgency("b", "a"), RegisterAgency("sib", "root"),
      RegisterAgency("other")};
  for (int i = 0; i < 5; ++i) {
    for (int k = 0; k < (1 << i); ++k) {
      const std::string id = absl::StrCat(agencies[i], "-", k);
      events.push_back(
          ReceiveAs(id, agencies[i], "2023-05-01", kCategories[0]));
      events.push_back(FileAppeal(id, "2023-05-02", "A", "RECONSIDERATION"));
    }
    events.push_back(Decisions(agencies[i], "2023-05-28", "LICENSING", 1 << i));
    events.push_back(
        Issue(agencies[i], "2023-06-01", absl::StrCat("D", i), "REGULATION"));
    events.push_back(FeesCollected(agencies[i], "2023-06-28", 1 << i));
  }
  ASSERT_OK(Add(t, events));
  struct Row {
    const char* agency;
    Scope scope;
    int64_t want;
  };
  const Row rows[] = {{"root", Scope::kRollup, 1 + 2 + 4 + 8},
                      {"root", Scope::kAgency, 1},
                      {"a", Scope::kRollup, 2 + 4},
                      {"a", Scope::kAgency, 2},
                      {"b", Scope::kRollup, 4},
                      {"sib", Scope::kRollup, 8},
                      {"other", Scope::kRollup, 16}};
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat(
        row.agency, row.scope == Scope::kRollup ? " rollup" : " agency"));
    ASSERT_OK_AND_ASSIGN(AnnualReport r,
                         Report(*t.store, row.agency, 2023, row.scope));
    EXPECT_EQ(r.rollup, row.scope == Scope::kRollup);
    EXPECT_EQ(r.agency_id, row.agency);
    EXPECT_EQ(r.cell(AppRow::kNew, kTotalColumn), row.want);
    EXPECT_EQ(r.cell(AppRow::kCarriedOut, 0), row.want);
    EXPECT_EQ(r.appeals[0][static_cast<int>(AppealColumn::kPending)], row.want);
    EXPECT_EQ(r.proactive.licensing, row.want);
    EXPECT_EQ(r.proactive.administrative_fees_fen, row.want);
    EXPECT_EQ(r.proactive.regulations.issued,
              std::popcount(static_cast<uint64_t>(row.want)));
  }
}

TEST(AnnualReportTest, LaterEventsDoNotChangeAPastYear) {
  TestStore t;
  ASSERT_OK(Add(
      t, {RegisterAgency("a"),
          ReceiveAs("C1", "a", "2022-03-01", "NATURAL_PERSON"),
          Answer("C1", "2022-03-10", "WITHHELD_STATE_SECRET"),
          FileAppeal("C1", "2022-12-01", "A1", "RECONSIDERATION"),
          ReceiveAs("C2", "a", "2022-12-20", "OTHER_ORGANIZATION"),
          CaseEvent(
              "C2", "2022-12-22",
              R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":500})"),
          Issue("a", "2022-04-01", "N1", "NORMATIVE_DOCUMENT"),
          Decisions("a", "2022-04-28", "PENALTY", 4),
          FeesCollected("a", "2022-04-28", 77)}));
  const std::string before = DumpOf(t, "a", 2022);
  EXPECT_EQ(before,
            "proactive normative_documents: issued=1 in_force=1\n"
            "proactive penalty: decisions=4\n"
            "proactive administrative_fees: fen=77\n"
            "applications new: natural_person=1 other_organization=1 total=2\n"
            "applications withheld_state_secret: natural_person=1 total=1\n"
            "applications results_total: natural_person=1 total=1\n"
            "applications carried_out: other_organization=1 total=1\n"
            "appeals reconsideration: pending=1 total=1\n");
  ASSERT_OK(Add(
      t,
      {DecideAppeal("C1", "2023-01-20", "A1", "CORRECTED"),
       CaseEvent("C1", "2023-02-01", R"("reanswered":{"outcome":"DISCLOSED"})"),
       FileAppeal("C1", "2023-03-01", "A2", "LITIGATION_AFTER_RECONSIDERATION"),
       CaseEvent("C2", "2023-01-03", R"("feePaid":{"amountFen":500})"),
       Answer("C2", "2023-01-04", "DISCLOSED"),
       CaseEvent("C2", "2023-01-05", R"("archived":{"archiveRef":"档1"})"),
       ReceiveAs("C3", "a", "2023-01-01", "NATURAL_PERSON"),
       AgencyEvent("a", "2023-01-02",
                   R"("documentRepealed":{"documentId":"N1"})"),
       Decisions("a", "2023-01-02", "PENALTY", 50),
       FeesCollected("a", "2023-01-02", 1000)}));
  EXPECT_EQ(DumpOf(t, "a", 2022), before);
  EXPECT_EQ(DumpOf(t, "a", 2023),
            "proactive normative_documents: repealed=1\n"
            "proactive penalty: decisions=50\n"
            "proactive administrative_fees: fen=1000\n"
            "applications new: natural_person=1 total=1\n"
            "applications carried_in: other_organization=1 total=1\n"
            "applications disclosed: other_organization=1 total=1\n"
            "applications results_total: other_organization=1 total=1\n"
            "applications carried_out: natural_person=1 total=1\n"
            "appeals litigation_after_reconsideration: pending=1 total=1\n"
            "fees paid: applications=1 fen=500\n");
}

TEST(AnnualReportTest, UnknownAgencyIsNotFoundAndBadYearIsInvalid) {
  TestStore t;
  EXPECT_THAT(Report(*t.store, "a", 2023),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(Add(t, {RegisterAgency("a")}));
  EXPECT_THAT(Report(*t.store, "nobody", 2023),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Report(*t.store, "nobody", 2023, Scope::kRollup),
              StatusIs(absl::StatusCode::kNotFound));
  for (int year : {0, -1, 999, 10000}) {
    SCOPED_TRACE(year);
    EXPECT_THAT(Report(*t.store, "a", year),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  ASSERT_OK_AND_ASSIGN(AnnualReport r, Report(*t.store, "a", 2023));
  EXPECT_EQ(Dump(r), "");
  EXPECT_EQ(r.agency_name, "机关a");
}

// ---------------------------------------------------------------------------
// As-of reports.

TEST(AnnualReportTest, AsOfIgnoresEventsRecordedLater) {
  TestStore t;
  t.clock.SetDay(absl::CivilDay(2024, 1, 10));
  const absl::Time first = t.clock.Now();
  ASSERT_OK_AND_ASSIGN(
      std::vector<uint64_t> early,
      Add(t, {RegisterAgency("a"),
              ReceiveAs("C1", "a", "2023-05-01", "NATURAL_PERSON"),
              Answer("C1", "2023-05-10", "DISCLOSED"),
              ReceiveAs("C2", "a", "2023-12-20", "NATURAL_PERSON"),
              Answer("C2", "2024-01-08", "DISCLOSED")}));
  t.clock.SetDay(absl::CivilDay(2024, 1, 15));
  const absl::Time second = t.clock.Now();
  // A late entry for 2023, and a correction of C1's category.
  ASSERT_OK_AND_ASSIGN(
      std::vector<uint64_t> late,
      Add(t, {ReceiveAs("C3", "a", "2023-12-28", "COMMERCIAL_ENTERPRISE"),
              Answer("C3", "2023-12-29", "WITHHELD_STATE_SECRET"),
              AmendCategory("C1", "2024-01-15", "LEGAL_SERVICE_AGENCY")}));

  const absl::Time as_of = absl::FromCivil(
      absl::CivilSecond(2024, 1, 12, 0, 0, 0), AgencyTimeZone());
  ASSERT_OK_AND_ASSIGN(AnnualReport then,
                       Report(*t.store, "a", 2023, Scope::kAgency, as_of));
  EXPECT_EQ(then.position, early.back());
  EXPECT_EQ(then.recorded_until, first);
  EXPECT_EQ(Dump(then),
            "applications new: natural_person=2 total=2\n"
            "applications disclosed: natural_person=1 total=1\n"
            "applications results_total: natural_person=1 total=1\n"
            "applications carried_out: natural_person=1 total=1\n");

  ASSERT_OK_AND_ASSIGN(AnnualReport now, Report(*t.store, "a", 2023));
  EXPECT_EQ(now.position, late.back());
  EXPECT_EQ(now.recorded_until, second);
  EXPECT_EQ(
      Dump(now),
      "applications new: natural_person=1 commercial_enterprise=1 "
      "legal_service_agency=1 total=3\n"
      "applications disclosed: legal_service_agency=1 total=1\n"
      "applications withheld_state_secret: commercial_enterprise=1 total=1\n"
      "applications results_total: commercial_enterprise=1 "
      "legal_service_agency=1 total=2\n"
      "applications carried_out: natural_person=1 total=1\n");

  // The recording instant itself is included; before the first event the
  // agency does not exist yet.
  EXPECT_EQ(DumpOf(t, "a", 2023, Scope::kAgency, first), Dump(then));
  EXPECT_EQ(DumpOf(t, "a", 2023, Scope::kAgency, second), Dump(now));
  EXPECT_THAT(
      Report(*t.store, "a", 2023, Scope::kAgency, first - absl::Nanoseconds(1)),
      StatusIs(absl::StatusCode::kNotFound));

  // The cases behind a cell follow the same prefix.
  ASSERT_OK_AND_ASSIGN(
      std::vector<CaseInCell> new_then,
      CasesInCell(*t.store,
                  ReportRequest{.year = 2023, .agency_id = "a", .as_of = as_of},
                  "applications", "new", "natural_person"));
  ASSERT_EQ(new_then.size(), 2u);
  EXPECT_EQ(new_then[0].case_id, "C1");
  EXPECT_EQ(new_then[1].case_id, "C2");
  ASSERT_OK_AND_ASSIGN(
      std::vector<CaseInCell> new_now,
      CasesInCell(*t.store, ReportRequest{.year = 2023, .agency_id = "a"},
                  "applications", "new", "natural_person"));
  ASSERT_EQ(new_now.size(), 1u);
  EXPECT_EQ(new_now[0].case_id, "C2");
}

TEST(AnnualReportTest, EmptyPrefixHasNoAgencies) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a")}));
  EXPECT_THAT(Report(*t.store, "a", 2023, Scope::kAgency, absl::InfinitePast()),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(AnnualReport r, Report(*t.store, "a", 2023));
  EXPECT_EQ(r.position, 1u);
  EXPECT_EQ(r.recorded_until, NoonOf(absl::CivilDay(2024, 6, 1)));
}

// ---------------------------------------------------------------------------
// CasesInCell.

// Every cell of part 三 and part 四 of `request` lists exactly as many cases
// as it counts.
void ExpectCellsListTheirCases(EventStore& store,
                               const ReportRequest& request) {
  ASSERT_OK_AND_ASSIGN(AnnualReport report,
                       ComputeAnnualReport(store, request));
  for (int i = 0; i < kApplicationRows; ++i) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      const absl::string_view row = ApplicationRowCode(static_cast<AppRow>(i));
      SCOPED_TRACE(absl::StrCat(row, " ", ApplicationColumnCode(c)));
      ASSERT_OK_AND_ASSIGN(std::vector<CaseInCell> cases,
                           CasesInCell(store, request, "applications", row,
                                       ApplicationColumnCode(c)));
      EXPECT_EQ(static_cast<int64_t>(cases.size()), report.applications[i][c]);
    }
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int c = 0; c < kAppealColumns; ++c) {
      const absl::string_view group =
          AppealGroupCode(static_cast<AppealGroup>(g));
      const absl::string_view column =
          AppealColumnCode(static_cast<AppealColumn>(c));
      SCOPED_TRACE(absl::StrCat(group, " ", column));
      ASSERT_OK_AND_ASSIGN(
          std::vector<CaseInCell> cases,
          CasesInCell(store, request, "appeals", group, column));
      EXPECT_EQ(static_cast<int64_t>(cases.size()), report.appeals[g][c]);
    }
  }
}

std::string Describe(const std::vector<CaseInCell>& cases) {
  std::string out;
  for (const CaseInCell& c : cases) {
    absl::StrAppend(&out, c.case_id, "@", c.agency_id, " ", c.step, " v",
                    c.version, " p", c.position, " ", c.occurred_on, "\n");
  }
  return out;
}

TEST(AnnualReportTest, CasesInCellListsTheCasesAndTheirDecidingEvents) {
  TestStore t;
  ASSERT_OK_AND_ASSIGN(
      std::vector<uint64_t> p,
      Add(t, {RegisterAgency("a"), RegisterAgency("b", "a"),         // 1-2
              ReceiveAs("C1", "a", "2022-12-31", "NATURAL_PERSON"),  // 3
              Answer("C1", "2023-01-02", "DISCLOSED"),               // 4
              ReceiveAs("C2", "a", "2023-03-01", "COMMERCIAL_ENTERPRISE"),  // 5
              CaseEvent("C2", "2023-03-05", R"("withdrawn":{})"),           // 6
              ReceiveAs("C3", "a", "2023-04-01", "NATURAL_PERSON"),         // 7
              Answer("C3", "2023-04-10", "UNAVAILABLE_NOT_HELD"),           // 8
              FileAppeal("C3", "2023-05-01", "A1", "RECONSIDERATION"),      // 9
              FileAppeal("C3", "2023-05-01", "A2", "LITIGATION_DIRECT"),  // 10
              DecideAppeal("C3", "2023-08-01", "A1", "UPHELD"),           // 11
              ReceiveAs("C4", "b", "2023-11-20", "OTHER_ORGANIZATION"),   // 12
              ReceiveAs("C5", "a", "2023-06-01", "NATURAL_PERSON"),       // 13
              Answer("C5", "2023-06-01", "DISCLOSED"),                    // 14
              CaseEvent("C5", "2023-07-01",                               // 15
                        R"("reanswered":{"outcome":"PARTIALLY_DISCLOSED"})"),
              DecideAppeal("C3", "2024-02-01", "A1", "CORRECTED"),      // 16
              FileAppeal("C4", "2023-11-25", "B1", "RECONSIDERATION"),  // 17
              FileAppeal("C4", "2023-11-25", "B2", "RECONSIDERATION")}));
  ASSERT_EQ(p.size(), 18u);
  EXPECT_EQ(p[0], 1u);
  EXPECT_EQ(p[17], 18u);

  for (Scope scope : {Scope::kAgency, Scope::kRollup}) {
    for (int year : {2022, 2023, 2024}) {
      SCOPED_TRACE(
          absl::StrCat(year, scope == Scope::kRollup ? " rollup" : ""));
      ExpectCellsListTheirCases(
          *t.store,
          ReportRequest{.year = year, .agency_id = "a", .scope = scope});
    }
  }

  const ReportRequest rollup{
      .year = 2023, .agency_id = "a", .scope = Scope::kRollup};
  struct Row {
    const char* section;
    const char* row;
    const char* column;
    std::string want;
  };
  const Row rows[] = {
      {"applications", "carried_in", "natural_person",
       "C1@a received v1 p3 2022-12-31\n"},
      {"applications", "disclosed", "natural_person",
       "C1@a answered v2 p4 2023-01-02\n"
       "C5@a answered v2 p14 2023-06-01\n"},
      {"applications", "other_handling", "total",
       "C2@a withdrawn v2 p6 2023-03-05\n"},
      {"applications", "results_total", "total",
       "C1@a answered v2 p4 2023-01-02\n"
       "C2@a withdrawn v2 p6 2023-03-05\n"
       "C3@a answered v2 p8 2023-04-10\n"
       "C5@a answered v2 p14 2023-06-01\n"},
      // By agency, then case id.
      {"applications", "new", "total",
       "C2@a received v1 p5 2023-03-01\n"
       "C3@a received v1 p7 2023-04-01\n"
       "C5@a received v1 p13 2023-06-01\n"
       "C4@b received v1 p12 2023-11-20\n"},
      {"applications", "carried_out", "other_organization",
       "C4@b received v1 p12 2023-11-20\n"},
      {"applications", "partially_disclosed", "total", ""},
      // The deciding event of an appeal: its filing while pending, the
      // decision in its filing year once decided.
      {"appeals", "litigation_direct", "pending",
       "C3@a appealFiled v4 p10 2023-05-01\n"},
      {"appeals", "reconsideration", "upheld",
       "C3@a appealDecided v5 p11 2023-08-01\n"},
      {"appeals", "reconsideration", "corrected", ""},
      // Two appeals filed on one day: each names its own filing.
      {"appeals", "reconsideration", "pending",
       "C4@b appealFiled v2 p17 2023-11-25\n"
       "C4@b appealFiled v3 p18 2023-11-25\n"},
      {"appeals", "reconsideration", "total",
       "C3@a appealDecided v5 p11 2023-08-01\n"
       "C4@b appealFiled v2 p17 2023-11-25\n"
       "C4@b appealFiled v3 p18 2023-11-25\n"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat(row.section, " ", row.row, " ", row.column));
    ASSERT_OK_AND_ASSIGN(
        std::vector<CaseInCell> cases,
        CasesInCell(*t.store, rollup, row.section, row.row, row.column));
    EXPECT_EQ(Describe(cases), row.want);
  }
}

TEST(AnnualReportTest, CasesInCellRefusesUnknownCodes) {
  TestStore t;
  ASSERT_OK(Add(t, {RegisterAgency("a")}));
  const ReportRequest request{.year = 2023, .agency_id = "a"};
  struct Row {
    const char* section;
    const char* row;
    const char* column;
  };
  const Row rows[] = {{"proactive", "regulations", "issued"},
                      {"applications", "nope", "total"},
                      {"applications", "new", "nope"},
                      {"applications", "reconsideration", "total"},
                      {"applications", "new", "pending"},
                      {"appeals", "new", "total"},
                      {"appeals", "reconsideration", "natural_person"},
                      {"", "", ""}};
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat(row.section, "/", row.row, "/", row.column));
    EXPECT_THAT(
        CasesInCell(*t.store, request, row.section, row.row, row.column),
        StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(
      CasesInCell(*t.store, ReportRequest{.year = 2023, .agency_id = "x"},
                  "applications", "new", "total"),
      StatusIs(absl::StatusCode::kNotFound));
}

// ---------------------------------------------------------------------------
// Properties over generated logs.

constexpr int kFirstYear = 2020;
constexpr int kLastYear = 2024;

GenOptions SmallLog(uint64_t seed) {
  GenOptions options;
  options.agencies = 6;
  options.first_year = 2020;
  options.last_year = 2023;
  options.cases_per_year = 300;
  options.seed = seed;
  options.until = absl::CivilDay(2024, 5, 1);  // before the clock's day
  return options;
}

std::vector<v1::Event> Generate(const GenOptions& options) {
  std::vector<v1::Event> events;
  GenerateLog(options, [&](absl::string_view line) {
    absl::StatusOr<v1::Event> e = ParseEventJson(line, EngineFields::kRefuse);
    EXPECT_TRUE(e.ok()) << e.status() << " in " << line;
    if (e.ok()) events.push_back(*std::move(e));
  });
  return events;
}

absl::Status Import(EventStore& store, absl::Span<const v1::Event> events) {
  constexpr size_t kBatch = 1000;
  for (size_t i = 0; i < events.size(); i += kBatch) {
    absl::StatusOr<std::vector<AppendedEvent>> appended =
        store.Append(events.subspan(i, kBatch));
    if (!appended.ok()) return appended.status();
  }
  return absl::OkStatus();
}

// The agencies of the log and their parents.
std::map<std::string, std::string> AgencyTree(
    absl::Span<const v1::Event> events) {
  std::map<std::string, std::string> parents;
  for (const v1::Event& e : events) {
    if (e.has_agency_registered())
      parents[e.agency_id()] = e.agency_registered().parent_id();
  }
  return parents;
}

void AddInto(AnnualReport& sum, const AnnualReport& r) {
  auto docs = [](DocumentCounts& a, const DocumentCounts& b) {
    a.issued += b.issued;
    a.repealed += b.repealed;
    a.in_force += b.in_force;
  };
  docs(sum.proactive.regulations, r.proactive.regulations);
  docs(sum.proactive.normative_documents, r.proactive.normative_documents);
  sum.proactive.licensing += r.proactive.licensing;
  sum.proactive.penalty += r.proactive.penalty;
  sum.proactive.enforcement += r.proactive.enforcement;
  sum.proactive.administrative_fees_fen += r.proactive.administrative_fees_fen;
  for (int i = 0; i < kApplicationRows; ++i) {
    for (int c = 0; c < kApplicationColumns; ++c)
      sum.applications[i][c] += r.applications[i][c];
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int c = 0; c < kAppealColumns; ++c)
      sum.appeals[g][c] += r.appeals[g][c];
  }
  sum.fee_applications += r.fee_applications;
  sum.fee_paid_fen += r.fee_paid_fen;
}

// The identities every report satisfies (A1, A5, A7, B4).
void ExpectIdentities(const AnnualReport& r) {
  for (int c = 0; c < kApplicationColumns; ++c) {
    SCOPED_TRACE(ApplicationColumnCode(c));
    EXPECT_EQ(
        r.cell(AppRow::kNew, c) + r.cell(AppRow::kCarriedIn, c),
        r.cell(AppRow::kResultsTotal, c) + r.cell(AppRow::kCarriedOut, c));
    int64_t results = 0;
    for (int i = kFirstResultRow; i < kFirstResultRow + kResultRows; ++i)
      results += r.applications[i][c];
    EXPECT_EQ(results, r.cell(AppRow::kResultsTotal, c));
  }
  for (int i = 0; i < kApplicationRows; ++i) {
    int64_t sum = 0;
    for (int c = 0; c < kTotalColumn; ++c) sum += r.applications[i][c];
    EXPECT_EQ(sum, r.applications[i][kTotalColumn])
        << ApplicationRowCode(static_cast<AppRow>(i));
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    int64_t sum = 0;
    for (int c = 0; c < static_cast<int>(AppealColumn::kTotal); ++c)
      sum += r.appeals[g][c];
    EXPECT_EQ(sum, r.appeals[g][static_cast<int>(AppealColumn::kTotal)]);
  }
}

// A trivial model of part 三 and part 四 for the generator's event kinds.
struct ModelCase {
  std::string agency;
  int received_year = 0;
  int category = 0;
  int concluded_year = 0;  // 0: open
  int outcome = 0;
  struct ModelAppeal {
    int kind = 0;
    int filed_year = 0;
    int result = 0;  // the latest decision in the filing year
  };
  std::map<std::string, ModelAppeal> appeals;
};

std::map<std::string, ModelCase> Model(EventStore& store) {
  std::map<std::string, ModelCase> cases;
  const absl::Status scanned =
      store.ScanLog(1, [&](const v1::Event& e) -> absl::Status {
        if (e.case_id().empty()) return absl::OkStatus();
        ModelCase& c = cases[e.case_id()];
        const int year = std::stoi(e.occurred_on().substr(0, 4));
        if (e.has_received()) {
          c.agency = e.agency_id();
          c.received_year = year;
          c.category = e.received().applicant().category();
        } else if (e.has_answered()) {
          c.concluded_year = year;
          c.outcome = e.answered().outcome();
        } else if (e.has_withdrawn()) {
          c.concluded_year = year;
          c.outcome = v1::Answered::OTHER_HANDLING;
        } else if (e.has_amended() && e.amended().has_received()) {
          c.category = e.amended().received().applicant().category();
        } else if (e.has_appeal_filed()) {
          c.appeals[e.appeal_filed().appeal_id()] = {e.appeal_filed().kind(),
                                                     year, 0};
        } else if (e.has_appeal_decided()) {
          ModelCase::ModelAppeal& a = c.appeals[e.appeal_decided().appeal_id()];
          if (a.filed_year == year) a.result = e.appeal_decided().result();
        }
        return absl::OkStatus();
      });
  EXPECT_OK(scanned);
  return cases;
}

AnnualReport ModelReport(const std::map<std::string, ModelCase>& cases,
                         const std::string& agency, int year) {
  AnnualReport r;
  auto count = [&](AppRow row, int category) {
    ++r.cell(row, category - 1);
    ++r.cell(row, kTotalColumn);
  };
  for (const auto& [id, c] : cases) {
    if (c.agency != agency) continue;
    const bool open_before = c.concluded_year == 0 || c.concluded_year >= year;
    const bool open_after = c.concluded_year == 0 || c.concluded_year > year;
    if (c.received_year == year) count(AppRow::kNew, c.category);
    if (c.received_year < year && open_before)
      count(AppRow::kCarriedIn, c.category);
    if (c.concluded_year == year) {
      count(static_cast<AppRow>(kFirstResultRow + c.outcome - 1), c.category);
      count(AppRow::kResultsTotal, c.category);
    }
    if (c.received_year <= year && open_after)
      count(AppRow::kCarriedOut, c.category);
    for (const auto& [appeal_id, a] : c.appeals) {
      if (a.filed_year != year) continue;
      const int group = a.kind - 1;
      const int column = a.result == 0
                             ? static_cast<int>(AppealColumn::kPending)
                             : a.result - 1;
      ++r.appeals[group][column];
      ++r.appeals[group][static_cast<int>(AppealColumn::kTotal)];
    }
  }
  return r;
}

TEST(AnnualReportPropertyTest, GeneratedLogsSatisfyTheCountingRules) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    const std::vector<v1::Event> events = Generate(SmallLog(seed));
    ASSERT_GT(events.size(), 1000u);
    const std::map<std::string, std::string> tree = AgencyTree(events);
    ASSERT_EQ(tree.size(), 6u);
    const size_t half = events.size() / 2;
    const absl::Span<const v1::Event> all(events);

    // The whole log, in two recordings an hour apart; and the first half
    // alone.
    TestStore full;
    ASSERT_OK(Import(*full.store, all.subspan(0, half)));
    const absl::Time midway = full.clock.Now();
    full.clock.Advance(absl::Hours(1));
    ASSERT_OK(Import(*full.store, all.subspan(half)));
    TestStore first_half;
    ASSERT_OK(Import(*first_half.store, all.subspan(0, half)));

    const std::map<std::string, ModelCase> model = Model(*full.store);
    for (int year = kFirstYear; year <= kLastYear; ++year) {
      SCOPED_TRACE(year);
      AnnualReport sum;
      for (const auto& [agency, parent] : tree) {
        SCOPED_TRACE(agency);
        ASSERT_OK_AND_ASSIGN(AnnualReport r, Report(*full.store, agency, year));
        ExpectIdentities(r);
        // (b) carry-over continuity, column by column.
        ASSERT_OK_AND_ASSIGN(AnnualReport next,
                             Report(*full.store, agency, year + 1));
        EXPECT_EQ(r.applications[static_cast<int>(AppRow::kCarriedOut)],
                  next.applications[static_cast<int>(AppRow::kCarriedIn)]);
        // P2: in force can only fall by repeals and expiries.
        EXPECT_LE(next.proactive.normative_documents.in_force,
                  r.proactive.normative_documents.in_force +
                      next.proactive.normative_documents.issued -
                      next.proactive.normative_documents.repealed);
        // (e) the trivial re-count.
        const AnnualReport want = ModelReport(model, agency, year);
        EXPECT_EQ(r.applications, want.applications);
        EXPECT_EQ(r.appeals, want.appeals);
        AddInto(sum, r);
        // (d) as of the midway instant = the first half alone.
        EXPECT_EQ(DumpOf(full, agency, year, Scope::kAgency, midway),
                  DumpOf(first_half, agency, year));
      }
      // (c) the roll-up of the root = the sum of every agency's own report.
      ASSERT_OK_AND_ASSIGN(AnnualReport rollup, Report(*full.store, "gov-root",
                                                       year, Scope::kRollup));
      ExpectIdentities(rollup);
      EXPECT_EQ(Dump(rollup), Dump(sum));
      if (year <= 2023) {
        EXPECT_GT(rollup.cell(AppRow::kNew, kTotalColumn), 0);
      }
      EXPECT_EQ(DumpOf(full, "gov-root", year, Scope::kRollup, midway),
                DumpOf(first_half, "gov-root", year, Scope::kRollup));
    }
  }
}

}  // namespace
}  // namespace ogi
