#include "engine/civil_date.h"

#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;

TEST(CivilDateTest, ParsesAndFormatsRealDates) {
  const struct {
    const char* text;
    absl::CivilDay want;
  } rows[] = {
      {"2023-03-06", absl::CivilDay(2023, 3, 6)},
      {"2024-02-29", absl::CivilDay(2024, 2, 29)},
      {"1999-12-31", absl::CivilDay(1999, 12, 31)},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    ASSERT_OK_AND_ASSIGN(absl::CivilDay day, ParseCivilDay(row.text));
    EXPECT_EQ(day, row.want);
    EXPECT_EQ(FormatCivilDay(day), row.text);
  }
}

TEST(CivilDateTest, RefusesMalformedAndImpossibleDates) {
  for (const char* text :
       {"", "2023-3-6", "2023/03/06", "2023-02-29", "2023-13-01", "2023-00-10",
        "2023-04-31", "20230306", "2023-03-06T00:00:00Z", "0999-01-01",
        "2023-03-0a", " 2023-03-06"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ParseCivilDay(text),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(CivilDateTest, AgencyDayIsUtcPlusEight) {
  // 2023-12-31T16:00:00Z is midnight of 2024-01-01 in Beijing: the year
  // boundary is the agency's, not UTC's.
  EXPECT_EQ(AgencyDay(absl::FromUnixSeconds(1704038400)),
            absl::CivilDay(2024, 1, 1));
  EXPECT_EQ(AgencyDay(absl::FromUnixSeconds(1704038399)),
            absl::CivilDay(2023, 12, 31));
}

}  // namespace
}  // namespace ogi
