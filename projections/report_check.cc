// The consistency checks of docs/REPORT.md and the reader of the
// CSV contract; see report_check.h. Both sides of the data path use them: the
// engine checks each report it renders, and "ogi check" reads a table someone
// typed (or a published report) and checks it.
//
// Sums are taken in 128 bits: a typed table may hold any int64 in each cell,
// and 25 of them can overflow int64.
//
// Tested by report_check_test.cc.
#include "projections/report_check.h"

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

namespace ogi {
namespace {

using projections_internal::CellName;
using projections_internal::ForEachCell;
using projections_internal::kFenPerWanYuan;
using projections_internal::Kind;
using projections_internal::kWanYuanDecimals;

using Severity = Finding::Severity;

// The six applicant categories come before the total column (A1), and the
// four appeal results before the group total (B4).
static_assert(kTotalColumn == kApplicationColumns - 1);
constexpr int kAppealTotal = static_cast<int>(AppealColumn::kTotal);
static_assert(kAppealTotal == kAppealColumns - 1);

// The last result row (A5): results_total follows it.
constexpr int kLastResultRow = static_cast<int>(AppRow::kOtherHandling);
static_assert(kLastResultRow + 1 == static_cast<int>(AppRow::kResultsTotal));
static_assert(kFirstResultRow == static_cast<int>(AppRow::kDisclosed));

// First in 2024 the 条例 requires reconsideration before a suit against a
// 不予公开 answer (check 9).
constexpr int kReconsiderationFirstYear = 2024;

AppRow RowAt(int row) { return static_cast<AppRow>(row); }

std::string Int128ToString(absl::int128 value) {
  if (value >= std::numeric_limits<int64_t>::min() &&
      value <= std::numeric_limits<int64_t>::max()) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  const bool negative = value < 0;
  absl::uint128 magnitude =
      negative ? -absl::uint128(value) : absl::uint128(value);
  std::string digits;
  while (magnitude > 0) {
    digits.push_back(
        static_cast<char>('0' + absl::Uint128Low64(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string AppCell(AppRow row, int column) {
  return CellName("applications", ApplicationRowCode(row),
                  ApplicationColumnCode(column));
}

std::string AppealCell(int group, int column) {
  return CellName("appeals", AppealGroupCode(static_cast<AppealGroup>(group)),
                  AppealColumnCode(static_cast<AppealColumn>(column)));
}

absl::int128 CategorySum(const AnnualReport& report, AppRow row) {
  absl::int128 sum = 0;
  for (int column = 0; column < kTotalColumn; ++column) {
    sum += report.cell(row, column);
  }
  return sum;
}

absl::int128 AppealResultSum(const AnnualReport& report, int group) {
  absl::int128 sum = 0;
  for (int column = 0; column < kAppealTotal; ++column) {
    sum += report.appeals[group][column];
  }
  return sum;
}

bool IsWithheld(AppRow row) {
  return row >= AppRow::kWithheldStateSecret &&
         row <= AppRow::kWithheldAdministrativeInquiry;
}

// Check 7 for one kind of document: expiry (P2) may only lower in_force below
// in_force(N-1) + issued(N) - repealed(N).
std::optional<Finding> CheckInForce(absl::string_view row,
                                    const DocumentCounts& now,
                                    const DocumentCounts& before,
                                    int previous_year) {
  const std::string cell = CellName("proactive", row, "in_force");
  if (now.in_force < 0) {
    return Finding{Severity::kWarning, 7, cell,
                   Text(Msg::kCheckInForceNegative, cell, now.in_force)};
  }
  const absl::int128 bound =
      absl::int128(before.in_force) + now.issued - now.repealed;
  if (now.in_force <= bound) return std::nullopt;
  return Finding{
      Severity::kWarning, 7, cell,
      Text(Msg::kCheckInForce, cell, now.in_force, previous_year,
           before.in_force, now.issued, now.repealed, Int128ToString(bound))};
}

// A value of the CSV contract: -?[0-9]+(\.[0-9]+)? (no '+', exponent, spaces
// or digit grouping).

}  // namespace

std::vector<Finding> CheckReport(const AnnualReport& report,
                                 const AnnualReport* previous) {
  std::vector<Finding> findings;
  auto add = [&findings](Severity severity, int rule, std::string cell,
                         std::string message) {
    findings.push_back(
        Finding{severity, rule, std::move(cell), std::move(message)});
  };

  // 1: each row, the six categories against total (A1).
  for (int row = 0; row < kApplicationRows; ++row) {
    const absl::int128 sum = CategorySum(report, RowAt(row));
    const int64_t total = report.applications[row][kTotalColumn];
    if (sum == total) continue;
    add(Severity::kError, 1, AppCell(RowAt(row), kTotalColumn),
        Text(Msg::kCheckCategorySum, ApplicationRowCode(RowAt(row)),
             Int128ToString(sum), total));
  }
  // 2: each column, the result rows against results_total (A5): the 21 rows
  // disclosed..other_handling, one per v1::Answered::Outcome. kResultRows
  // (22) would take in results_total itself.
  for (int column = 0; column < kApplicationColumns; ++column) {
    absl::int128 sum = 0;
    for (int row = kFirstResultRow; row < kLastResultRow + 1; ++row) {
      sum += report.applications[row][column];
    }
    const int64_t results_total = report.cell(AppRow::kResultsTotal, column);
    if (sum == results_total) continue;
    add(Severity::kError, 2, AppCell(AppRow::kResultsTotal, column),
        Text(Msg::kCheckResultsTotal, results_total, Int128ToString(sum),
             ApplicationColumnCode(column)));
  }
  // 3: each column, the identity of A7. carried_out is the cell named: it is
  // the one the identity determines.
  for (int column = 0; column < kApplicationColumns; ++column) {
    const absl::int128 in = absl::int128(report.cell(AppRow::kNew, column)) +
                            report.cell(AppRow::kCarriedIn, column);
    const absl::int128 out =
        absl::int128(report.cell(AppRow::kResultsTotal, column)) +
        report.cell(AppRow::kCarriedOut, column);
    if (in == out) continue;
    add(Severity::kError, 3, AppCell(AppRow::kCarriedOut, column),
        Text(Msg::kCheckCarriedIdentity, Int128ToString(in),
             Int128ToString(out), ApplicationColumnCode(column)));
  }
  // 4: each appeal group, the four results against total (B4).
  for (int group = 0; group < kAppealGroups; ++group) {
    const absl::int128 sum = AppealResultSum(report, group);
    const int64_t total = report.appeals[group][kAppealTotal];
    if (sum == total) continue;
    add(Severity::kError, 4, AppealCell(group, kAppealTotal),
        Text(Msg::kCheckAppealTotal,
             AppealGroupCode(static_cast<AppealGroup>(group)), total,
             Int128ToString(sum)));
  }
  // 5: negative cells, those of the CSV contract and the fee line of part 六.
  ForEachCell(report, [&add](absl::string_view section, absl::string_view row,
                             absl::string_view column, const int64_t& value,
                             Kind kind) {
    if (value >= 0) return;
    std::string cell = CellName(section, row, column);
    std::string shown = kind == Kind::kCount
                            ? absl::StrCat(value)
                            : Text(Msg::kCheckWanYuan, FenToWanYuan(value));
    std::string message = Text(Msg::kCheckNegative, cell, shown);
    add(Severity::kError, 5, std::move(cell), std::move(message));
  });
  if (report.fee_applications < 0) {
    add(Severity::kError, 5, "fees/information_processing/applications",
        Text(Msg::kCheckNegative, "fees/information_processing/applications",
             report.fee_applications));
  }
  if (report.fee_paid_fen < 0) {
    add(Severity::kError, 5, "fees/information_processing/amount_fen",
        Text(Msg::kCheckNegative, "fees/information_processing/amount_fen",
             report.fee_paid_fen));
  }

  if (previous != nullptr) {
    // 6: carried_in of N against carried_out of N-1 (A4), each column.
    for (int column = 0; column < kApplicationColumns; ++column) {
      const int64_t carried_in = report.cell(AppRow::kCarriedIn, column);
      const int64_t carried_out = previous->cell(AppRow::kCarriedOut, column);
      if (carried_in == carried_out) continue;
      add(Severity::kWarning, 6, AppCell(AppRow::kCarriedIn, column),
          Text(Msg::kCheckCarriedIn, carried_in, previous->year, carried_out,
               ApplicationColumnCode(column)));
    }
    // 7: in_force continuity (P2).
    for (std::optional<Finding> finding :
         {CheckInForce("regulations", report.proactive.regulations,
                       previous->proactive.regulations, previous->year),
          CheckInForce(
              "normative_documents", report.proactive.normative_documents,
              previous->proactive.normative_documents, previous->year)}) {
      if (finding.has_value()) findings.push_back(std::move(*finding));
    }
  }

  // 9: we only see aggregates, so a direct suit in a year with 不予公开
  // answers is a prompt to check, not a proof. Either the group total or its
  // four columns may show the suits (check 4 reports a mismatch).
  const int direct = static_cast<int>(AppealGroup::kLitigationDirect);
  const absl::int128 direct_suits =
      std::max(absl::int128(report.appeals[direct][kAppealTotal]),
               AppealResultSum(report, direct));
  absl::int128 withheld = 0;
  for (int row = 0; row < kApplicationRows; ++row) {
    if (!IsWithheld(RowAt(row))) continue;
    withheld += std::max(absl::int128(report.cell(RowAt(row), kTotalColumn)),
                         CategorySum(report, RowAt(row)));
  }
  if (report.year >= kReconsiderationFirstYear && direct_suits > 0 &&
      withheld > 0) {
    add(Severity::kWarning, 9, AppealCell(direct, kAppealTotal),
        Text(Msg::kCheckDirectSuits, Int128ToString(direct_suits), report.year,
             Int128ToString(withheld)));
  }
  return findings;
}

std::vector<Finding> CheckDocument(const AnnualReport& report) {
  std::vector<Finding> out;
  auto blank = [](absl::string_view text) {
    return absl::StripAsciiWhitespace(text).empty();
  };
  const struct {
    const std::string* text;
    const char* cell;
    Msg part;
  } parts[] = {
      {&report.narrative.overview, "document/overview",
       Msg::kCheckPartOverview},
      {&report.narrative.problems, "document/problems",
       Msg::kCheckPartProblems},
      {&report.narrative.other, "document/other", Msg::kCheckPartOther},
  };
  for (const auto& p : parts) {
    if (blank(*p.text)) {
      out.push_back(Finding{Severity::kWarning, 10, p.cell,
                            Text(Msg::kCheckNoNarrative, Text(p.part))});
    }
  }
  if (report.fee_applications > 0 &&
      absl::StrContains(report.narrative.other, "未收取任何信息处理费")) {
    out.push_back(
        Finding{Severity::kWarning, 10, "document/other",
                Text(Msg::kCheckFeeContradiction, report.fee_applications)});
  }
  return out;
}

}  // namespace ogi
