#include "read/reports.h"

#include <algorithm>
#include <memory>
#include <ostream>
#include <utility>

#include "absl/strings/str_cat.h"

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

}  // namespace ogi
