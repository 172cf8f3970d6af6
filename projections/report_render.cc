// Placeholder being written; replaced by the real renderers.
#include "projections/report_render.h"

namespace ogi {

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  if (name == "csv") return ReportFormat::kCsv;
  return absl::InvalidArgumentError("unsupported format");
}

std::string RenderReport(const AnnualReport&, ReportFormat) { return ""; }

std::string RenderDocument(const AnnualReport&, ReportFormat, absl::CivilDay) {
  return "";
}

}  // namespace ogi
