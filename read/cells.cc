// The cases behind a cell of part 三 or 四 and a cell's changes since an
// instant: from the report index's cell table when it holds the checkpoint,
// else from replays; see reports.h.
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/civil_date.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "read/reports.h"

namespace ogi {
namespace {

// The section a row code is in.
std::string SectionOf(const std::string& row) {
  for (int g = 0; g < kAppealGroups; ++g) {
    if (AppealGroupCode(static_cast<AppealGroup>(g)) == row) return "appeals";
  }
  return "applications";
}

// The page of `all` that `page` asks for.
template <typename T>
std::pair<size_t, size_t> PageBounds(const std::vector<T>& all, CellPage page) {
  const size_t begin = std::min(page.offset, all.size());
  const size_t end = begin + std::min(page.limit, all.size() - begin);
  return {begin, end};
}

}  // namespace

absl::StatusOr<CellCases> CasesOfCell(EventStore& store, ReportRequest request,
                                      const std::string& row,
                                      const std::string& column,
                                      const ReportOptions& index,
                                      CellPage page) {
  CellCases cell;
  OGI_ASSIGN_OR_RETURN(cell.request, ResolveAgency(store, std::move(request)));
  cell.section = SectionOf(row);
  cell.row = row;
  cell.column = column;
  std::unique_ptr<ReportIndex> owned;
  OGI_ASSIGN_OR_RETURN(ReportIndex * opened,
                       CaughtUpIndex(store, index, owned));
  if (opened != nullptr) {
    OGI_ASSIGN_OR_RETURN(const CellCode code,
                         ParseCellCode(cell.section, row, column));
    absl::StatusOr<ReportIndex::CellPage> entries = opened->CellEntries(
        cell.request, cell.section, row, column, page.offset, page.limit);
    if (entries.ok()) {
      cell.total = entries->total;
      cell.offset = std::min(page.offset, entries->total);
      cell.limit = page.limit;
      cell.from_index = true;
      for (const ReportIndex::CellEntry& e : entries->entries) {
        std::vector<uint64_t> positions;
        OGI_ASSIGN_OR_RETURN(
            const CaseState state,
            LoadCaseState(store, e.case_id, entries->position + 1, &positions));
        cell.cases.push_back(
            CaseInCellOf(e.case_id, state, positions, code, e.version));
      }
      return cell;
    }
    // Without a caught-up cell table, a replay answers.
    if (!absl::IsFailedPrecondition(entries.status())) return entries.status();
  }
  OGI_ASSIGN_OR_RETURN(
      std::vector<CaseInCell> all,
      CasesInCell(store, cell.request, cell.section, row, column));
  const auto [begin, end] = PageBounds(all, page);
  cell.total = all.size();
  cell.offset = begin;
  cell.limit = page.limit;
  cell.cases.assign(std::make_move_iterator(all.begin() + begin),
                    std::make_move_iterator(all.begin() + end));
  return cell;
}

namespace {

// The step of `case_id` at log position `position` (0 if none there).
absl::StatusOr<CaseInCell> EventAt(EventStore& store,
                                   const std::string& case_id,
                                   uint64_t position) {
  std::vector<uint64_t> positions;
  OGI_ASSIGN_OR_RETURN(const CaseState state,
                       LoadCaseState(store, case_id, position + 1, &positions));
  CaseInCell event;
  event.case_id = case_id;
  event.agency_id = state.agency_id;
  for (size_t v = 0; v < positions.size() && v < state.steps.size(); ++v) {
    if (positions[v] != position) continue;
    const CaseStep& step = state.steps[v];
    event.version = static_cast<uint32_t>(v + 1);
    event.position = position;
    event.occurred_on = FormatCivilDay(step.on());
    event.step = std::string(PayloadName(step.payload));
  }
  return event;
}

}  // namespace

absl::StatusOr<CellChanges> ChangesOfCell(
    EventStore& store, ReportRequest request, const std::string& row,
    const std::string& column, const ReportOptions& index, CellPage page) {
  CellChanges out;
  OGI_ASSIGN_OR_RETURN(out.request, ResolveAgency(store, std::move(request)));
  out.section = SectionOf(row);
  out.row = row;
  out.column = column;
  out.limit = page.limit;
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(out.section, row, column));
  std::unique_ptr<ReportIndex> owned;
  OGI_ASSIGN_OR_RETURN(ReportIndex * opened,
                       CaughtUpIndex(store, index, owned));
  if (opened != nullptr) {
    absl::StatusOr<ReportIndex::CellChangePage> changes = opened->CellChanges(
        out.request, out.section, row, column, page.offset, page.limit);
    if (changes.ok()) {
      out.since = changes->since;
      out.position = changes->position;
      out.total = changes->total;
      out.offset = std::min(page.offset, changes->total);
      out.from_index = true;
      for (const ReportIndex::CellChange& c : changes->changes) {
        CellChange change;
        change.then_count = c.then_count;
        change.now_count = c.now_count;
        if (c.now_count > c.then_count) {
          std::vector<uint64_t> positions;
          OGI_ASSIGN_OR_RETURN(
              const CaseState state,
              LoadCaseState(store, c.case_id, changes->position + 1,
                            &positions));
          change.event =
              CaseInCellOf(c.case_id, state, positions, code, c.now_version);
        } else {
          OGI_ASSIGN_OR_RETURN(change.event,
                               EventAt(store, c.case_id, c.first_change));
        }
        out.changes.push_back(std::move(change));
      }
      return out;
    }
    if (!absl::IsFailedPrecondition(changes.status())) return changes.status();
  }
  // Two replays: the cell then and now.
  OGI_ASSIGN_OR_RETURN(const AnnualReport then_report,
                       ComputeAnnualReport(store, out.request));
  OGI_ASSIGN_OR_RETURN(
      const std::vector<CaseInCell> then_cases,
      CasesInCell(store, out.request, out.section, row, column));
  ReportRequest now = out.request;
  now.as_of = absl::InfiniteFuture();
  OGI_ASSIGN_OR_RETURN(const AnnualReport now_report,
                       ComputeAnnualReport(store, now));
  OGI_ASSIGN_OR_RETURN(const std::vector<CaseInCell> now_cases,
                       CasesInCell(store, now, out.section, row, column));
  out.since = then_report.position;
  out.position = now_report.position;
  std::map<std::pair<std::string, std::string>, CellChange> cases;
  for (const CaseInCell& c : then_cases) {
    CellChange& change = cases[{c.agency_id, c.case_id}];
    ++change.then_count;
    change.event = c;
  }
  for (const CaseInCell& c : now_cases) {
    CellChange& change = cases[{c.agency_id, c.case_id}];
    ++change.now_count;
    change.event = c;
  }
  for (auto& [id, change] : cases) {
    if (change.then_count == change.now_count) continue;
    if (out.total >= page.offset && out.total - page.offset < page.limit)
      out.changes.push_back(std::move(change));
    ++out.total;
  }
  out.offset = std::min(page.offset, out.total);
  return out;
}

namespace {

// The JSON members naming a cell and its report, after the opening brace.
std::string CellJsonHead(const ReportRequest& r, const std::string& section,
                         const std::string& row, const std::string& column) {
  return absl::StrCat(
      "{\"section\":", JsonString(section), ",\"row\":", JsonString(row),
      ",\"column\":", JsonString(column), ",\"year\":", r.year,
      ",\"agencyId\":", JsonString(r.agency_id),
      ",\"rollup\":", r.scope == Scope::kRollup ? "true" : "false");
}

}  // namespace

std::string RenderCellChangesJson(const CellChanges& changes) {
  std::string json = absl::StrCat(
      CellJsonHead(changes.request, changes.section, changes.row,
                   changes.column),
      ",\"since\":", changes.since, ",\"position\":", changes.position,
      ",\"total\":", changes.total, ",\"offset\":", changes.offset,
      changes.limit != SIZE_MAX ? absl::StrCat(",\"limit\":", changes.limit)
                                : "",
      ",\"changes\":[");
  for (size_t i = 0; i < changes.changes.size(); ++i) {
    const CellChange& c = changes.changes[i];
    absl::StrAppend(
        &json, i ? "," : "", "{\"caseId\":", JsonString(c.event.case_id),
        ",\"agencyId\":", JsonString(c.event.agency_id),
        ",\"was\":", c.then_count, ",\"now\":", c.now_count,
        ",\"step\":", JsonString(c.event.step),
        ",\"version\":", c.event.version, ",\"position\":", c.event.position,
        ",\"occurredOn\":", JsonString(c.event.occurred_on), "}");
  }
  return json + "]}\n";
}

std::string RenderCellCases(const CellCases& cell, OutputFormat format) {
  const ReportRequest& r = cell.request;
  if (format == OutputFormat::kJson) {
    std::string json = absl::StrCat(
        CellJsonHead(r, cell.section, cell.row, cell.column),
        ",\"total\":", cell.total, ",\"offset\":", cell.offset,
        cell.limit != SIZE_MAX ? absl::StrCat(",\"limit\":", cell.limit) : "",
        ",\"cases\":[");
    for (size_t i = 0; i < cell.cases.size(); ++i) {
      const CaseInCell& c = cell.cases[i];
      absl::StrAppend(&json, i ? "," : "",
                      "{\"caseId\":", JsonString(c.case_id),
                      ",\"agencyId\":", JsonString(c.agency_id),
                      ",\"step\":", JsonString(c.step),
                      ",\"version\":", c.version, ",\"position\":", c.position,
                      ",\"occurredOn\":", JsonString(c.occurred_on), "}");
    }
    return json + "]}\n";
  }
  std::string out = absl::StrCat(
      Text(Msg::kCasesHeader, cell.total,
           absl::StrCat(cell.section, "/", cell.row, "/", cell.column), r.year,
           r.agency_id,
           r.scope == Scope::kRollup ? Text(Msg::kCasesRollup) : std::string()),
      "\n");
  for (const CaseInCell& c : cell.cases) {
    absl::StrAppend(
        &out,
        absl::StrFormat("%-24s %-16s %-14s ", c.case_id, c.agency_id, c.step),
        Text(Msg::kCasesLine, absl::StrFormat("%-3d", c.version),
             absl::StrFormat("%-8d", c.position), c.occurred_on),
        "\n");
  }
  return out;
}

}  // namespace ogi
