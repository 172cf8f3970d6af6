// One calendar and one "today" per process: a store whose own calendar
// differs from the built-in one gets the same due date and the same verdict
// (late or on time, overdue or not) from every command that judges deadlines
// and from the service. Runs the real binary, since the choice is main()'s.
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/calendar.h"
#include "engine/civil_date.h"
#include "tests/testing/ogi_process.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::OgiResult;
using ::testing::HasSubstr;
using ::testing::Not;

// The store's own record of 2024 replaces the built-in one: all of October
// off (the built-in record has 10-01..10-07 off and 09-29, 10-12 worked).
constexpr char kStoreCalendar[] = "year 2024\noff 10-01..10-31\n";

class CalendarChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    const char* events[] = {
        R"({"agencyId":"a","occurredOn":"2020-01-01","agencyRegistered":{"name":"某局"}})",
        // C: answered 2024-11-15. D: never answered.
        R"({"caseId":"C","agencyId":"a","occurredOn":"2024-09-20","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})",
        R"({"caseId":"C","agencyId":"a","occurredOn":"2024-11-15","answered":{"outcome":"DISCLOSED"}})",
        R"({"caseId":"D","agencyId":"a","occurredOn":"2024-09-20","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})",
    };
    const std::string log = dir_.Sub("events.jsonl");
    {
      std::ofstream out(log);
      for (const char* e : events) out << e << "\n";
    }
    OgiResult imported = Ogi(absl::StrCat("import ", log));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    std::filesystem::create_directories(db_ + "/calendar");
    std::ofstream(db_ + "/calendar/2024.txt") << kStoreCalendar;

    // The due date on each calendar, from the engine's own rule.
    absl::StatusOr<Calendar> store_calendar =
        Calendar::ForStore(db_, /*path=*/"");
    ASSERT_TRUE(store_calendar.ok()) << store_calendar.status();
    store_due_ = FormatCivilDay(
        *store_calendar->AddWorkingDays(*ParseCivilDay("2024-09-20"), 20));
    builtin_due_ = FormatCivilDay(
        *Calendar::BuiltIn().AddWorkingDays(*ParseCivilDay("2024-09-20"), 20));
  }

  OgiResult Ogi(const std::string& args) {
    return testing::RunOgi(OGI_BINARY, db_, args);
  }

  testing::TempDir dir_;
  std::string db_;
  std::string store_due_;
  std::string builtin_due_;
};

TEST_F(CalendarChoiceTest, EveryCommandAndTheServiceJudgeByTheStoreCalendar) {
  // The two calendars disagree: on the built-in one C is answered late and D
  // is overdue on 2024-11-01; on the store's, neither.
  ASSERT_NE(store_due_, builtin_due_);
  EXPECT_EQ(builtin_due_, "2024-10-23");
  EXPECT_EQ(store_due_, "2024-11-20");

  OgiResult deadline = Ogi("deadline C --format json --on 2024-11-01");
  ASSERT_EQ(deadline.exit_code, 0) << deadline.output;
  EXPECT_THAT(deadline.output,
              HasSubstr(absl::StrCat(R"("dueOn":")", store_due_, "\"")));
  EXPECT_THAT(deadline.output, HasSubstr(R"("overdue":false)"));
  EXPECT_THAT(deadline.output, Not(HasSubstr("ANSWERED_LATE")));
  OgiResult open = Ogi("deadline D --format json --on 2024-11-01");
  EXPECT_THAT(open.output,
              HasSubstr(absl::StrCat(R"("dueOn":")", store_due_, "\"")));
  EXPECT_THAT(open.output, HasSubstr(R"("overdue":false)"));

  OgiResult due = Ogi("due --on 2024-11-01");
  ASSERT_EQ(due.exit_code, 0) << due.output;
  EXPECT_THAT(due.output, HasSubstr(absl::StrCat(store_due_, "  D  a  ")));
  EXPECT_THAT(due.output, HasSubstr("left"));
  EXPECT_THAT(due.output, Not(HasSubstr("overdue")));

  OgiResult history = Ogi("history C");
  ASSERT_EQ(history.exit_code, 0) << history.output;
  EXPECT_THAT(history.output, Not(HasSubstr("ANSWERED_LATE")));

  OgiResult check = Ogi("check --year 2024 --agency a");
  EXPECT_THAT(check.output, Not(HasSubstr("ANSWERED_LATE"))) << check.output;

  OgiResult extras =
      Ogi("report --year 2024 --agency a --extras --format json");
  ASSERT_EQ(extras.exit_code, 0) << extras.output;
  EXPECT_THAT(extras.output,
              HasSubstr(R"("all":{"concluded":1,"onTime":1,"answeredLate":0)"));

  // The service, asked through gRPC by `ogi client`.
  OgiResult created =
      Ogi("token create --name auditor --agency a --scope read,report");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::vector<std::string> lines =
      absl::StrSplit(created.output, '\n', absl::SkipEmpty());
  const std::string token = lines.back();
  std::string started;
  auto served = testing::ServedStore::Start(OGI_BINARY, db_, &started);
  ASSERT_NE(served, nullptr) << started;
  OgiResult served_deadline =
      Ogi(absl::StrCat("client --grpc 127.0.0.1:", served->grpc_port(),
                       " --token ", token, " deadline C --on 2024-11-01"));
  ASSERT_EQ(served_deadline.exit_code, 0) << served_deadline.output;
  EXPECT_THAT(served_deadline.output,
              HasSubstr(absl::StrCat(R"("dueOn":")", store_due_, "\"")));
  EXPECT_THAT(served_deadline.output, Not(HasSubstr("ANSWERED_LATE")));
  EXPECT_EQ(served->Stop(), 0);

  // Without the store's calendar (--calendar names a file with no records)
  // the built-in one decides, everywhere alike.
  const std::string empty = dir_.Sub("none.txt");
  std::ofstream(empty) << "# no records\n";
  std::filesystem::remove_all(db_ + "/calendar");
  deadline = Ogi("deadline C --format json --on 2024-11-01");
  EXPECT_THAT(deadline.output,
              HasSubstr(absl::StrCat(R"("dueOn":")", builtin_due_, "\"")));
  EXPECT_THAT(deadline.output, HasSubstr("ANSWERED_LATE"));
  history = Ogi(absl::StrCat("history C --calendar ", empty));
  EXPECT_THAT(history.output, HasSubstr("ANSWERED_LATE"));
  check = Ogi("check --year 2024 --agency a");
  EXPECT_THAT(check.output, HasSubstr("ANSWERED_LATE"));
}

}  // namespace
}  // namespace ogi

namespace ogi {
namespace {

// `ogi bogus`, `ogi report --bogus` and friends name the unknown word before
// CLI11's complaint about what is missing (issue 18, finding 8).
TEST(CommandLineTest, UnknownCommandsAndOptionsAreNamed) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  struct Row {
    const char* args;
    int exit_code;
    const char* says;
  };
  const Row rows[] = {
      {"bogus", 2, "unknown command 'bogus' of 'ogi'"},
      {"report --bogus", 2, "unknown option --bogus of 'ogi report'"},
      {"report --year 2024 --format=json --bogus=1", 2,
       "unknown option --bogus of 'ogi report'"},
      {"fee quote --case X --pagez 3", 2,
       "unknown option --pagez of 'ogi fee quote'"},
      {"token frob", 2, "unknown command 'frob' of 'ogi token'"},
      {"--version", 0, "ogi"},
      {"help", 0, "SUBCOMMAND"},
      // A known option before a missing one: still CLI11's message.
      {"report --agency a", 106, "--year is required"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.args);
    const testing::OgiResult result = testing::RunOgi(OGI_BINARY, db, row.args);
    EXPECT_EQ(result.exit_code, row.exit_code) << result.output;
    EXPECT_THAT(result.output, HasSubstr(row.says));
  }
  // Nothing was created by any of them.
  EXPECT_FALSE(std::filesystem::exists(db));
}

}  // namespace
}  // namespace ogi
