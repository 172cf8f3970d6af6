// ogi deadline, ogi due, ogi fee quote, and the compliance flags in ogi
// history and ogi check.
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
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;
using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::Event Received(const std::string& id, const std::string& agency,
                   const std::string& date, const std::string& applicant,
                   int items = 1) {
  return Ev(absl::StrCat(R"({"caseId":")", id, R"(","agencyId":")", agency,
                         R"(","occurredOn":")", date,
                         R"(","received":{"applicant":)", applicant,
                         R"(,"channel":"ONLINE","items":)", items, "}}"));
}

const std::string kZhang =
    R"({"category":"NATURAL_PERSON","name":"张某","idNumber":"110101199003070011"})";

absl::CivilDay Day(const char* text) { return *ParseCivilDay(text); }

class DeadlineCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.clock.SetDay(absl::CivilDay(2026, 12, 31));
    ASSERT_OK(t_->Append({RegisterAgency("city"), RegisterAgency("a1", "city"),
                          RegisterAgency("b1")}));
    ASSERT_OK(t_->Append({Received("C1", "a1", "2024-09-13", kZhang)}));
    ASSERT_OK(t_->Append(
        {CaseEvent("C1", "2024-10-10",
                   R"("extended":{"workingDays":10,"approvedBy":"李主任"})")}));
    ASSERT_OK(t_->Append({Received("C2", "a1", "2024-09-20", kZhang, 12)}));
    ASSERT_OK(t_->Append({Received("C3", "a1", "2024-09-27", kZhang)}));
    ASSERT_OK(t_->Append({CaseEvent("C3", "2024-11-11",
                                    R"("answered":{"outcome":"DISCLOSED"})")}));
    ASSERT_OK(t_->Append({Received("D1", "b1", "2024-10-08", kZhang)}));
  }
  TestStore t_;
};

TEST_F(DeadlineCommandsTest, DeadlineJsonHasTheContractFields) {
  std::ostringstream out;
  ASSERT_OK(DeadlineCommand(*t_.store, "C1", Calendar::BuiltIn(),
                            Day("2024-11-01"), OutputFormat::kJson, out));
  const std::string json = out.str();
  EXPECT_THAT(
      json,
      StartsWith(
          R"({"caseId":"C1","dayZero":"2024-09-13","dueOn":"2024-10-31","calendarKnown":true,"status":"open","concludedOn":null,"overdue":true,"workingDaysOverdue":1,)"));
  EXPECT_THAT(json, HasSubstr(R"("kind":"extension")"));
  EXPECT_THAT(json, HasSubstr(R"("calendarYears":[2023,2024,2025,2026]})"));

  out.str("");
  ASSERT_OK(DeadlineCommand(*t_.store, "C3", Calendar::BuiltIn(),
                            Day("2024-12-01"), OutputFormat::kText, out));
  EXPECT_THAT(out.str(), HasSubstr("20 working days after day 0 (2024-09-27): "
                                   "2024-10-30."));
  EXPECT_THAT(out.str(), HasSubstr("Concluded on 2024-11-11, after the due "
                                   "date: late."));
  EXPECT_THAT(out.str(), HasSubstr("Flag ANSWERED_LATE"));
  EXPECT_THAT(DeadlineCommand(*t_.store, "NOPE", Calendar::BuiltIn(),
                              Day("2024-12-01"), OutputFormat::kText, out),
              StatusIs(absl::StatusCode::kNotFound, "case NOPE"));
}

TEST_F(DeadlineCommandsTest, AnUnknownCalendarYearGivesANullDueDate) {
  ASSERT_OK(t_->Append({Received("Z1", "a1", "2026-12-20", kZhang)}));
  std::ostringstream out;
  ASSERT_OK(DeadlineCommand(*t_.store, "Z1", Calendar::BuiltIn(),
                            Day("2026-12-21"), OutputFormat::kJson, out));
  EXPECT_THAT(out.str(), HasSubstr(R"("dueOn":null,"calendarKnown":false)"));
  EXPECT_THAT(out.str(), HasSubstr("calendar unknown for 2027"));
  // Loading 2027 makes it known.
  Calendar more = Calendar::BuiltIn();
  more.Merge(*Calendar::Parse("year 2027\noff 01-01\n", "2027.txt"));
  out.str("");
  ASSERT_OK(DeadlineCommand(*t_.store, "Z1", more, Day("2026-12-21"),
                            OutputFormat::kJson, out));
  EXPECT_THAT(out.str(),
              HasSubstr(R"("dueOn":"2027-01-18","calendarKnown":true)"));
}

TEST_F(DeadlineCommandsTest, DueListsOpenCasesByDueDateWithinScope) {
  DueOptions options;
  options.today = Day("2024-10-20");
  options.clock_day = Day("2026-12-04");
  std::ostringstream out;
  ASSERT_OK(DueCommand(*t_.store, options, Calendar::BuiltIn(), out));
  const std::string all = out.str();
  // C2 due 10-23 (09-20 + 20; 10-01..07 off, 09-29 and 10-12 worked), C3
  // 10-30, C1 10-31 (extended), D1 11-05. On 10-20, C3 was still open (it is
  // answered on 11-11): a past day is judged on the cases as they stood.
  EXPECT_LT(all.find("C2"), all.find("C3"));
  EXPECT_LT(all.find("C3"), all.find("C1"));
  EXPECT_LT(all.find("C1"), all.find("D1"));
  EXPECT_THAT(all, HasSubstr("2024-10-23  C2  a1  3 working day(s) left"));
  options.today = Day("2024-11-12");
  out.str("");
  ASSERT_OK(DueCommand(*t_.store, options, Calendar::BuiltIn(), out));
  EXPECT_EQ(out.str().find("C3"), std::string::npos);
  EXPECT_THAT(out.str(), HasSubstr("C1  a1  8 working day(s) overdue"));
  options.today = Day("2024-10-20");
  EXPECT_THAT(all, HasSubstr("2024-10-31  C1  a1  9 working day(s) left"));

  options.agency_id = "city";
  options.rollup = true;
  out.str("");
  ASSERT_OK(DueCommand(*t_.store, options, Calendar::BuiltIn(), out));
  EXPECT_EQ(out.str().find("D1"), std::string::npos);
  EXPECT_THAT(out.str(), HasSubstr("C2"));
  options.within = 5;
  out.str("");
  ASSERT_OK(DueCommand(*t_.store, options, Calendar::BuiltIn(), out));
  EXPECT_THAT(out.str(), HasSubstr("C2"));
  EXPECT_EQ(out.str().find("C1"), std::string::npos);
  options.agency_id = "nope";
  EXPECT_THAT(DueCommand(*t_.store, options, Calendar::BuiltIn(), out),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(DeadlineCommandsTest,
       PerApplicationQuoteCountsTheApplicantsMonthAtTheAgency) {
  // September at a1: C1 (1), C2 (12 items: 2-13), C3 (14). D1 is at b1.
  ASSERT_OK_AND_ASSIGN(
      FeeQuote c3, QuoteFee(*t_.store, "C3", FeeMethod::kPerApplication, 0));
  EXPECT_EQ(c3.first, 14);
  EXPECT_EQ(c3.count, 1);
  EXPECT_EQ(c3.month_cases, 3u);
  EXPECT_EQ(c3.fee_fen, 10000);
  ASSERT_OK_AND_ASSIGN(
      FeeQuote c2, QuoteFee(*t_.store, "C2", FeeMethod::kPerApplication, 0));
  EXPECT_EQ(c2.first, 2);
  EXPECT_EQ(c2.count, 12);
  EXPECT_EQ(c2.fee_fen, 30000);  // numbers 11, 12, 13
  ASSERT_OK_AND_ASSIGN(
      FeeQuote d1, QuoteFee(*t_.store, "D1", FeeMethod::kPerApplication, 0));
  EXPECT_EQ(d1.first, 1);
  EXPECT_EQ(d1.fee_fen, 0);
  EXPECT_THAT(c3.derivation, ::testing::Not(HasSubstr("110101199003070011")));
  ASSERT_OK_AND_ASSIGN(FeeQuote pages,
                       QuoteFee(*t_.store, "C3", FeeMethod::kPerPage, 250));
  EXPECT_EQ(pages.fee_fen, 470000);

  // A wrong per-application notice is flagged in deadline, history and check.
  ASSERT_OK(t_->Append({CaseEvent(
      "C3", "2024-11-12",
      R"("appealFiled":{"appealId":"x","kind":"RECONSIDERATION"})")}));
  ASSERT_OK(t_->Append({CaseEvent(
      "C2", "2024-09-25",
      R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":10000})")}));
  std::ostringstream out;
  ASSERT_OK(HistoryCommand(*t_.store, "C2", OutputFormat::kText,
                           PersonalData::kMasked,
                           testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(), HasSubstr("flag FEE_AMOUNT_DIFFERS"));
  out.str("");
  ReportRequest request{2024, "city", Scope::kRollup};
  ASSERT_OK(CheckCommand(*t_.store, request, ReportOptions(),
                         testing::JudgeOn("2026-12-04"), out));
  EXPECT_THAT(out.str(),
              HasSubstr("warning (compliance FEE_AMOUNT_DIFFERS) case C2"));
  EXPECT_THAT(out.str(),
              HasSubstr("warning (compliance ANSWERED_LATE) case C3"));

  // Erased: the applicant cannot be identified any more.
  ASSERT_OK(t_->Append(
      {CaseEvent("C1", "2024-11-15", R"("personalDataErased":{})")}));
  EXPECT_THAT(
      QuoteFee(*t_.store, "C1", FeeMethod::kPerApplication, 0),
      StatusIs(absl::StatusCode::kFailedPrecondition, "cannot be identified"));
}

TEST_F(DeadlineCommandsTest, ReportExtrasCountLateAnswersAndOpenCasesPastDue) {
  ASSERT_OK(t_->Append({Received("E1", "a1", "2024-03-01", kZhang)}));
  ASSERT_OK(t_->Append({CaseEvent("E1", "2024-03-05",
                                  R"("answered":{"outcome":"DISCLOSED"})")}));
  ReportRequest request{2024, "city", Scope::kRollup};
  ASSERT_OK_AND_ASSIGN(std::string json,
                       ReportExtras(*t_.store, request, Calendar::BuiltIn(),
                                    ReportFormat::kJson));
  // Concluded in 2024: E1 in 2 working days (on time), C3 in 28 (late). Open
  // on 12-31 and past due: C1 and C2 (D1 is outside the roll-up).
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("all":{"concluded":2,"onTime":1,"answeredLate":1,"onTimeRate":0.5000,"medianWorkingDays":2,"p90WorkingDays":28,"openPastDueAtYearEnd":2,"calendarUnknown":0,"noDueDate":0})"));
  EXPECT_THAT(json, HasSubstr(R"("channel ONLINE":{"concluded":2,)"));
  ReportOptions options;
  options.request = request;
  options.format = ReportFormat::kJson;
  options.extras = true;
  options.calendar = &Calendar::BuiltIn();
  std::ostringstream out;
  ASSERT_OK(ReportCommand(*t_.store, options, out));
  EXPECT_THAT(out.str(), HasSubstr(R"(,"extras":{"all":)"));
  options.format = ReportFormat::kCsv;
  EXPECT_THAT(ReportCommand(*t_.store, options, out),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ogi
