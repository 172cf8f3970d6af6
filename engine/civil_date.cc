// Parsing and formatting of effective dates; see civil_date.h.
#include "engine/civil_date.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/messages.h"

namespace ogi {
namespace {

constexpr int kChinaStandardOffsetSeconds = 8 * 60 * 60;

// Reads `count` ASCII digits starting at `pos`; returns -1 if any is not a
// digit.
int Digits(absl::string_view text, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool IsLeap(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a valid
// proleptic Gregorian date.
int32_t DaysFromCivil(int year, int month, int day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year =
      (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

}  // namespace

absl::CivilDay EpochDayToCivil(int32_t days) {
  // Howard Hinnant's civil_from_days.
  const int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                               day_of_era / 36524 - day_of_era / 146096) /
                              365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2);
  return absl::CivilDay(year, static_cast<int>(month), static_cast<int>(day));
}

std::optional<int32_t> ParseEpochDay(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return DaysFromCivil(year, month, day);
}

absl::TimeZone AgencyTimeZone() {
  return absl::FixedTimeZone(kChinaStandardOffsetSeconds);
}

absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        Text(Msg::kNotADate, text.size() <= 32 ? text : text.substr(0, 32)));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 31)
    return bad();
  const absl::CivilDay civil(year, month, day);
  // CivilDay normalises 2023-02-30 to 2023-03-02; a real date survives the
  // round trip.
  if (civil.year() != year || civil.month() != month || civil.day() != day)
    return bad();
  return civil;
}

std::string FormatCivilDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::CivilDay AgencyDay(absl::Time instant) {
  return absl::ToCivilDay(instant, AgencyTimeZone());
}

}  // namespace ogi
