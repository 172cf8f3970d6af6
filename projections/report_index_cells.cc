// The report index's answer to "which cases are behind this cell": a key
// range of the cell table per agency; see report_index.h and
// internal/cell_postings.h.
#include <algorithm>
#include <cstdint>
#include <map>
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
  // For a list of changes: whether the next one falls outside the page
  // (then Skip it), else AddChange it.
  bool Counting() const {
    return total_ < offset_ || total_ - offset_ >= limit_;
  }
  void Skip() { ++total_; }
  void AddChange(ReportIndex::CellChange change) {
    changes_.push_back(std::move(change));
    ++total_;
  }
  size_t total() const { return total_; }
  std::vector<ReportIndex::CellEntry>& entries() { return entries_; }
  std::vector<ReportIndex::CellChange>& changes() { return changes_; }

 private:
  const size_t offset_, limit_;
  size_t total_ = 0;
  std::vector<ReportIndex::CellEntry> entries_;
  std::vector<ReportIndex::CellChange> changes_;
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

// One key range of the table holding cases of a cell: a kind, its years
// (`first` to `last` at the head; `years`, those with figures, for a past
// position), and whether one case has one posting there (so the range comes
// in case id order) or may have several (gathered and sorted first).
struct CellPart {
  CellKind kind;
  int first, last;
  std::vector<int> years;
  bool one_per_case;
};

// The key ranges of the cell `code` in `year`'s report; `years_to` gives an
// agency's years with figures up to a year.
template <typename YearsTo>
std::vector<CellPart> PartsOf(const CellCode& code, int year,
                              YearsTo years_to) {
  if (!code.applications)
    return {{CellKind::kAppeal, year, year, {year}, false}};
  const AppRow row = static_cast<AppRow>(code.row);
  if (row == AppRow::kNew) return {{CellKind::kNew, year, year, {year}, true}};
  if (row == AppRow::kCarriedIn || row == AppRow::kCarriedOut) {
    // Carried in to N is carried out of N - 1 (A4): concluded after N, or
    // still open, having been received by then.
    const int n = row == AppRow::kCarriedIn ? year - 1 : year;
    return {{CellKind::kCarried, n, n, {n}, false},
            {CellKind::kOpen, 0, n, years_to(n), false}};
  }
  return {{CellKind::kResult, year, year, {year}, true}};
}

// Whether a posting of `kind` with `detail` counts in the cell `code`.
bool Counts(const CellCode& code, CellKind kind, absl::string_view detail) {
  auto column_ok = [&](int column) {
    return code.applications
               ? code.column == kTotalColumn || column == code.column
               : code.column == static_cast<int>(AppealColumn::kTotal) ||
                     column == code.column;
  };
  switch (kind) {
    case CellKind::kAppeal:
      return Byte(detail, 0) == code.row && column_ok(Byte(detail, 1));
    case CellKind::kResult:
      return (code.row == static_cast<int>(AppRow::kResultsTotal) ||
              Byte(detail, 0) == code.row - kFirstResultRow) &&
             column_ok(Byte(detail, 1));
    default:
      return column_ok(Byte(detail, 0));
  }
}

}  // namespace

absl::StatusOr<absl::flat_hash_set<std::string>> ReportIndex::ScopeAt(
    const ReportRequest& request, uint64_t when) {
  if (when == state_.checkpoint()) {
    auto root = state_.agencies().find(request.agency_id);
    if (root == state_.agencies().end() || root->second.name().empty()) {
      return absl::NotFoundError(
          Text(Msg::kAgencyNotRegistered, request.agency_id));
    }
    return ScopeOf(request);
  }
  OGI_ASSIGN_OR_RETURN(const AgenciesThen* then, AgenciesAt(when));
  if (!then->contains(request.agency_id)) {
    return absl::NotFoundError(
        Text(Msg::kAgencyNotRegistered, request.agency_id));
  }
  return AgencyScope(
      request.agency_id, request.scope == Scope::kRollup, *then,
      [](const AgencyState& a) -> const std::string& { return a.parent_id; });
}

absl::StatusOr<uint64_t> ReportIndex::PositionOf(const ReportRequest& request) {
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
  }
  if (request.as_of == absl::InfiniteFuture()) return state_.checkpoint();
  OGI_ASSIGN_OR_RETURN(const Instant at, InstantOf(request.as_of));
  return at.position;
}

absl::StatusOr<ReportIndex::CellPage> ReportIndex::CellEntries(
    const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column, size_t offset,
    size_t limit) {
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(section, row, column));
  OGI_ASSIGN_OR_RETURN(const uint64_t position, PositionOf(request));
  const uint64_t when = position < state_.checkpoint() ? position : kHead;
  OGI_ASSIGN_OR_RETURN(
      const absl::flat_hash_set<std::string> scope_set,
      ScopeAt(request, when == kHead ? state_.checkpoint() : when));
  OGI_ASSIGN_OR_RETURN(CellTable* const cells, CaughtUpCells());
  std::vector<std::string> scope(scope_set.begin(), scope_set.end());
  std::sort(scope.begin(), scope.end());
  PageSink page(offset, limit);
  // A case has one posting in a part that is one per case, whose range
  // comes in case id order; the others are gathered and sorted first.
  std::vector<std::pair<std::string, uint32_t>> gathered;
  for (const std::string& agency : scope) {
    gathered.clear();
    const std::vector<CellPart> parts = PartsOf(
        code, request.year, [&](int n) { return YearsOf(agency, 0, n); });
    for (const CellPart& part : parts) {
      auto keep = [&](absl::string_view d) {
        return Counts(code, part.kind, d);
      };
      if (part.one_per_case) {
        OGI_RETURN_IF_ERROR(Collect(
            *cells, agency, part.kind, part.first, part.last, when, part.years,
            keep, [&](absl::string_view case_id, uint32_t version) {
              page.Add(agency, case_id, version);
            }));
      } else {
        OGI_RETURN_IF_ERROR(Collect(
            *cells, agency, part.kind, part.first, part.last, when, part.years,
            keep, [&](absl::string_view case_id, uint32_t version) {
              gathered.emplace_back(std::string(case_id), version);
            }));
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

absl::StatusOr<ReportIndex::CellChangePage> ReportIndex::CellChanges(
    const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column, size_t offset,
    size_t limit) {
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(section, row, column));
  OGI_ASSIGN_OR_RETURN(const uint64_t since, PositionOf(request));
  const uint64_t now = state_.checkpoint();
  CellChangePage out;
  out.since = since;
  out.position = now;
  // The agency may not have been registered then: all its cases entered.
  absl::flat_hash_set<std::string> then_scope;
  if (since < now) {
    absl::StatusOr<absl::flat_hash_set<std::string>> scope =
        ScopeAt(request, since);
    if (scope.ok()) {
      then_scope = *std::move(scope);
    } else if (!absl::IsNotFound(scope.status())) {
      return scope.status();
    }
  }
  OGI_ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string> now_scope,
                       ScopeAt(request, now));
  OGI_ASSIGN_OR_RETURN(CellTable* const cells, CaughtUpCells());
  if (since >= now) return out;
  std::vector<std::string> scope(now_scope.begin(), now_scope.end());
  for (const std::string& id : then_scope) {
    if (!now_scope.contains(id)) scope.push_back(id);
  }
  std::sort(scope.begin(), scope.end());
  PageSink page(offset, limit);
  for (const std::string& agency : scope) {
    const bool in_then = then_scope.contains(agency);
    const bool in_now = now_scope.contains(agency);
    // Only postings changed after `since` can make a case's count in the
    // cell differ; the others count the same then and now.
    std::map<std::string, CellChange> cases;
    const std::vector<CellPart> parts = PartsOf(
        code, request.year, [&](int n) { return YearsOf(agency, 0, n); });
    for (const CellPart& part : parts) {
      for (const int year : part.years) {
        OGI_ASSIGN_OR_RETURN(
            const auto changes,
            cells->ChangesAfter(agency, part.kind, year, since));
        for (const auto& [rest, then] : changes) {
          PostingRest posting;
          if (!SplitPostingRest(rest, posting))
            return absl::DataLossError("the cell table holds a malformed key");
          if (!Counts(code, part.kind, posting.detail)) continue;
          CellChange& c = cases[std::string(posting.case_id)];
          if (then.was && in_then) {
            ++c.then_count;
            c.then_version = then.was_version;
          }
          if (then.is && in_now) {
            ++c.now_count;
            c.now_version = then.is_version;
          }
          if (c.first_change == 0 || then.first_change < c.first_change)
            c.first_change = then.first_change;
        }
      }
    }
    for (auto& [case_id, c] : cases) {
      if (c.then_count == c.now_count) continue;
      if (page.Counting()) {
        page.Skip();
        continue;
      }
      c.agency_id = agency;
      c.case_id = case_id;
      page.AddChange(std::move(c));
    }
  }
  out.total = page.total();
  out.changes = std::move(page.changes());
  return out;
}

}  // namespace ogi
