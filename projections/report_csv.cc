// The reader of the report's CSV contract (`ogi check` on a typed or
// published table); see report_check.h.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/messages.h"
#include "projections/internal/report_cells.h"
#include "projections/report_check.h"

namespace ogi {
namespace {

using projections_internal::CellName;
using projections_internal::ForEachCell;
using projections_internal::kFenPerWanYuan;
using projections_internal::Kind;
using Severity = Finding::Severity;
using projections_internal::kWanYuanDecimals;

struct Number {
  bool negative = false;
  absl::string_view integer;   // one or more digits
  absl::string_view fraction;  // zero or more digits
};

std::optional<Number> SplitNumber(absl::string_view text) {
  Number number;
  number.negative = absl::ConsumePrefix(&text, "-");
  const size_t dot = text.find('.');
  number.integer = text.substr(0, dot);
  if (dot != absl::string_view::npos) {
    number.fraction = text.substr(dot + 1);
    if (number.fraction.empty()) return std::nullopt;
  }
  if (number.integer.empty()) return std::nullopt;
  for (absl::string_view part : {number.integer, number.fraction}) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
    }
  }
  return number;
}

bool AllZero(absl::string_view digits) {
  return digits.find_first_not_of('0') == absl::string_view::npos;
}

// A cell value as read, and why it is not the value typed (check 5), if so.
struct CellValue {
  int64_t value = 0;
  std::optional<std::string> problem;
};

// Returns the value of a count or an amount. kInvalidArgument (without the
// line) for a value that is not a number or does not fit.
absl::StatusOr<CellValue> ParseValue(absl::string_view text, Kind kind) {
  const std::string what =
      Text(kind == Kind::kCount ? Msg::kCsvCount : Msg::kCsvAmount);
  if (text.empty()) {
    return CellValue{0, Text(Msg::kCsvBlank, what)};
  }
  const std::optional<Number> number = SplitNumber(text);
  if (!number.has_value()) {
    return absl::InvalidArgumentError(Text(Msg::kCsvNotANumber, text));
  }
  if (number->negative &&
      !(AllZero(number->integer) && AllZero(number->fraction))) {
    return CellValue{0, Text(Msg::kCsvNegative, what, text)};
  }
  int64_t integer = 0;
  if (!absl::SimpleAtoi(number->integer, &integer)) {
    return absl::InvalidArgumentError(Text(Msg::kCsvOutOfRange, text));
  }
  if (kind == Kind::kCount) {
    if (AllZero(number->fraction)) return CellValue{integer, std::nullopt};
    return CellValue{integer, Text(Msg::kCsvFractional, text, integer)};
  }
  // An amount in 万元: exactly fen, so at most 6 decimals that are not 0.
  const absl::string_view kept = number->fraction.substr(0, kWanYuanDecimals);
  int64_t fen = 0;
  for (int i = 0; i < kWanYuanDecimals; ++i) {
    fen = fen * 10 + (i < static_cast<int>(kept.size()) ? kept[i] - '0' : 0);
  }
  if (integer > (std::numeric_limits<int64_t>::max() - fen) / kFenPerWanYuan) {
    return absl::InvalidArgumentError(Text(Msg::kCsvOutOfRange, text));
  }
  fen += integer * kFenPerWanYuan;
  if (AllZero(number->fraction.substr(kept.size()))) {
    return CellValue{fen, std::nullopt};
  }
  return CellValue{fen, Text(Msg::kCsvTooManyDecimals, text, kWanYuanDecimals,
                             FenToWanYuan(fen))};
}

// Where a parsed value goes: a cell of the table being filled.
struct Slot {
  int64_t* value;  // into TypedTable::report; must outlive the parse
  Kind kind;
  int line = 0;  // where the cell was set; 0 while it is not
};

}  // namespace

absl::StatusOr<TypedTable> ParseReportCsv(absl::string_view csv) {
  constexpr absl::string_view kHeader = "section,row,column,value";
  TypedTable table;

  absl::flat_hash_map<std::string, Slot> slots;
  absl::flat_hash_set<std::string> sections;
  absl::flat_hash_set<std::string> rows;  // "section/row"
  ForEachCell(
      table.report, [&](absl::string_view section, absl::string_view row,
                        absl::string_view column, int64_t& value, Kind kind) {
        sections.insert(std::string(section));
        rows.insert(absl::StrCat(section, "/", row));
        slots.emplace(CellName(section, row, column), Slot{&value, kind});
      });

  absl::ConsumePrefix(&csv, "\xEF\xBB\xBF");  // a UTF-8 BOM
  if (csv.empty()) {
    return absl::InvalidArgumentError(Text(Msg::kCsvMissingHeader, kHeader));
  }
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    ++line_number;
    absl::ConsumeSuffix(&line, "\r");
    if (line_number == 1) {
      if (line != kHeader) {
        return absl::InvalidArgumentError(
            Text(Msg::kCsvWrongHeader, line, kHeader));
      }
      continue;
    }
    // Blank lines (the final newline, or a gap) hold no cell.
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (fields.size() != 4) {
      return absl::InvalidArgumentError(
          Text(Msg::kCsvFieldCount, line_number, fields.size(), kHeader));
    }
    const absl::string_view section = absl::StripAsciiWhitespace(fields[0]);
    const absl::string_view row = absl::StripAsciiWhitespace(fields[1]);
    const absl::string_view column = absl::StripAsciiWhitespace(fields[2]);
    const absl::string_view text = absl::StripAsciiWhitespace(fields[3]);
    const std::string cell = CellName(section, row, column);
    auto slot = slots.find(cell);
    if (slot == slots.end()) {
      std::string what;
      if (!sections.contains(section)) {
        what = Text(Msg::kCsvUnknownSection, section);
      } else if (!rows.contains(absl::StrCat(section, "/", row))) {
        what = Text(Msg::kCsvUnknownRow, row, section);
      } else {
        what = Text(Msg::kCsvUnknownColumn, column, section, row);
      }
      return absl::InvalidArgumentError(Text(Msg::kAtLine, line_number, what));
    }
    if (slot->second.line != 0) {
      return absl::InvalidArgumentError(
          Text(Msg::kCsvCellRepeats, line_number, cell, slot->second.line));
    }
    slot->second.line = line_number;
    absl::StatusOr<CellValue> value = ParseValue(text, slot->second.kind);
    if (!value.ok()) {
      return absl::InvalidArgumentError(Text(Msg::kCsvCellProblem, line_number,
                                             cell, value.status().message()));
    }
    *slot->second.value = value->value;
    if (value->problem.has_value()) {
      table.findings.push_back(
          Finding{Severity::kError, 5, cell,
                  Text(Msg::kCsvProblem, cell, *value->problem, line_number)});
    }
  }
  // A cell with no line (a truncated or hand-edited file) is not a 0: it is
  // a blank count (check 5), in table order.
  ForEachCell(
      table.report, [&](absl::string_view section, absl::string_view row,
                        absl::string_view column, int64_t&, Kind) {
        const std::string cell = CellName(section, row, column);
        if (slots.at(cell).line != 0) return;
        table.missing.push_back(
            Finding{Severity::kError, 5, cell, Text(Msg::kCsvMissingCell)});
      });
  return table;
}

}  // namespace ogi
