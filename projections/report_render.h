// Renders an AnnualReport in the formats of docs/REPORT.md: csv
// and json (the machine-readable contract), text (aligned by display width, CJK
// two cells wide, every label whole), md, html (self-contained, the official
// layout with merged header cells as in the seed report), and the whole
// document (title, the six parts with narratives, the three tables, the fee
// sentence, agency and date) in md or html.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_PROJECTIONS_REPORT_RENDER_H_
#define OGI_PROJECTIONS_REPORT_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "projections/annual_report.h"

namespace ogi {

enum class ReportFormat { kText, kCsv, kJson, kMd, kHtml };

// Returns the format named "text", "csv", "json", "md" or "html";
// kInvalidArgument otherwise.
absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name);

// Returns the three tables (parts 二, 三, 四) and the fee line of part 六 in
// `format`. Every format says which log position and recording instant the
// report reflects (csv: a leading "# " comment line is NOT allowed by the
// contract, so csv carries no provenance; json: "position" and "asOf").
std::string RenderReport(const AnnualReport& report, ReportFormat format);

// Returns the whole annual report as the seed shows it, in kMd or kHtml
// (REQUIRES: one of those two), dated `date` at the end (the day the agency
// signs it).
std::string RenderDocument(const AnnualReport& report, ReportFormat format,
                           absl::CivilDay date);

}  // namespace ogi

#endif  // OGI_PROJECTIONS_REPORT_RENDER_H_
