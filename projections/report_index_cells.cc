// The report index's answer to "which cases are behind this cell": a key
// range of the cell table per agency; see report_index.h and
// internal/cell_postings.h.
#include <algorithm>
#include <tuple>
#include <utility>

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

// The cases of a cell in order, counted, with only the page [offset, offset
// + limit) kept.
class PageSink {
 public:
  PageSink(size_t offset, size_t limit) : offset_(offset), limit_(limit) {}
  void Add(const std::string& agency, absl::string_view case_id,
           uint32_t version) {
    if (total_ >= offset_ && total_ - offset_ < limit_)
      entries_.push_back({agency, std::string(case_id), version});
    ++total_;
  }
  size_t total() const { return total_; }
  std::vector<ReportIndex::CellEntry>& entries() { return entries_; }

 private:
  const size_t offset_, limit_;
  size_t total_ = 0;
  std::vector<ReportIndex::CellEntry> entries_;
};

// Calls visit(case_id, version) for the postings of `kind` for years [first,
// last] of one agency whose detail `keep` accepts, in key order.
template <typename Keep, typename Visit>
absl::Status Collect(const CellTable& table, const std::string& agency,
                     CellKind kind, int first, int last, Keep keep,
                     Visit visit) {
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
        if (keep(rest.detail)) visit(rest.case_id, version);
      }));
  return bad;
}

int Byte(absl::string_view detail, size_t i) {
  return i < detail.size() ? static_cast<unsigned char>(detail[i]) : -1;
}

}  // namespace

absl::StatusOr<ReportIndex::CellPage> ReportIndex::CellEntries(
    const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column, size_t offset,
    size_t limit) {
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(section, row, column));
  if (request.as_of != absl::InfiniteFuture()) {
    return absl::FailedPreconditionError(
        "the cell table answers for the head of the log only");
  }
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
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
  PageSink page(offset, limit);
  // Kinds read from one key range come in key order, which is case id order
  // with one posting a case; the others are gathered and sorted first.
  std::vector<std::pair<std::string, uint32_t>> gathered;
  auto gather = [&](absl::string_view case_id, uint32_t version) {
    gathered.emplace_back(std::string(case_id), version);
  };
  for (const std::string& agency : scope) {
    auto direct = [&](absl::string_view case_id, uint32_t version) {
      page.Add(agency, case_id, version);
    };
    gathered.clear();
    if (!code.applications) {
      OGI_RETURN_IF_ERROR(Collect(
          *cells_, agency, CellKind::kAppeal, year, year,
          [&](absl::string_view d) {
            return Byte(d, 0) == code.row && column_ok(Byte(d, 1));
          },
          gather));
    } else {
      const AppRow app_row = static_cast<AppRow>(code.row);
      const int first_result = kFirstResultRow;
      if (app_row == AppRow::kNew) {
        OGI_RETURN_IF_ERROR(Collect(
            *cells_, agency, CellKind::kNew, year, year,
            [&](absl::string_view d) { return column_ok(Byte(d, 0)); },
            direct));
      } else if (app_row == AppRow::kCarriedIn ||
                 app_row == AppRow::kCarriedOut) {
        // Carried in to N is carried out of N - 1 (A4): concluded after N,
        // or still open, having been received by then.
        const int n = app_row == AppRow::kCarriedIn ? year - 1 : year;
        auto keep = [&](absl::string_view d) { return column_ok(Byte(d, 0)); };
        OGI_RETURN_IF_ERROR(
            Collect(*cells_, agency, CellKind::kCarried, n, n, keep, gather));
        OGI_RETURN_IF_ERROR(
            Collect(*cells_, agency, CellKind::kOpen, 0, n, keep, gather));
      } else {
        const bool total = app_row == AppRow::kResultsTotal;
        OGI_RETURN_IF_ERROR(Collect(
            *cells_, agency, CellKind::kResult, year, year,
            [&](absl::string_view d) {
              return (total || Byte(d, 0) == code.row - first_result) &&
                     column_ok(Byte(d, 1));
            },
            direct));
      }
    }
    std::sort(gathered.begin(), gathered.end());
    for (const auto& [case_id, version] : gathered)
      page.Add(agency, case_id, version);
  }
  CellPage out;
  out.total = page.total();
  out.entries = std::move(page.entries());
  return out;
}

}  // namespace ogi
