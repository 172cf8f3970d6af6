// The working-day calendar: every worked example of docs/DEADLINES.md, the
// yearly working-day counts, unknown years, and the text format's errors.
#include "engine/calendar.h"

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/civil_date.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::testing::ElementsAre;

absl::CivilDay Day(const char* text) { return *ParseCivilDay(text); }

TEST(CalendarTest, WorkedExamplesOfDeadlinesMd) {
  const struct {
    const char* day_zero;
    int n;
    const char* expected;
  } kExamples[] = {
      {"2024-09-13", 20, "2024-10-17"}, {"2024-09-13", 7, "2024-09-25"},
      {"2024-02-03", 20, "2024-03-06"}, {"2025-01-24", 20, "2025-02-27"},
      {"2023-09-27", 20, "2023-10-31"}, {"2026-02-13", 20, "2026-03-19"},
      {"2024-12-20", 20, "2025-01-20"},
  };
  const Calendar& calendar = Calendar::BuiltIn();
  for (const auto& example : kExamples) {
    SCOPED_TRACE(absl::StrCat(example.day_zero, " + ", example.n));
    ASSERT_OK_AND_ASSIGN(
        absl::CivilDay due,
        calendar.AddWorkingDays(Day(example.day_zero), example.n));
    EXPECT_EQ(FormatCivilDay(due), example.expected);
  }
}

TEST(CalendarTest, WorkingDaysPerYearMatchTheSpec) {
  const Calendar& calendar = Calendar::BuiltIn();
  EXPECT_THAT(calendar.Years(), ElementsAre(2023, 2024, 2025, 2026));
  for (const auto& [year, expected] :
       {std::pair{2023, 249}, {2024, 251}, {2025, 248}, {2026, 248}}) {
    ASSERT_OK_AND_ASSIGN(
        int days, calendar.WorkingDaysBetween(absl::CivilDay(year - 1, 12, 31),
                                              absl::CivilDay(year, 12, 31)));
    EXPECT_EQ(days, expected) << year;
  }
}

TEST(CalendarTest, SpecialDays) {
  const Calendar& c = Calendar::BuiltIn();
  EXPECT_EQ(*c.IsWorkingDay(Day("2024-09-14")), true);  // a Saturday worked
  EXPECT_EQ(*c.IsWorkingDay(Day("2024-10-01")), false);
  EXPECT_EQ(*c.IsWorkingDay(Day("2024-02-09")), true);   // 除夕 2024
  EXPECT_EQ(*c.IsWorkingDay(Day("2025-01-28")), false);  // 除夕 2025
  EXPECT_EQ(*c.IsWorkingDay(Day("2023-12-29")), true);
  EXPECT_EQ(*c.IsWorkingDay(Day("2024-01-01")), false);
}

TEST(CalendarTest, AnUnknownYearIsNeverGuessed) {
  const Calendar& c = Calendar::BuiltIn();
  EXPECT_THAT(c.IsWorkingDay(Day("2027-03-01")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "calendar unknown for 2027"));
  EXPECT_THAT(c.AddWorkingDays(Day("2026-12-20"), 20),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "calendar unknown for 2027"));
  EXPECT_THAT(c.IsWorkingDay(Day("2022-06-01")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "calendar unknown for 2022"));
}

TEST(CalendarTest, MoreYearsLoadFromFilesAndReplaceTheBuiltIn) {
  testing::TempDir dir;
  {
    std::ofstream f(dir.Sub("2027.txt"));
    f << "# hypothetical\nyear 2027\noff 01-01\noff 02-05..02-11\nwork "
         "02-14\n";
  }
  {
    std::ofstream f(dir.Sub("2026.txt"));  // a corrected 2026: no holidays
    f << "year 2026\n";
  }
  ASSERT_OK_AND_ASSIGN(Calendar c, Calendar::Load(dir.path()));
  EXPECT_THAT(c.Years(), ElementsAre(2023, 2024, 2025, 2026, 2027));
  EXPECT_EQ(*c.IsWorkingDay(Day("2027-02-08")), false);
  EXPECT_EQ(*c.IsWorkingDay(Day("2027-02-14")), true);
  EXPECT_EQ(*c.IsWorkingDay(Day("2026-10-01")), true);  // replaced
  ASSERT_OK_AND_ASSIGN(absl::CivilDay due,
                       c.AddWorkingDays(Day("2026-12-20"), 20));
  EXPECT_EQ(FormatCivilDay(due), "2027-01-18");
}

TEST(CalendarTest, MalformedFilesNameTheLine) {
  for (const auto& [text, message] :
       {std::pair{"off 01-01\n", "t.txt:1: a 'year' line must come first"},
        {"year 2024\nholiday 01-01\n", "t.txt:2: unknown directive"},
        {"year 20x4\n", "t.txt:1: '20x4' is not a year"},
        {"year 2024\noff 13-01\n", "t.txt:2: '13-01' is not a date"},
        {"year 2024\noff 02-10..02-01\n",
         "t.txt:2: '02-10..02-01' is not a "
         "range"},
        {"year 2024 off\n", "t.txt:1: expected"}}) {
    EXPECT_THAT(Calendar::Parse(text, "t.txt"),
                StatusIs(absl::StatusCode::kInvalidArgument, message))
        << text;
  }
}

}  // namespace
}  // namespace ogi
