#include "read/reports.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <ostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "read/report_extras.h"

namespace ogi {

absl::StatusOr<ReportRequest> ResolveAgency(EventStore& store,
                                            ReportRequest request) {
  if (!request.agency_id.empty()) return request;
  // The registered agencies without a parent, from their streams (agency
  // events are few): not a scan of the log.
  std::vector<std::string> roots;
  OGI_ASSIGN_OR_RETURN(const std::vector<std::string> ids, store.AgencyIds());
  for (const std::string& id : ids) {
    OGI_ASSIGN_OR_RETURN(const AgencyState agency,
                         LoadAgencyState(store, id, UINT64_MAX));
    if (!agency.name.empty() && agency.parent_id.empty()) roots.push_back(id);
  }
  if (roots.size() != 1) {
    return absl::InvalidArgumentError(Text(Msg::kGiveAgency, roots.size()));
  }
  request.agency_id = roots.front();
  return request;
}

namespace {

// The index `options` names, caught up with the log: options.index, or one
// opened into `owned`; nullptr if it names none (replay).
absl::StatusOr<ReportIndex*> CaughtUpIndex(
    EventStore& store, const ReportOptions& options,
    std::unique_ptr<ReportIndex>& owned) {
  if (options.index_path.empty() && options.index == nullptr) return nullptr;
  ReportIndex* index = options.index;
  if (index == nullptr) {
    OGI_ASSIGN_OR_RETURN(owned, ReportIndex::Open(store, options.index_path,
                                                  options.index_saving));
    index = owned.get();
  }
  const uint64_t checkpoint = index->checkpoint();
  OGI_RETURN_IF_ERROR(index->CatchUp().status());
  if (options.index_saving == ReportIndex::Saving::kInMemory &&
      options.notes != nullptr && checkpoint < index->checkpoint()) {
    *options.notes << "ogi: "
                   << Text(Msg::kIndexCaughtUpInMemory, checkpoint,
                           index->checkpoint())
                   << "\n";
  }
  return index;
}

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

absl::StatusOr<AnnualReport> ComputeReport(EventStore& store,
                                           const ReportRequest& request,
                                           const ReportOptions& options) {
  std::unique_ptr<ReportIndex> owned;
  OGI_ASSIGN_OR_RETURN(ReportIndex * index,
                       CaughtUpIndex(store, options, owned));
  if (index == nullptr) return ComputeAnnualReport(store, request);
  absl::StatusOr<AnnualReport> report = index->Report(request);
  // A past instant needs the cell table at the index's checkpoint; without
  // it, a replay answers.
  if (absl::IsFailedPrecondition(report.status()))
    return ComputeAnnualReport(store, request);
  return report;
}

std::string FormatFindings(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    absl::StrAppend(
        &out,
        Text(f.severity == Finding::Severity::kError ? Msg::kCheckError
                                                     : Msg::kCheckWarning,
             f.rule, f.cell, f.message),
        "\n");
  }
  return out;
}

absl::StatusOr<std::string> RenderYearReport(EventStore& store,
                                             const ReportOptions& options) {
  OGI_ASSIGN_OR_RETURN(ReportRequest request,
                       ResolveAgency(store, options.request));
  OGI_ASSIGN_OR_RETURN(AnnualReport report,
                       ComputeReport(store, request, options));
  if (options.kind != ReportKind::kDocument && options.date.has_value()) {
    return absl::InvalidArgumentError(Text(Msg::kDateNeedsDocument));
  }
  if (options.kind == ReportKind::kDocument) {
    if (options.format != ReportFormat::kMd &&
        options.format != ReportFormat::kHtml) {
      return absl::InvalidArgumentError(Text(Msg::kDocumentFormat));
    }
    if (!options.date.has_value()) {
      return absl::InvalidArgumentError(Text(Msg::kDocumentNeedsDate));
    }
    const std::vector<Finding> problems = CheckDocument(report);
    if (options.warnings != nullptr)
      *options.warnings << FormatFindings(problems);
    if (!problems.empty() && options.strict == ReportOptions::Strict::kYes) {
      return absl::FailedPreconditionError(
          Text(Msg::kDocumentProblemsStrict, problems.size()));
    }
    return RenderDocument(report, options.format, *options.date);
  }
  std::string rendered = RenderReport(report, options.format);
  if (!options.extras) return rendered;
  if (options.calendar == nullptr)
    return absl::InternalError("report extras need the process's calendar");
  if (options.format == ReportFormat::kCsv) {
    return absl::InvalidArgumentError(Text(Msg::kExtrasNotCsv));
  }
  OGI_ASSIGN_OR_RETURN(
      std::string extras,
      ReportExtras(store, request, *options.calendar, options.format));
  if (options.format == ReportFormat::kJson) {
    // Inside the report's object: {..., "extras": {...}}
    const size_t close = rendered.rfind('}');
    rendered.insert(close, absl::StrCat(",\"extras\":", extras));
    return rendered;
  }
  return rendered + extras;
}

namespace {

int CountErrors(const std::vector<Finding>& findings) {
  int errors = 0;
  for (const Finding& f : findings)
    errors += f.severity == Finding::Severity::kError;
  return errors;
}

std::string FindingsJson(const std::vector<Finding>& findings) {
  std::string json = "[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    absl::StrAppend(
        &json, i ? "," : "", "{\"severity\":\"",
        f.severity == Finding::Severity::kError ? "error" : "warning",
        "\",\"check\":", f.rule, ",\"cell\":", JsonString(f.cell),
        ",\"message\":", JsonString(f.message), "}");
  }
  return json + "]";
}

std::string CaseFindingsJson(const std::vector<CaseFinding>& findings) {
  std::string json = "[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const CaseFinding& f = findings[i];
    absl::StrAppend(&json, i ? "," : "", "{\"rule\":", JsonString(f.rule),
                    ",\"caseId\":", JsonString(f.case_id),
                    ",\"message\":", JsonString(f.message), "}");
  }
  return json + "]";
}

}  // namespace

int YearCheck::errors() const { return CountErrors(findings); }

absl::StatusOr<YearCheck> CheckYear(EventStore& store, ReportRequest request,
                                    const ReportOptions& index,
                                    const Judge& judge) {
  YearCheck check;
  OGI_ASSIGN_OR_RETURN(check.request, ResolveAgency(store, std::move(request)));
  OGI_ASSIGN_OR_RETURN(AnnualReport report,
                       ComputeReport(store, check.request, index));
  ReportRequest before = check.request;
  --before.year;
  ReportOptions quiet = index;  // the lag, if any, was told once above
  quiet.notes = nullptr;
  OGI_ASSIGN_OR_RETURN(AnnualReport previous,
                       ComputeReport(store, before, quiet));
  check.findings = CheckReport(report, &previous);
  for (Finding& f : CheckDocument(report))
    check.findings.push_back(std::move(f));
  OGI_ASSIGN_OR_RETURN(
      check.flags,
      ComplianceFlags(store, check.request, *judge.calendar, judge.today));
  OGI_ASSIGN_OR_RETURN(check.year_end,
                       YearEndFindings(store, check.request, *judge.calendar));
  return check;
}

std::string RenderYearCheck(const YearCheck& check, OutputFormat format) {
  const int errors = check.errors();
  const size_t warnings =
      check.findings.size() - errors + check.year_end.size();
  if (format == OutputFormat::kJson) {
    return absl::StrCat(
        "{\"agencyId\":", JsonString(check.request.agency_id),
        ",\"year\":", check.request.year, ",\"rollup\":",
        check.request.scope == Scope::kRollup ? "true" : "false",
        ",\"errors\":", errors, ",\"warnings\":", warnings,
        ",\"complianceFlags\":", check.flags.size(),
        ",\"findings\":", FindingsJson(check.findings),
        ",\"cases\":", CaseFindingsJson(check.flags),
        ",\"yearEnd\":", CaseFindingsJson(check.year_end), "}\n");
  }
  std::string out = FormatFindings(check.findings);
  for (const CaseFinding& f : check.flags) out += FormatCaseFinding(f);
  for (const CaseFinding& f : check.year_end) out += FormatCaseFinding(f);
  absl::StrAppend(
      &out,
      Text(Msg::kCheckSummary, check.request.agency_id, check.request.year,
           check.request.scope == Scope::kRollup ? Text(Msg::kCheckRollup)
                                                 : std::string(),
           errors, warnings, check.flags.size()),
      "\n");
  return out;
}

int TableCheck::errors() const { return CountErrors(findings); }

TableCheck CheckTable(const std::string& name, const TypedTable& table) {
  TableCheck check;
  check.name = name;
  check.findings = table.findings;
  for (const Finding& f : table.missing) check.findings.push_back(f);
  check.missing = table.missing.size();
  // With cells missing, checks 1-4 would sum zeros that are not in the
  // file: only the missing cells are reported.
  if (table.missing.empty()) {
    for (Finding& f : CheckReport(table.report, nullptr))
      check.findings.push_back(std::move(f));
  }
  return check;
}

std::string RenderTableCheck(const TableCheck& check, OutputFormat format) {
  const int errors = check.errors();
  if (format == OutputFormat::kJson) {
    return absl::StrCat("{\"table\":", JsonString(check.name),
                        ",\"errors\":", errors,
                        ",\"warnings\":", check.findings.size() - errors,
                        ",\"missingCells\":", check.missing,
                        ",\"findings\":", FindingsJson(check.findings), "}\n");
  }
  std::string out = FormatFindings(check.findings);
  if (check.missing > 0) {
    absl::StrAppend(&out, Text(Msg::kCheckTableMissing, check.missing), "\n");
  }
  absl::StrAppend(&out,
                  Text(Msg::kCheckTableSummary, check.name, errors,
                       check.findings.size() - errors),
                  "\n");
  return out;
}

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
