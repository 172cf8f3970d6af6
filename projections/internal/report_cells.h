// The cells of the report's CSV contract, shared by the consistency checks
// (report_check.cc) and the CSV reader (report_csv.cc). Never included outside
// projections/.
#ifndef OGI_PROJECTIONS_INTERNAL_REPORT_CELLS_H_
#define OGI_PROJECTIONS_INTERNAL_REPORT_CELLS_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "projections/annual_report.h"

namespace ogi::projections_internal {

inline constexpr int64_t kFenPerWanYuan = 1000000;
inline constexpr int kWanYuanDecimals = 6;  // 1 fen = 0.000001 万元

// How a cell's int64 reads: a count, or an amount in fen printed in 万元.
enum class Kind { kCount, kWanYuanFen };

inline std::string CellName(absl::string_view section, absl::string_view row,
                            absl::string_view column) {
  return absl::StrCat(section, "/", row, "/", column);
}

// Calls visit(section, row, column, value, kind) for each cell of the CSV
// contract, in table order. `Report` is AnnualReport or const AnnualReport, so
// `value` is a mutable or a const reference.
template <typename Report, typename Visit>
void ForEachCell(Report& report, Visit&& visit) {
  auto& p = report.proactive;
  visit("proactive", "regulations", "issued", p.regulations.issued,
        Kind::kCount);
  visit("proactive", "regulations", "repealed", p.regulations.repealed,
        Kind::kCount);
  visit("proactive", "regulations", "in_force", p.regulations.in_force,
        Kind::kCount);
  visit("proactive", "normative_documents", "issued",
        p.normative_documents.issued, Kind::kCount);
  visit("proactive", "normative_documents", "repealed",
        p.normative_documents.repealed, Kind::kCount);
  visit("proactive", "normative_documents", "in_force",
        p.normative_documents.in_force, Kind::kCount);
  visit("proactive", "licensing", "decisions", p.licensing, Kind::kCount);
  visit("proactive", "penalty", "decisions", p.penalty, Kind::kCount);
  visit("proactive", "enforcement", "decisions", p.enforcement, Kind::kCount);
  visit("proactive", "administrative_fees", "amount_wan_yuan",
        p.administrative_fees_fen, Kind::kWanYuanFen);
  for (int row = 0; row < kApplicationRows; ++row) {
    for (int column = 0; column < kApplicationColumns; ++column) {
      visit("applications", ApplicationRowCode(static_cast<AppRow>(row)),
            ApplicationColumnCode(column), report.applications[row][column],
            Kind::kCount);
    }
  }
  for (int group = 0; group < kAppealGroups; ++group) {
    for (int column = 0; column < kAppealColumns; ++column) {
      visit("appeals", AppealGroupCode(static_cast<AppealGroup>(group)),
            AppealColumnCode(static_cast<AppealColumn>(column)),
            report.appeals[group][column], Kind::kCount);
    }
  }
}

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_REPORT_CELLS_H_
