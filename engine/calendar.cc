// The working-day calendar; see calendar.h.
#include "engine/calendar.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/civil_date.h"
#include "engine/messages.h"

namespace ogi {
namespace {

// The State Council notices for 2023–2026, as docs/DEADLINES.md tabulates them.
constexpr absl::string_view kBuiltIn =
    R"(# Built into ogi: docs/DEADLINES.md, from the State Council notices.
year 2023
off 2022-12-31..2023-01-02
off 01-21..01-27
off 04-05
off 04-29..05-03
off 06-22..06-24
off 09-29..10-06
work 01-28
work 01-29
work 04-23
work 05-06
work 06-25
work 10-07
work 10-08
year 2024
off 2023-12-30..2024-01-01
off 02-10..02-17
off 04-04..04-06
off 05-01..05-05
off 06-08..06-10
off 09-15..09-17
off 10-01..10-07
work 02-04
work 02-18
work 04-07
work 04-28
work 05-11
work 09-14
work 09-29
work 10-12
year 2025
off 01-01
off 01-28..02-04
off 04-04..04-06
off 05-01..05-05
off 05-31..06-02
off 10-01..10-08
work 01-26
work 02-08
work 04-27
work 09-28
work 10-11
year 2026
off 01-01..01-03
off 02-15..02-23
off 04-04..04-06
off 05-01..05-05
off 06-19..06-21
off 09-25..09-27
off 10-01..10-07
work 01-04
work 02-14
work 02-28
work 05-09
work 09-20
work 10-10
)";

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, int year) {
  // "MM-DD" of the year's record: the full date must live through the parse
  // (assigning the StrCat to `text` left it pointing at a dead temporary;
  // ASan found it).
  if (text.size() == 5) return ParseCivilDay(absl::StrCat(year, "-", text));
  return ParseCivilDay(text);
}

}  // namespace

const Calendar& Calendar::BuiltIn() {
  static const Calendar* const calendar = [] {
    absl::StatusOr<Calendar> parsed = Parse(kBuiltIn, "built-in");
    return new Calendar(parsed.ok() ? *std::move(parsed) : Calendar());
  }();
  return *calendar;
}

absl::StatusOr<Calendar> Calendar::Parse(absl::string_view text,
                                         absl::string_view source) {
  Calendar out;
  Record* record = nullptr;
  int year = 0;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          Text(Msg::kFileLine, source, line_number, what));
    };
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos)
      line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.size() != 2) return error(Text(Msg::kCalendarLineForm));
    if (words[0] == "year") {
      if (!absl::SimpleAtoi(words[1], &year) || year < 1949 || year > 9999)
        return error(Text(Msg::kCalendarNotAYear, words[1]));
      record = &(out.records_[year] = Record());
      continue;
    }
    if (record == nullptr) return error(Text(Msg::kCalendarYearFirst));
    if (words[0] != "off" && words[0] != "work")
      return error(Text(Msg::kCalendarUnknownDirective, words[0]));
    const std::vector<absl::string_view> range = absl::StrSplit(words[1], "..");
    if (range.size() > 2) return error(Text(Msg::kCalendarRangeForm));
    absl::StatusOr<absl::CivilDay> first = ParseDay(range[0], year);
    absl::StatusOr<absl::CivilDay> last =
        range.size() == 2 ? ParseDay(range[1], year) : first;
    if (!first.ok() || !last.ok())
      return error(Text(Msg::kCalendarNotADate, words[1]));
    if (*last < *first || *last - *first > 366)
      return error(Text(Msg::kCalendarNotARange, words[1]));
    auto& days = words[0] == "off" ? record->off : record->work;
    for (absl::CivilDay d = *first; d <= *last; ++d) days.insert(d);
  }
  return out;
}

absl::StatusOr<Calendar> Calendar::Load(const std::string& path) {
  Calendar calendar = BuiltIn();
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(Text(Msg::kCannotRead, file.string()));
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<Calendar> parsed = Parse(text.str(), file.string());
    if (!parsed.ok()) return parsed.status();
    calendar.Merge(*parsed);
  }
  return calendar;
}

absl::StatusOr<Calendar> Calendar::ForStore(const std::string& db,
                                            const std::string& path) {
  if (!path.empty()) return Load(path);
  std::error_code ec;
  const std::string own = db + "/calendar";
  if (std::filesystem::is_directory(own, ec)) return Load(own);
  return BuiltIn();
}

void Calendar::Merge(const Calendar& other) {
  for (const auto& [year, record] : other.records_) records_[year] = record;
}

std::vector<int> Calendar::Years() const {
  std::vector<int> years;
  for (const auto& [year, record] : records_) years.push_back(year);
  return years;
}

absl::StatusOr<bool> Calendar::IsWorkingDay(absl::CivilDay day) const {
  const int year = static_cast<int>(day.year());
  if (!Knows(year)) {
    return absl::FailedPreconditionError(Text(Msg::kCalendarUnknownYear, year));
  }
  // A record may list days of a neighbouring year (the 2024 notice gives
  // 2023-12-30 off), so look in the records around it too.
  for (int y = year - 1; y <= year + 1; ++y) {
    auto it = records_.find(y);
    if (it == records_.end()) continue;
    if (it->second.off.contains(day)) return false;
    if (it->second.work.contains(day)) return true;
  }
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday;
}

absl::StatusOr<int> Calendar::WorkingDaysBetween(absl::CivilDay from,
                                                 absl::CivilDay to) const {
  int count = 0;
  for (absl::CivilDay d = from + 1; d <= to; ++d) {
    absl::StatusOr<bool> working = IsWorkingDay(d);
    if (!working.ok()) return working.status();
    if (*working) ++count;
  }
  return count;
}

}  // namespace ogi
