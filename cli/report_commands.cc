// `ogi report`, `ogi cases`, `ogi check` and `ogi demo`; see commands.h.
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"

#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"
#include "gen/gen_log.h"
#include "projections/report_check.h"
#include "projections/report_index.h"

namespace ogi {

// The seed agency's log (tools/data/wltzq-jyj-2023.jsonl), embedded at build
// time by cli/CMakeLists.txt.
extern const char kSeedLog[];

namespace {

// Returns the request with its agency filled in: the store's only root agency
// when none is given.
absl::StatusOr<ReportRequest> Resolve(EventStore& store,
                                      ReportRequest request) {
  if (!request.agency_id.empty()) return request;
  std::vector<std::string> roots;
  OGI_RETURN_IF_ERROR(store.ScanLog(1, [&](const v1::Event& e) {
    if (e.has_agency_registered() &&
        e.agency_registered().parent_id().empty()) {
      roots.push_back(e.agency_id());
    }
    return absl::OkStatus();
  }));
  if (roots.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "give --agency: the store has ", roots.size(), " root agencies"));
  }
  request.agency_id = roots.front();
  return request;
}

// Returns the report: from the report index when one is given and the request
// is for the head of the log, else by replaying the log.
absl::StatusOr<AnnualReport> Compute(EventStore& store,
                                     const ReportRequest& request,
                                     const ReportOptions& options) {
  if (options.index_path.empty() || request.as_of != absl::InfiniteFuture()) {
    return ComputeAnnualReport(store, request);
  }
  OGI_ASSIGN_OR_RETURN(
      std::unique_ptr<ReportIndex> index,
      ReportIndex::Open(store, options.index_path, options.index_saving));
  const uint64_t checkpoint = index->checkpoint();
  OGI_RETURN_IF_ERROR(index->CatchUp().status());
  if (options.index_saving == ReportIndex::Saving::kInMemory &&
      options.notes != nullptr && checkpoint < index->checkpoint()) {
    *options.notes << "ogi: the report index was at position " << checkpoint
                   << " of " << index->checkpoint()
                   << ": caught up in memory, the file left as it is (ogi "
                      "reindex saves it)\n";
  }
  return index->Report(request);
}

void WriteFindings(const std::vector<Finding>& findings, std::ostream& out) {
  for (const Finding& f : findings) {
    out << (f.severity == Finding::Severity::kError ? "error" : "warning")
        << " (check " << f.rule << ") " << f.cell << ": " << f.message << "\n";
  }
}

absl::Status AppendLines(EventStore& store, absl::string_view text) {
  std::vector<v1::Event> batch;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    OGI_ASSIGN_OR_RETURN(v1::Event event,
                         ParseEventJson(line, EngineFields::kRefuse));
    batch.push_back(std::move(event));
  }
  return store.Append(std::move(batch)).status();
}

}  // namespace

absl::Status ReportCommand(EventStore& store, const ReportOptions& options,
                           std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(ReportRequest request, Resolve(store, options.request));
  OGI_ASSIGN_OR_RETURN(AnnualReport report, Compute(store, request, options));
  if (options.kind != ReportKind::kDocument && options.date.has_value()) {
    return absl::InvalidArgumentError(
        "--date is the document's date: give --document too");
  }
  if (options.kind == ReportKind::kDocument) {
    if (options.format != ReportFormat::kMd &&
        options.format != ReportFormat::kHtml) {
      return absl::InvalidArgumentError(
          "--document renders html or md (give --format html or md)");
    }
    if (!options.date.has_value()) {
      return absl::InvalidArgumentError(
          "--document needs --date YYYY-MM-DD, the day the agency signs the "
          "report");
    }
    const std::vector<Finding> problems = CheckDocument(report);
    if (options.warnings != nullptr) WriteFindings(problems, *options.warnings);
    if (!problems.empty() && options.strict == ReportOptions::Strict::kYes) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "the document has %d problem(s); nothing written (--strict)",
          problems.size()));
    }
    out << RenderDocument(report, options.format, *options.date);
  } else if (!options.extras) {
    out << RenderReport(report, options.format);
  } else {
    std::string rendered = RenderReport(report, options.format);
    if (options.calendar == nullptr)
      return absl::InternalError("report extras need the process's calendar");
    OGI_ASSIGN_OR_RETURN(
        std::string extras,
        ReportExtras(store, request, *options.calendar, options.format));
    if (options.format == ReportFormat::kJson) {
      // Inside the report's object: {..., "extras": {...}}
      const size_t close = rendered.rfind('}');
      rendered.insert(close, absl::StrCat(",\"extras\":", extras));
      out << rendered;
    } else if (options.format == ReportFormat::kCsv) {
      return absl::InvalidArgumentError(
          "--extras is not part of the CSV contract; use text, json, md or "
          "html");
    } else {
      out << rendered << extras;
    }
  }
  return absl::OkStatus();
}

absl::Status CasesCommand(EventStore& store, ReportRequest request,
                          const std::string& row, const std::string& column,
                          std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(request, Resolve(store, std::move(request)));
  bool appeals = false;
  for (int g = 0; g < kAppealGroups; ++g) {
    if (AppealGroupCode(static_cast<AppealGroup>(g)) == row) appeals = true;
  }
  OGI_ASSIGN_OR_RETURN(
      std::vector<CaseInCell> cases,
      CasesInCell(store, request, appeals ? "appeals" : "applications", row,
                  column));
  out << absl::StrFormat("%d case(s) in %s/%s/%s, %d, agency %s%s\n",
                         cases.size(), appeals ? "appeals" : "applications",
                         row, column, request.year, request.agency_id,
                         request.scope == Scope::kRollup ? " and below" : "");
  for (const CaseInCell& c : cases) {
    out << absl::StrFormat("%-24s %-16s %-14s v%-3d position %-8d %s\n",
                           c.case_id, c.agency_id, c.step, c.version,
                           c.position, c.occurred_on);
  }
  return absl::OkStatus();
}

absl::Status CheckCommand(EventStore& store, ReportRequest request,
                          const ReportOptions& index, const Judge& judge,
                          std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(request, Resolve(store, std::move(request)));
  OGI_ASSIGN_OR_RETURN(AnnualReport report, Compute(store, request, index));
  ReportRequest before = request;
  --before.year;
  ReportOptions quiet = index;  // the lag, if any, was told once above
  quiet.notes = nullptr;
  OGI_ASSIGN_OR_RETURN(AnnualReport previous, Compute(store, before, quiet));
  std::vector<Finding> findings = CheckReport(report, &previous);
  for (Finding& f : CheckDocument(report)) findings.push_back(std::move(f));
  WriteFindings(findings, out);
  int errors = 0;
  for (const Finding& f : findings) {
    errors += f.severity == Finding::Severity::kError;
  }
  OGI_ASSIGN_OR_RETURN(
      const int flags,
      WriteComplianceFlags(store, request, *judge.calendar, judge.today, out));
  OGI_ASSIGN_OR_RETURN(
      const int year_end,
      WriteYearEndFindings(store, request, *judge.calendar, out));
  out << absl::StrFormat(
      "%s %d%s: %d error(s), %d warning(s), %d compliance flag(s)\n",
      request.agency_id, request.year,
      request.scope == Scope::kRollup ? " (roll-up)" : "", errors,
      findings.size() - errors + year_end, flags);
  if (errors > 0) {
    return absl::FailedPreconditionError(
        "the report breaks its consistency rules: this is a bug of ogi");
  }
  return absl::OkStatus();
}

absl::Status CheckTableCommand(const std::string& path, std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream text;
  text << in.rdbuf();
  OGI_ASSIGN_OR_RETURN(TypedTable table, ParseReportCsv(text.str()));
  std::vector<Finding> findings = table.findings;
  for (const Finding& f : table.missing) findings.push_back(f);
  // With cells missing, checks 1-4 would sum zeros that are not in the
  // file: only the missing cells are reported.
  if (table.missing.empty()) {
    for (Finding& f : CheckReport(table.report, nullptr)) {
      findings.push_back(std::move(f));
    }
  }
  WriteFindings(findings, out);
  if (!table.missing.empty()) {
    out << table.missing.size()
        << " cell(s) missing: checks 1-4 skipped until the table is whole\n";
  }
  int errors = 0;
  for (const Finding& f : findings) {
    errors += f.severity == Finding::Severity::kError;
  }
  out << absl::StrFormat("%s: %d error(s), %d warning(s)\n", path, errors,
                         findings.size() - errors);
  if (errors > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " breaks the report's consistency rules"));
  }
  return absl::OkStatus();
}

absl::Status ReindexCommand(EventStore& store, const std::string& index_path,
                            std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<ReportIndex> index,
                       ReportIndex::Open(store, index_path));
  OGI_ASSIGN_OR_RETURN(ReportIndex::CatchUpStats caught, index->CatchUp());
  out << "report index " << index_path << " at position " << index->checkpoint()
      << " (" << caught.events << " events folded)\n";
  return absl::OkStatus();
}

absl::Status DemoCommand(EventStore& store, std::ostream& out) {
  if (const uint64_t events = store.HeadPosition(); events > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the store holds ", events,
        " events: ogi demo writes its sample only into a new folder (give "
        "--db NEW-FOLDER)"));
  }
  OGI_RETURN_IF_ERROR(AppendLines(store, kSeedLog));
  GenOptions gen;
  gen.agencies = 8;
  gen.first_year = 2021;
  gen.last_year = 2024;
  gen.cases_per_year = 3000;
  gen.seed = 2023;
  std::vector<v1::Event> batch;
  absl::Status status;
  GenerateLog(gen, [&](absl::string_view line) {
    if (!status.ok()) return;
    auto event = ParseEventJson(line, EngineFields::kRefuse);
    if (!event.ok()) {
      status = event.status();
      return;
    }
    batch.push_back(*std::move(event));
    if (batch.size() == 5000) {
      status = store.Append(std::move(batch)).status();
      batch.clear();
    }
  });
  OGI_RETURN_IF_ERROR(status);
  if (!batch.empty())
    OGI_RETURN_IF_ERROR(store.Append(std::move(batch)).status());

  ReportOptions seed;
  seed.request.year = 2023;
  seed.request.agency_id = "wltzq-jyj";
  OGI_RETURN_IF_ERROR(ReportCommand(store, seed, out));
  out << "\n";
  ReportOptions city;
  city.request.year = 2023;
  city.request.agency_id = "gov-root";
  city.request.scope = Scope::kRollup;
  return ReportCommand(store, city, out);
}

}  // namespace ogi
