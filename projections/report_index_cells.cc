// The report index's answer to "which cases are behind this cell": a key
// range of the cell table per agency; see report_index.h and
// internal/cell_postings.h.
#include <algorithm>
#include <cstdint>
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

constexpr uint64_t kHead = UINT64_MAX;

// Calls visit(case_id, version) for the postings of `kind` of one agency
// whose detail `keep` accepts, in key order: at the table's checkpoint for
// the years [first, last] (`at` == kHead), or as they were at log position `at`
// for each year of `years` (the postings now, with those changed after `at`
// as they were then: cell_table.h).
template <typename Keep, typename Visit>
absl::Status Collect(const CellTable& table, const std::string& agency,
                     CellKind kind, int first, int last, uint64_t at,
                     const std::vector<int>& years, Keep keep, Visit visit) {
  absl::Status bad;
  auto emit = [&](absl::string_view rest, uint32_t version) {
    PostingRest posting;
    if (!SplitPostingRest(rest, posting)) {
      bad = absl::DataLossError("the cell table holds a malformed key");
      return;
    }
    if (keep(posting.detail)) visit(posting.case_id, version);
  };
  if (at == kHead) {
    const std::string begin = CellPrefix(agency, kind, first);
    const size_t prefix = begin.size();
    OGI_RETURN_IF_ERROR(
        table.Scan(begin, CellPrefix(agency, kind, last + 1),
                   [&](absl::string_view key, uint32_t version) {
                     emit(key.substr(prefix), version);
                   }));
    return bad;
  }
  for (const int year : years) {
    OGI_ASSIGN_OR_RETURN(const auto changes,
                         table.ChangesAfter(agency, kind, year, at));
    auto next = changes.begin();
    // The changed postings before `rest` (all if empty), as they were.
    auto then_before = [&](absl::string_view rest) {
      for (; next != changes.end() && (rest.empty() || next->first < rest);
           ++next) {
        if (next->second.was) emit(next->first, next->second.was_version);
      }
    };
    const std::string begin = CellPrefix(agency, kind, year);
    const size_t prefix = begin.size();
    OGI_RETURN_IF_ERROR(
        table.Scan(begin, CellPrefix(agency, kind, year + 1),
                   [&](absl::string_view key, uint32_t version) {
                     const absl::string_view rest = key.substr(prefix);
                     then_before(rest);
                     if (next != changes.end() && next->first == rest) {
                       if (next->second.was)
                         emit(rest, next->second.was_version);
                       ++next;
                       return;
                     }
                     emit(rest, version);
                   }));
    then_before("");
  }
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
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
  }
  uint64_t when = kHead;
  if (request.as_of != absl::InfiniteFuture()) {
    OGI_ASSIGN_OR_RETURN(const Instant at, InstantOf(request.as_of));
    if (at.position < state_.checkpoint()) when = at.position;
  }
  absl::flat_hash_set<std::string> scope_set;
  if (when != kHead) {
    OGI_ASSIGN_OR_RETURN(const AgenciesThen* then, AgenciesAt(when));
    const AgenciesThen& agencies = *then;
    if (!agencies.contains(request.agency_id)) {
      return absl::NotFoundError(
          Text(Msg::kAgencyNotRegistered, request.agency_id));
    }
    scope_set = AgencyScope(
        request.agency_id, request.scope == Scope::kRollup, agencies,
        [](const AgencyState& a) -> const std::string& { return a.parent_id; });
  } else {
    auto root = state_.agencies().find(request.agency_id);
    if (root == state_.agencies().end() || root->second.name().empty()) {
      return absl::NotFoundError(
          Text(Msg::kAgencyNotRegistered, request.agency_id));
    }
    scope_set = ScopeOf(request);
  }
  OGI_ASSIGN_OR_RETURN(CellTable* const cells, CaughtUpCells());
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
          *cells, agency, CellKind::kAppeal, year, year, when, {year},
          [&](absl::string_view d) {
            return Byte(d, 0) == code.row && column_ok(Byte(d, 1));
          },
          gather));
    } else {
      const AppRow app_row = static_cast<AppRow>(code.row);
      const int first_result = kFirstResultRow;
      if (app_row == AppRow::kNew) {
        OGI_RETURN_IF_ERROR(Collect(
            *cells, agency, CellKind::kNew, year, year, when, {year},
            [&](absl::string_view d) { return column_ok(Byte(d, 0)); },
            direct));
      } else if (app_row == AppRow::kCarriedIn ||
                 app_row == AppRow::kCarriedOut) {
        // Carried in to N is carried out of N - 1 (A4): concluded after N,
        // or still open, having been received by then.
        const int n = app_row == AppRow::kCarriedIn ? year - 1 : year;
        auto keep = [&](absl::string_view d) { return column_ok(Byte(d, 0)); };
        OGI_RETURN_IF_ERROR(Collect(*cells, agency, CellKind::kCarried, n, n,
                                    when, {n}, keep, gather));
        OGI_RETURN_IF_ERROR(Collect(*cells, agency, CellKind::kOpen, 0, n, when,
                                    YearsOf(agency, 0, n), keep, gather));
      } else {
        const bool total = app_row == AppRow::kResultsTotal;
        OGI_RETURN_IF_ERROR(Collect(
            *cells, agency, CellKind::kResult, year, year, when, {year},
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
  out.position = when != kHead ? when : state_.checkpoint();
  return out;
}

}  // namespace ogi
