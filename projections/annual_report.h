// The annual report (政府信息公开工作年度报告) of docs/REPORT.md,
// computed from the log.
//
// ComputeAnnualReport replays the global log (up to an as-of position) through
// the engine's own folds, ApplyCaseChange (engine/case_state.h) and
// ApplyAgencyEvent (engine/agency_state.h), so a report can never disagree with
// what the engine accepted, and derives parts 二, 三, 四 and the
// fee line of part 六 for one agency or a roll-up of its subtree, following
// rules P1-P4, A1-A9 and B1-B4. The row and column codes and labels below are
// the contract of the CSV and JSON formats.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_PROJECTIONS_ANNUAL_REPORT_H_
#define OGI_PROJECTIONS_ANNUAL_REPORT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "engine/event_store.h"

namespace ogi {

// Part 三's columns: the six applicant categories, then the total (A1).
inline constexpr int kApplicationColumns = 7;
inline constexpr int kTotalColumn = 6;

// Part 三's 25 numeric rows, in table order. Rows kDisclosed..kOtherHandling
// are the 21 result rows, in the order of v1::Answered::Outcome (kDisclosed +
// outcome - 1).
enum class AppRow {
  kNew,
  kCarriedIn,
  kDisclosed,
  kPartiallyDisclosed,
  kWithheldStateSecret,
  kWithheldProhibitedByLaw,
  kWithheldSecurityStability,
  kWithheldThirdPartyRights,
  kWithheldInternalAffairs,
  kWithheldProcessInformation,
  kWithheldEnforcementFile,
  kWithheldAdministrativeInquiry,
  kUnavailableNotHeld,
  kUnavailableNeedsCreation,
  kUnavailableStillUnclear,
  kNotProcessedPetition,
  kNotProcessedDuplicate,
  kNotProcessedPublication,
  kNotProcessedExcessive,
  kNotProcessedConfirmation,
  kOtherNoCorrection,
  kOtherFeeUnpaid,
  kOtherHandling,
  kResultsTotal,
  kCarriedOut,
};
inline constexpr int kApplicationRows = 25;
inline constexpr int kFirstResultRow = static_cast<int>(AppRow::kDisclosed);
// 21 result rows, one per v1::Answered::Outcome (docs/REPORT.md): 2 + 8 + 3 +
// 5 + 3 under （一）-（六）.
inline constexpr int kResultRows = 21;
static_assert(kFirstResultRow + kResultRows ==
                  static_cast<int>(AppRow::kResultsTotal),
              "the result rows run from disclosed to other_handling");
static_assert(static_cast<int>(AppRow::kCarriedOut) + 1 == kApplicationRows,
              "25 numeric rows");

// Part 四: three groups of five columns.
enum class AppealGroup {
  kReconsideration,
  kLitigationDirect,
  kLitigationAfterReconsideration
};
enum class AppealColumn { kUpheld, kCorrected, kOther, kPending, kTotal };
inline constexpr int kAppealGroups = 3;
inline constexpr int kAppealColumns = 5;

struct DocumentCounts {
  int64_t issued = 0;
  int64_t repealed = 0;
  int64_t in_force = 0;
};

struct ProactiveTable {
  DocumentCounts regulations;
  DocumentCounts normative_documents;
  int64_t licensing = 0;
  int64_t penalty = 0;
  int64_t enforcement = 0;
  int64_t administrative_fees_fen =
      0;  // printed in 万元 (1 万元 = 1,000,000 fen)
};

// Parts 一, 五 and 六's texts, as the agency's narrativeSet events left them.
using Narrative = AgencyNarrative;

struct AnnualReport {
  std::string agency_id;
  std::string agency_name;  // the agency's latest name as of the report
  bool rollup = false;
  int year = 0;
  uint64_t position = 0;      // the last log position the report reflects
  std::string chain_link;     // the log's chain link there (kLinkSize bytes):
                              // `ogi verify --digest` checks the log against it
  absl::Time recorded_until;  // recordedAt of that event (InfinitePast for an
                              // empty log)
  ProactiveTable proactive;
  std::array<std::array<int64_t, kApplicationColumns>, kApplicationRows>
      applications{};
  std::array<std::array<int64_t, kAppealColumns>, kAppealGroups> appeals{};
  int64_t fee_applications =
      0;  // part 六: applications with a fee paid in the year
  int64_t fee_paid_fen = 0;
  Narrative narrative;

  int64_t& cell(AppRow row, int column) {
    return applications[static_cast<int>(row)][column];
  }
  int64_t cell(AppRow row, int column) const {
    return applications[static_cast<int>(row)][column];
  }
};

enum class Scope { kAgency, kRollup };

struct ReportRequest {
  int year = 0;
  std::string agency_id;
  Scope scope = Scope::kAgency;
  // Only events recorded at or before this instant (their recordedAt).
  // InfiniteFuture: the whole log.
  absl::Time as_of = absl::InfiniteFuture();
};

// Returns the report. kNotFound if the agency is not registered (as of the
// request), kInvalidArgument for a year outside 1000-9999, kDataLoss if the log
// does not decode.
absl::StatusOr<AnnualReport> ComputeAnnualReport(EventStore& store,
                                                 const ReportRequest& request);

// One case behind a cell of part 三 or part 四, and the event that put it
// there.
struct CaseInCell {
  std::string case_id;
  std::string agency_id;
  uint32_t version = 0;  // of the deciding event (received, the conclusion, the
                         // appeal filed or decided)
  uint64_t position = 0;
  std::string occurred_on;
  std::string step;  // payload name of the deciding event, e.g. "answered"
};

// Returns the cases counted in one cell: `section` is "applications" or
// "appeals", `row` and `column` the codes of docs/REPORT.md (e.g.
// "carried_out", "natural_person"; "reconsideration", "pending"). Total columns
// and the total row list every case of the row or column; by agency, case id
// and version. kInvalidArgument for an unknown code.
// A cell of part 三 or part 四 named by its codes: for "applications" an
// AppRow and a column index, for "appeals" an AppealGroup and an AppealColumn.
struct CellCode {
  bool applications = true;
  int row = 0;
  int column = 0;
};
// kInvalidArgument for an unknown section, row or column.
absl::StatusOr<CellCode> ParseCellCode(absl::string_view section,
                                       absl::string_view row,
                                       absl::string_view column);

// The CaseInCell of a case counted in the cell `code` because of its event
// `version` (0: none found), given its state and the log position of each of
// its events (index = version - 1).
CaseInCell CaseInCellOf(const std::string& case_id, const CaseState& state,
                        const std::vector<uint64_t>& positions,
                        const CellCode& code, uint32_t version);

absl::StatusOr<std::vector<CaseInCell>> CasesInCell(
    EventStore& store, const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column);

// The codes and labels of docs/REPORT.md, in table order.
absl::string_view ApplicationRowCode(AppRow row);
absl::string_view ApplicationRowLabel(AppRow row);
absl::string_view ApplicationColumnCode(int column);
absl::string_view ApplicationColumnLabel(int column);
absl::string_view AppealGroupCode(AppealGroup group);
absl::string_view AppealColumnCode(AppealColumn column);

// Returns the amount in 万元 (1 万元 = 1,000,000 fen) as an exact decimal
// string with no exponent and no trailing zeros: 96171600000 fen -> "96171.6",
// 5949088667 -> "5949.088667", 0 -> "0".
std::string FenToWanYuan(int64_t fen);

}  // namespace ogi

#endif  // OGI_PROJECTIONS_ANNUAL_REPORT_H_
