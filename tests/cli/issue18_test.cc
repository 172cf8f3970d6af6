// Regression tests of issue 18 ("what a clerk and an auditor hit"): each
// finding reproduced on a small store, through the command functions the
// `ogi` binary calls.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/case_state.h"
#include "engine/civil_date.h"
#include "engine/payload.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Ev;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;
using ::testing::HasSubstr;
using ::testing::Not;

absl::CivilDay Day(const char* text) { return *ParseCivilDay(text); }

// A store with one agency "a" and the clock at the end of 2026, so that any
// effective date of 2022-2026 may be recorded.
void Fill(TestStore& t) {
  t.clock.SetDay(absl::CivilDay(2026, 12, 31));
  ASSERT_OK(t->Append({RegisterAgency("a")}));
}

ReportRequest Year(int year) {
  ReportRequest r;
  r.year = year;
  r.agency_id = "a";
  return r;
}

// Finding 1: spec check 8 (a case carried out already overdue) never fired.
TEST(Issue18Test, Finding1CheckNamesCasesCarriedOutOverdue) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Receive("W-1", "a", "2024-02-03")}));
  ASSERT_OK(t->Append({Receive("W-2", "a", "2024-12-20")}));  // due 2025
  std::ostringstream out;
  ASSERT_OK(CheckCommand(*t.store, Year(2024), ReportOptions(),
                         testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(),
              HasSubstr("warning (check 8) case W-1: carried into 2025 already "
                        "overdue: due 2024-03-06"));
  EXPECT_THAT(out.str(), Not(HasSubstr("case W-2")));
  EXPECT_THAT(out.str(),
              HasSubstr("0 error(s), 4 warning(s)"));  // + 3 parts unwritten
}

// Finding 2: cases concluded with an unknown due date vanished between "on
// time" and "late"; check named only a few of them.
TEST(Issue18Test, Finding2UnknownDueDatesAreCountedAndNamed) {
  TestStore t;
  Fill(t);
  // 2022 has no calendar data: the due date cannot be computed.
  ASSERT_OK(t->Append({Receive("U-1", "a", "2022-12-20")}));
  ASSERT_OK(t->Append({CaseEvent("U-1", "2023-01-10",
                                 R"("answered":{"outcome":"DISCLOSED"})")}));
  // Concluded while a correction was outstanding: no answer was due.
  ASSERT_OK(t->Append({Receive("N-1", "a", "2023-03-01")}));
  ASSERT_OK(t->Append(
      {CaseEvent("N-1", "2023-03-03",
                 R"("correctionRequested":{"dueOn":"2023-03-20"})")}));
  ASSERT_OK(t->Append(
      {CaseEvent("N-1", "2023-04-03",
                 R"("answered":{"outcome":"OTHER_NO_CORRECTION"})")}));
  ASSERT_OK_AND_ASSIGN(std::string text,
                       ReportExtras(*t.store, Year(2023), Calendar::BuiltIn(),
                                    ReportFormat::kText));
  // concluded 2 = on time 0 + late 0 + unknown 1 + no due 1.
  EXPECT_THAT(text, HasSubstr("unknown  no due"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nall +2 +0 +0 +1 +1 "));
  ASSERT_OK_AND_ASSIGN(std::string json,
                       ReportExtras(*t.store, Year(2023), Calendar::BuiltIn(),
                                    ReportFormat::kJson));
  EXPECT_THAT(json, HasSubstr(R"("calendarUnknown":1,"noDueDate":1)"));
  std::ostringstream out;
  ASSERT_OK(CheckCommand(*t.store, Year(2023), ReportOptions(),
                         testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(),
              HasSubstr("warning (compliance DUE_DATE_UNKNOWN) case U-1:"));
}

// Finding 6: a correction or a fee the applicant never sent sat in the due
// list as "waiting" for ever.
TEST(Issue18Test, Finding6LapsedApplicantTimeIsShownAndCounted) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Receive("K-1", "a", "2024-09-13")}));
  ASSERT_OK(t->Append(
      {CaseEvent("K-1", "2024-09-20",
                 R"("correctionRequested":{"dueOn":"2024-10-10"})")}));
  ASSERT_OK(t->Append({Receive("F-1", "a", "2024-06-03")}));
  ASSERT_OK(t->Append({CaseEvent(
      "F-1", "2024-06-05",
      R"("feeNoticed":{"method":"PER_PAGE","amountFen":20000,"pages":50})")}));
  DueOptions due;
  due.today = Day("2024-12-02");
  due.clock_day = Day("2026-12-04");
  std::ostringstream out;
  ASSERT_OK(DueCommand(*t.store, due, Calendar::BuiltIn(), out));
  EXPECT_THAT(out.str(),
              HasSubstr("the applicant's time ran out on 2024-10-10: may be "
                        "concluded as OTHER_NO_CORRECTION"));
  // WD(2024-06-05, 20) = 2024-07-04 (06-10 is off).
  EXPECT_THAT(out.str(),
              HasSubstr("the applicant's time ran out on 2024-07-04: may be "
                        "concluded as OTHER_FEE_UNPAID"));
  // Before the correction deadline: the applicant's date, not a lapse.
  due.today = Day("2024-10-08");
  out.str("");
  ASSERT_OK(DueCommand(*t.store, due, Calendar::BuiltIn(), out));
  EXPECT_THAT(out.str(), HasSubstr("the applicant has until 2024-10-10"));

  out.str("");
  ASSERT_OK(DeadlineCommand(*t.store, "K-1", Calendar::BuiltIn(),
                            Day("2024-12-02"), OutputFormat::kJson, out));
  EXPECT_THAT(
      out.str(),
      HasSubstr(
          R"("applicantDueOn":"2024-10-10","applicantLapsed":true,"lapseOutcome":"OTHER_NO_CORRECTION")"));

  out.str("");
  ASSERT_OK(CheckCommand(*t.store, Year(2024), ReportOptions(),
                         testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 8, lapsed) case F-1"));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 8, lapsed) case K-1"));
  EXPECT_THAT(out.str(),
              HasSubstr("0 error(s), 5 warning(s)"));  // + 3 parts unwritten
}

// Finding 3: the document printed "no fee collected" beside a fee count,
// placeholders for missing parts with exit 0, and today's date.
TEST(Issue18Test, Finding3DocumentProblemsAreFoundAndDateIsAskedFor) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Receive("D-1", "a", "2024-03-04")}));
  ASSERT_OK(t->Append({CaseEvent(
      "D-1", "2024-03-06",
      R"("feeNoticed":{"method":"PER_PAGE","amountFen":10000,"pages":40})")}));
  ASSERT_OK(t->Append(
      {CaseEvent("D-1", "2024-03-08", R"("feePaid":{"amountFen":10000})")}));
  ASSERT_OK(t->Append({Ev(
      R"({"agencyId":"a","occurredOn":"2024-03-09","narrativeSet":{"year":2024,"section":"OTHER","text":"本年度未收取任何信息处理费。"}})")}));
  std::ostringstream out, warnings;
  ASSERT_OK(CheckCommand(*t.store, Year(2024), ReportOptions(),
                         testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 10) document/other: part "
                                   "六's text says no fee was collected, but 1 "
                                   "application(s) paid fees"));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 10) document/overview:"));

  ReportOptions options;
  options.request = Year(2024);
  options.kind = ReportKind::kDocument;
  options.format = ReportFormat::kMd;
  options.warnings = &warnings;
  out.str("");
  EXPECT_THAT(ReportCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kInvalidArgument));  // no --date
  options.date = absl::CivilDay(2025, 1, 20);
  ASSERT_OK(ReportCommand(*t.store, options, out));
  EXPECT_THAT(out.str(),
              HasSubstr("本年度共对1件申请收取信息处理费，合计100元。"));
  EXPECT_THAT(out.str(), Not(HasSubstr("未收取")));
  EXPECT_THAT(out.str(), HasSubstr("2025年1月20日"));
  EXPECT_THAT(warnings.str(), HasSubstr("document/problems"));
  options.strict = ReportOptions::Strict::kYes;
  out.str("");
  EXPECT_THAT(ReportCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(out.str(), "");
  // --date belongs to --document.
  ReportOptions tables;
  tables.request = Year(2024);
  tables.date = absl::CivilDay(2025, 1, 20);
  EXPECT_THAT(ReportCommand(*t.store, tables, out),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Finding 4: check --table took the cells a truncated file lacks as 0.
TEST(Issue18Test, Finding4MissingCellsAreFindingsNotZeros) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Receive("T-1", "a", "2024-03-04")}));
  ReportOptions options;
  options.request = Year(2024);
  options.format = ReportFormat::kCsv;
  std::ostringstream csv;
  ASSERT_OK(ReportCommand(*t.store, options, csv));
  // The whole table: clean.
  const std::string whole = t.dir.Sub("whole.csv");
  std::ofstream(whole) << csv.str();
  std::ostringstream out;
  ASSERT_OK(CheckTableCommand(whole, out));
  EXPECT_THAT(out.str(), Not(HasSubstr("missing")));
  // `head -20`.
  std::string head;
  std::istringstream lines(csv.str());
  std::string line;
  for (int i = 0; i < 20 && std::getline(lines, line); ++i) head += line + "\n";
  const std::string cut = t.dir.Sub("head.csv");
  std::ofstream(cut) << head;
  out.str("");
  EXPECT_THAT(CheckTableCommand(cut, out),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(out.str(),
              HasSubstr("error (check 5) applications/results_total/total: "
                        "missing cell (no line in the file)\n"));
  EXPECT_THAT(out.str(), Not(HasSubstr("(check 3)")));
  EXPECT_THAT(out.str(), HasSubstr("cell(s) missing: checks 1-4 skipped"));
}

// Finding 5: a per-page quote without pages said "0.00 yuan".
TEST(Issue18Test, Finding5PerPageQuoteNeedsPages) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Receive("Q-1", "a", "2024-03-04")}));
  std::ostringstream out;
  EXPECT_THAT(
      FeeQuoteCommand(*t.store, "Q-1", FeeMethod::kPerPage, std::nullopt, out),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(out.str(), "");
  ASSERT_OK(FeeQuoteCommand(*t.store, "Q-1", FeeMethod::kPerPage, 250, out));
  EXPECT_THAT(out.str(), HasSubstr("4700.00 yuan"));
}

// Finding 7: an amendment carrying only the corrected field wiped the rest.
TEST(Issue18Test, Finding7PartialAmendmentKeepsTheOtherFields) {
  TestStore t;
  Fill(t);
  ASSERT_OK(t->Append({Ev(
      R"({"caseId":"P-1","agencyId":"a","occurredOn":"2024-03-04","received":{"applicant":{"category":"NATURAL_PERSON","name":"张某","idNumber":"110101199003070011"},"channel":"POST","items":2}})")}));
  ASSERT_OK(t->Append({CaseEvent(
      "P-1", "2024-03-20",
      R"("amended":{"version":1,"reason":"类型录入错误","fields":"applicant.category","received":{"applicant":{"category":"COMMERCIAL_ENTERPRISE"}}})")}));
  ASSERT_OK(t->Append({CaseEvent("P-1", "2024-03-25",
                                 R"("answered":{"outcome":"DISCLOSED"})")}));
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "live" : "after reopen");
    ASSERT_OK_AND_ASSIGN(
        FeeQuote quote,
        QuoteFee(*t.store, "P-1", FeeMethod::kPerApplication, 0));
    EXPECT_EQ(quote.first, 1);
    EXPECT_EQ(quote.count, 2);  // items kept
    ASSERT_OK_AND_ASSIGN(std::string extras,
                         ReportExtras(*t.store, Year(2024), Calendar::BuiltIn(),
                                      ReportFormat::kText));
    EXPECT_THAT(extras, HasSubstr("channel POST"));
    EXPECT_THAT(extras, HasSubstr("category COMMERCIAL_ENTERPRISE"));
    EXPECT_THAT(extras, Not(HasSubstr("UNSPECIFIED")));
    std::ostringstream out;
    ASSERT_OK(HistoryCommand(*t.store, "P-1", OutputFormat::kText,
                             PersonalData::kMasked,
                             testing::JudgeOn("2026-12-04"), out));
    EXPECT_THAT(out.str(),
                HasSubstr("↳ corrected by v2 on 2024-03-20 (partial): "
                          "applicant.category: NATURAL_PERSON → "
                          "COMMERCIAL_ENTERPRISE\n"));
    t.Reopen();
  }
  // Without `fields` the replacement is whole: what it lacks is removed,
  // and the history says so.
  ASSERT_OK(t->Append({CaseEvent(
      "P-1", "2024-04-01",
      R"("amended":{"version":1,"reason":"整体更正","received":{"applicant":{"category":"NATURAL_PERSON","name":"李某"},"channel":"ONLINE"}})")}));
  std::ostringstream out;
  ASSERT_OK(HistoryCommand(*t.store, "P-1", OutputFormat::kText,
                           PersonalData::kMasked,
                           testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(),
              HasSubstr("applicant.category: COMMERCIAL_ENTERPRISE → "
                        "NATURAL_PERSON · applicant.name: *** → *** · "
                        "applicant.idNumber: *** → (removed) · channel: POST "
                        "→ ONLINE · items: 2 → (removed)"));
  // A path that is not a field of the payload is refused, naming it.
  EXPECT_THAT(
      t
          ->Append({CaseEvent(
              "P-1", "2024-04-02",
              R"("amended":{"version":1,"reason":"x","fields":"applicant.nope","received":{"applicant":{"category":"NATURAL_PERSON"}}})")})
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

// The step-level merge (what reports and deadlines fold) agrees with the
// full-event merge (what history and fee quotes read) for every field of
// every payload the engine steps read.
TEST(Issue18Test, Finding7StepMergeAgreesWithEventMerge) {
  struct Row {
    const char* original;
    const char* replacement;  // differs from the original in every field
  };
  const Row rows[] = {
      {R"("received":{"applicant":{"category":"NATURAL_PERSON","name":"甲"},"channel":"POST","items":2})",
       R"("received":{"applicant":{"category":"OTHER_ORGANIZATION","name":"乙"},"channel":"ONLINE","items":5})"},
      {R"("correctionRequested":{"dueOn":"2024-03-10","note":"a"})",
       R"("correctionRequested":{"dueOn":"2024-03-12","note":"b"})"},
      {R"("consultationStarted":{"consultationId":"c1","party":"THIRD_PARTY"})",
       R"("consultationStarted":{"consultationId":"c2","party":"AGENCY"})"},
      {R"("extended":{"workingDays":5,"approvedBy":"李"})",
       R"("extended":{"workingDays":9})"},
      {R"("feeNoticed":{"method":"PER_PAGE","amountFen":100,"pages":40})",
       R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":300,"pages":0})"},
      {R"("answered":{"outcome":"DISCLOSED"})",
       R"("answered":{"outcome":"WITHHELD_STATE_SECRET"})"},
      {R"("appealFiled":{"appealId":"A1","kind":"RECONSIDERATION"})",
       R"("appealFiled":{"appealId":"A2","kind":"LITIGATION_DIRECT"})"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.original);
    const v1::Event original = CaseEvent("X", "2024-03-04", row.original);
    const v1::Event whole = CaseEvent("X", "2024-03-04", row.replacement);
    const auto* field = whole.GetReflection()->GetOneofFieldDescriptor(
        whole, whole.GetDescriptor()->oneof_decl(0));
    ASSERT_NE(field, nullptr);
    std::vector<std::string> paths;
    const auto* payload = field->message_type();
    for (int i = 0; i < payload->field_count(); ++i) {
      const auto* f = payload->field(i);
      if (f->message_type() != nullptr) {
        for (int j = 0; j < f->message_type()->field_count(); ++j)
          paths.push_back(absl::StrCat(
              f->json_name(), ".", f->message_type()->field(j)->json_name()));
      }
      paths.push_back(f->json_name());
    }
    for (const std::string& path : paths) {
      SCOPED_TRACE(path);
      v1::Event amendment = CaseEvent(
          "X", "2024-03-05",
          absl::StrCat(R"("amended":{"version":1,"reason":"r","fields":")",
                       path, "\",", row.replacement, "}"));
      const v1::Event merged = ApplyAmendment(original, amendment);
      ASSERT_OK_AND_ASSIGN(std::vector<std::string> canonical,
                           AmendmentFields(amendment));
      const CaseStep step =
          MergeStep(StepOf(original), StepOf(AmendmentReplacement(amendment)),
                    StepFields(original.payload_case(), canonical));
      const CaseStep want = StepOf(merged);
      EXPECT_EQ(step.code, want.code);
      EXPECT_EQ(step.channel, want.channel);
      EXPECT_EQ(step.amount, want.amount);
      EXPECT_EQ(step.ref, want.ref);
      EXPECT_EQ(step.due_day, want.due_day);
      EXPECT_EQ(step.has_due, want.has_due);
    }
  }
}

}  // namespace
}  // namespace ogi
