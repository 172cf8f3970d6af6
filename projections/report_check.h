// The consistency checks of docs/REPORT.md ("ogi check"): errors
// 1-5 (which our own projection must never produce) and warnings 6, 7 and 9,
// over a computed report and the year before it, or over a table someone typed
// in the CSV contract.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_PROJECTIONS_REPORT_CHECK_H_
#define OGI_PROJECTIONS_REPORT_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "projections/annual_report.h"

namespace ogi {

struct Finding {
  enum class Severity { kError, kWarning };
  Severity severity;
  int rule;             // the number of the check in docs/REPORT.md (1-9)
  std::string cell;     // "section/row/column" of the cell at fault, e.g.
                        // "applications/results_total/total"
  std::string message;  // one line, lower-case, naming the cell and the numbers
};

// Returns the findings for `report`; `previous` (the same scope's report for
// year - 1), if given, adds the cross-year checks (6: carried_in vs
// carried_out; 7: in_force continuity).
std::vector<Finding> CheckReport(const AnnualReport& report,
                                 const AnnualReport* previous);

// Returns what makes the whole document (RenderDocument) unfit to publish,
// as warnings of rule 10 (an ogi addition): a narrative part (一, 五, 六) the
// agency has not written, and part 六's text saying no fee was collected
// while the fee figures count some. Cells: "document/overview",
// "document/problems", "document/other".
std::vector<Finding> CheckDocument(const AnnualReport& report);

struct TypedTable {
  AnnualReport report;  // cells absent from the file are 0 here
  // Check 5: negative, fractional or blank counts, by cell.
  std::vector<Finding> findings;
  // Check 5 for `ogi check --table`: each cell absent from the file, in
  // table order; while any is, sums over the table mean nothing.
  std::vector<Finding> missing;
};

// Parses a table in the CSV contract (header "section,row,column,value", then
// one line per cell). Returns kInvalidArgument naming the line for a malformed
// line, an unknown section/row/column code, or a value that is not a number at
// all; a negative, fractional or blank count is not a parse error but a finding
// (check 5).
absl::StatusOr<TypedTable> ParseReportCsv(absl::string_view csv);

}  // namespace ogi

#endif  // OGI_PROJECTIONS_REPORT_CHECK_H_
