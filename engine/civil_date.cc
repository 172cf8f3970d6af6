// Parsing and formatting of effective dates; see civil_date.h.
#include "engine/civil_date.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

}  // namespace

absl::TimeZone AgencyTimeZone() {
  return absl::FixedTimeZone(kChinaStandardOffsetSeconds);
}

absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text.size() <= 32 ? text : text.substr(0, 32),
                     "\" is not a date YYYY-MM-DD"));
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
