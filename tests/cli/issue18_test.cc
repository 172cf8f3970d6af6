// Regression tests of issue 18 ("what a clerk and an auditor hit"): each
// finding reproduced on a small store, through the command functions the
// `ogi` binary calls.
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/civil_date.h"
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
  ASSERT_OK(CheckCommand(*t.store, Year(2024), "", out));
  EXPECT_THAT(out.str(),
              HasSubstr("warning (check 8) case W-1: carried into 2025 already "
                        "overdue: due 2024-03-06"));
  EXPECT_THAT(out.str(), Not(HasSubstr("case W-2")));
  EXPECT_THAT(out.str(), HasSubstr("0 error(s), 1 warning(s)"));
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
  ASSERT_OK(CheckCommand(*t.store, Year(2023), "", out));
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
  ASSERT_OK(CheckCommand(*t.store, Year(2024), "", out));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 8, lapsed) case F-1"));
  EXPECT_THAT(out.str(), HasSubstr("warning (check 8, lapsed) case K-1"));
  EXPECT_THAT(out.str(), HasSubstr("0 error(s), 2 warning(s)"));
}

}  // namespace
}  // namespace ogi
