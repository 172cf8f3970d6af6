#include "engine/civil_date.h"

#include <optional>
#include <string>

#include "absl/strings/str_format.h"
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

TEST(CivilDateTest, EpochDayAcceptsWhatParseCivilDayAcceptsAndAgrees) {
  const absl::CivilDay epoch(1970, 1, 1);
  // Every day of 1899-2101 (leap centuries included), written out and also
  // with an impossible day of the month.
  for (absl::CivilDay d(1899, 1, 1); d <= absl::CivilDay(2101, 12, 31); ++d) {
    const std::string text = FormatCivilDay(d);
    ASSERT_EQ(ParseEpochDay(text), std::optional<int32_t>(d - epoch)) << text;
    ASSERT_EQ(EpochDayToCivil(static_cast<int32_t>(d - epoch)), d) << text;
    const std::string impossible =
        absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day() + 3);
    ASSERT_EQ(ParseEpochDay(impossible).has_value(),
              ParseCivilDay(impossible).ok())
        << impossible;
  }
  for (const char* text :
       {"", "2023-3-6", "2023/03/06", "2023-02-29", "2023-13-01", "2023-00-10",
        "2023-04-31", "20230306", "2023-03-06T00:00:00Z", "0999-01-01",
        "2023-03-0a", " 2023-03-06", "1000-01-01", "9999-12-31", "2000-02-29",
        "1900-02-29", "2023-00-00", "-023-01-01", "2023-+1-01"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseEpochDay(text).has_value(), ParseCivilDay(text).ok());
    if (auto day = ParseCivilDay(text); day.ok()) {
      EXPECT_EQ(ParseEpochDay(text), std::optional<int32_t>(*day - epoch));
    }
  }
}

TEST(CivilDateTest, EpochDayToCivilFarFromTheEpoch) {
  const absl::CivilDay epoch(1970, 1, 1);
  for (const absl::CivilDay d :
       {absl::CivilDay(1000, 1, 1), absl::CivilDay(1600, 2, 29),
        absl::CivilDay(9999, 12, 31), absl::CivilDay(1969, 12, 31)}) {
    EXPECT_EQ(EpochDayToCivil(static_cast<int32_t>(d - epoch)), d);
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
