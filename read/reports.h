// The year's report as the read side answers it: which agency, from the
// report index or by replay, caught up, rendered (tables, the whole document,
// or the tables with --extras), checked, and drilled down to the cases behind
// a cell. `ogi report`, `ogi check`, `ogi cases` and the service all come
// here (through read/reader.h).
#ifndef OGI_READ_REPORTS_H_
#define OGI_READ_REPORTS_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "projections/annual_report.h"
#include "projections/report_check.h"
#include "projections/report_index.h"
#include "projections/report_render.h"
#include "read/deadlines.h"
#include "read/output.h"

namespace ogi {

enum class ReportKind { kTables, kDocument };

struct ReportOptions {
  // agency_id empty: the store's only root agency (kInvalidArgument if there
  // are several).
  ReportRequest request;
  ReportFormat format = ReportFormat::kText;
  ReportKind kind = ReportKind::kTables;
  // The document's date (the day the agency signs it): required for
  // kDocument, refused otherwise.
  std::optional<absl::CivilDay> date;
  // kDocument: where CheckDocument's warnings go (nullptr: nowhere; must
  // outlive the call), and whether any of them refuses the document.
  std::ostream* warnings = nullptr;
  enum class Strict { kNo, kYes } strict = Strict::kNo;
  bool extras = false;  // add ReportExtras (json: an "extras" member)
  // The calendar the extras judge deadlines by; must outlive the call.
  // Required with `extras`.
  const Calendar* calendar = nullptr;
  // The report index's file (caught up before use); empty: replay the log.
  // A past instant, too, comes from the index when its cell table holds the
  // checkpoint (ReportIndex::Report), else from a replay.
  std::string index_path;
  // kInMemory for a store opened for reading: the index is caught up in
  // memory only, and `notes` (if set) is told when it lagged the log.
  ReportIndex::Saving index_saving = ReportIndex::Saving::kSave;
  std::ostream* notes = nullptr;
  // An index already open over the store (the reader's, kept across
  // requests): used instead of opening `index_path` for each call.
  ReportIndex* index = nullptr;
};

// The index `options` names, caught up with the log: options.index, or one
// opened into `owned`; nullptr if it names none (replay). An in-memory
// index that lagged the log is told to options.notes.
absl::StatusOr<ReportIndex*> CaughtUpIndex(EventStore& store,
                                           const ReportOptions& options,
                                           std::unique_ptr<ReportIndex>& owned);

// The request with its agency filled in: the store's only root agency when
// none is given (kInvalidArgument if there are several).
absl::StatusOr<ReportRequest> ResolveAgency(EventStore& store,
                                            ReportRequest request);

// The report: from the report index when `options` names one and the request
// is for the head of the log, else by replaying the log.
absl::StatusOr<AnnualReport> ComputeReport(EventStore& store,
                                           const ReportRequest& request,
                                           const ReportOptions& options);

// The year's report rendered as `options` asks (tables, the whole document,
// or the tables with the extras). kNotFound for an unknown agency.
absl::StatusOr<std::string> RenderYearReport(EventStore& store,
                                             const ReportOptions& options);

// One line a finding: "error|warning (check N) CELL: MESSAGE".
std::string FormatFindings(const std::vector<Finding>& findings);

// `ogi check` on the store: the report's and the document's consistency
// findings, each case's compliance flags and check 8.
struct YearCheck {
  ReportRequest request;  // resolved
  std::vector<Finding> findings;
  std::vector<CaseFinding> flags;     // compliance flags
  std::vector<CaseFinding> year_end;  // check 8
  int errors() const;
};
absl::StatusOr<YearCheck> CheckYear(EventStore& store, ReportRequest request,
                                    const ReportOptions& index,
                                    const Judge& judge);
// Text: the findings, one a line, then a summary line; JSON: one object.
std::string RenderYearCheck(const YearCheck& check, OutputFormat format);

// `ogi check --table`: the checks on a typed table in the CSV contract.
struct TableCheck {
  std::string name;
  std::vector<Finding> findings;
  size_t missing = 0;  // cells missing (checks 1-4 then skipped)
  int errors() const;
};
TableCheck CheckTable(const std::string& name, const TypedTable& table);
std::string RenderTableCheck(const TableCheck& check, OutputFormat format);

// The cases behind one cell of part 三 or part 四: `row` a part 三 row code or
// a part 四 group code, `column` a column code. At the head of the log they
// come from the report index's cell table when `index` names an index whose
// table is caught up (a key range per agency, then one stream read per case
// of the page); otherwise, and as of a past instant, from a replay. Either
// way in the order of CasesInCell: by agency, case id and version.
struct CellPage {
  size_t offset = 0;        // cases skipped
  size_t limit = SIZE_MAX;  // cases listed at most
};
struct CellCases {
  ReportRequest request;  // resolved
  std::string section;    // "applications" or "appeals"
  std::string row, column;
  size_t total = 0;               // cases in the cell
  size_t offset = 0;              // of cases.front() among them
  size_t limit = SIZE_MAX;        // the page's size asked for
  std::vector<CaseInCell> cases;  // the page
  bool from_index = false;        // the cell table answered, not a replay
};
absl::StatusOr<CellCases> CasesOfCell(EventStore& store, ReportRequest request,
                                      const std::string& row,
                                      const std::string& column,
                                      const ReportOptions& index = {},
                                      CellPage page = {});
std::string RenderCellCases(const CellCases& cell, OutputFormat format);

// The cases whose count in one cell differs between request.as_of and the head
// of the log: what moved the cell's figure in a diff of the two reports (a
// late entry, an amendment, an appeal). From the report index's cell table
// and its change log (ReportIndex::CellChanges), each case with the event that
// moved it: for a case that entered, the event that put it there; for one
// that left, the first event after the instant that changed its postings.
// Without a caught-up cell table, from two replays (then and now), a case that
// left shown with the event that had put it there. By agency, then case id.
struct CellChange {
  CaseInCell event;
  int then_count = 0;  // times the case counted in the cell then
  int now_count = 0;   // and now
};
struct CellChanges {
  ReportRequest request;  // resolved
  std::string section, row, column;
  uint64_t since = 0;     // the log position request.as_of resolved to
  uint64_t position = 0;  // the head it is compared with
  size_t total = 0;       // cases that changed
  size_t offset = 0;      // of changes.front() among them
  size_t limit = SIZE_MAX;
  std::vector<CellChange> changes;  // the page
  bool from_index = false;
};
absl::StatusOr<CellChanges> ChangesOfCell(EventStore& store,
                                          ReportRequest request,
                                          const std::string& row,
                                          const std::string& column,
                                          const ReportOptions& index = {},
                                          CellPage page = {});
// JSON (docs/SERVE.md): {"section","row","column","year","agencyId","rollup",
// "since","position","total","offset","limit","changes":[{"caseId",
// "agencyId","was","now","step","version","position","occurredOn"}]}.
std::string RenderCellChangesJson(const CellChanges& changes);

}  // namespace ogi

#endif  // OGI_READ_REPORTS_H_
