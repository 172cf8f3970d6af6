// The report index's answer to "which cases are behind this cell": a key
// range of the cell table per agency; see report_index.h and
// internal/cell_postings.h.
#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "engine/agency_state.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "projections/internal/cell_postings.h"
#include "projections/internal/cell_table.h"
#include "projections/report_index.h"

namespace ogi {
namespace {

using projections_internal::CellKind;
using projections_internal::CellPrefix;
using projections_internal::CellTable;
using projections_internal::PostingRest;
using projections_internal::SplitPostingRest;

// Reads the postings of `kind` for years [first, last] of one agency and
// adds those whose detail `keep` accepts.
template <typename Keep>
absl::Status Collect(const CellTable& table, const std::string& agency,
                     CellKind kind, int first, int last, Keep keep,
                     std::vector<ReportIndex::CellEntry>& out) {
  const std::string begin = CellPrefix(agency, kind, first);
  const std::string end = CellPrefix(agency, kind, last + 1);
  const size_t prefix = begin.size();
  absl::Status bad;
  OGI_RETURN_IF_ERROR(
      table.Scan(begin, end, [&](absl::string_view key, uint32_t version) {
        PostingRest rest;
        if (!SplitPostingRest(key.substr(prefix), rest)) {
          bad = absl::DataLossError("the cell table holds a malformed key");
          return;
        }
        if (keep(rest.detail))
          out.push_back({agency, std::string(rest.case_id), version});
      }));
  return bad;
}

int Byte(absl::string_view detail, size_t i) {
  return i < detail.size() ? static_cast<unsigned char>(detail[i]) : -1;
}

}  // namespace

absl::StatusOr<std::vector<ReportIndex::CellEntry>> ReportIndex::CellEntries(
    const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column) {
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(section, row, column));
  if (request.as_of != absl::InfiniteFuture()) {
    return absl::FailedPreconditionError(
        "the cell table answers for the head of the log only");
  }
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", request.year, " is not a year such as 2023"));
  }
  const auto& agencies = state_.agencies();
  auto root = agencies.find(request.agency_id);
  if (root == agencies.end() || root->second.name().empty()) {
    return absl::NotFoundError(
        Text(Msg::kAgencyNotRegistered, request.agency_id));
  }
  if (cells_ == nullptr && !path_.empty()) {
    absl::StatusOr<std::unique_ptr<CellTable>> table =
        CellTable::Open(CellTablePath(path_), saving_ == Saving::kSave
                                                  ? CellTable::Mode::kWrite
                                                  : CellTable::Mode::kRead);
    if (table.ok()) cells_ = *std::move(table);
  }
  if (cells_ == nullptr || cells_->checkpoint() != state_.checkpoint()) {
    return absl::FailedPreconditionError(
        "the cell table does not hold the index's checkpoint");
  }
  const absl::flat_hash_set<std::string> scope_set =
      AgencyScope(request.agency_id, request.scope == Scope::kRollup, agencies,
                  [](const v1::AgencyIndex& a) -> const std::string& {
                    return a.parent_id();
                  });
  std::vector<std::string> scope(scope_set.begin(), scope_set.end());
  std::sort(scope.begin(), scope.end());

  const int year = request.year;
  const int wanted_column = code.column;
  auto column_ok = [&](int column) {
    return code.applications
               ? wanted_column == kTotalColumn || column == wanted_column
               : wanted_column == static_cast<int>(AppealColumn::kTotal) ||
                     column == wanted_column;
  };
  std::vector<CellEntry> out;
  for (const std::string& agency : scope) {
    const size_t first = out.size();
    if (!code.applications) {
      OGI_RETURN_IF_ERROR(Collect(
          *cells_, agency, CellKind::kAppeal, year, year,
          [&](absl::string_view d) {
            return Byte(d, 0) == code.row && column_ok(Byte(d, 1));
          },
          out));
    } else {
      const AppRow app_row = static_cast<AppRow>(code.row);
      const int first_result = kFirstResultRow;
      if (app_row == AppRow::kNew) {
        OGI_RETURN_IF_ERROR(Collect(
            *cells_, agency, CellKind::kNew, year, year,
            [&](absl::string_view d) { return column_ok(Byte(d, 0)); }, out));
      } else if (app_row == AppRow::kCarriedIn ||
                 app_row == AppRow::kCarriedOut) {
        // Carried in to N is carried out of N - 1 (A4): concluded after N,
        // or still open, having been received by then.
        const int n = app_row == AppRow::kCarriedIn ? year - 1 : year;
        auto keep = [&](absl::string_view d) { return column_ok(Byte(d, 0)); };
        OGI_RETURN_IF_ERROR(
            Collect(*cells_, agency, CellKind::kCarried, n, n, keep, out));
        OGI_RETURN_IF_ERROR(
            Collect(*cells_, agency, CellKind::kOpen, 0, n, keep, out));
      } else {
        const bool total = app_row == AppRow::kResultsTotal;
        OGI_RETURN_IF_ERROR(Collect(
            *cells_, agency, CellKind::kResult, year, year,
            [&](absl::string_view d) {
              return (total || Byte(d, 0) == code.row - first_result) &&
                     column_ok(Byte(d, 1));
            },
            out));
      }
    }
    std::sort(out.begin() + first, out.end(),
              [](const CellEntry& a, const CellEntry& b) {
                return std::tie(a.case_id, a.version) <
                       std::tie(b.case_id, b.version);
              });
  }
  return out;
}

}  // namespace ogi
