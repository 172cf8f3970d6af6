// Placeholder being written; replaced by the real checks.
#include "projections/report_check.h"

namespace ogi {

std::vector<Finding> CheckReport(const AnnualReport&, const AnnualReport*) {
  return {};
}

absl::StatusOr<TypedTable> ParseReportCsv(absl::string_view) {
  return absl::UnimplementedError("not yet");
}

}  // namespace ogi
