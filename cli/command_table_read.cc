// The rows of the commands that answer from the read side (read/): report,
// cases, check, deadline, due and fee quote; see command_table.h.
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/command_table.h"

#include "engine/civil_date.h"
#include "engine/status_macros.h"
#include "read/store_damage.h"

namespace ogi {

absl::StatusOr<absl::Time> ParseAsOf(const std::string& text,
                                     std::ostream* notes) {
  absl::Time instant;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &instant, &error))
    return instant;
  absl::StatusOr<absl::CivilDay> day = ParseCivilDay(text);
  if (!day.ok()) {
    return absl::InvalidArgumentError(Text(Msg::kAsOfFormat));
  }
  // The last instant of the day in Asia/Shanghai: every event recorded that
  // day is in.
  instant = absl::FromCivil(*day + 1, AgencyTimeZone()) - absl::Nanoseconds(1);
  if (notes != nullptr) {
    *notes << "ogi: "
           << Text(Msg::kAsOfDayNote, text,
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", instant,
                                    AgencyTimeZone()))
           << "\n";
  }
  return instant;
}

namespace {

void ScopeFlags(CLI::App& app, Flags& f, bool year_required) {
  CLI::Option* year =
      app.add_option("--year", f.year, Text(Msg::kHelpTheReportSYear));
  if (year_required) year->required();
  app.add_option("--agency", f.agency, Text(Msg::kHelpAgencyIdDefaultThe));
  app.add_flag("--rollup", f.rollup, Text(Msg::kHelpTheAgencyAndEverything));
  app.add_option("--as-of", f.as_of, Text(Msg::kHelpOnlyEventsRecordedBy));
}

absl::StatusOr<ReportRequest> RequestOf(const Flags& f, CommandEnv& env) {
  ReportRequest request;
  request.year = f.year;
  request.agency_id = f.agency;
  request.scope = f.rollup ? Scope::kRollup : Scope::kAgency;
  if (!f.as_of.empty()) {
    OGI_ASSIGN_OR_RETURN(request.as_of, ParseAsOf(f.as_of, env.notes));
  }
  return request;
}

// The index options of a command that reads: caught up in memory, lag noted.
ReportOptions ReadIndex(CommandEnv& env) {
  ReportOptions index;
  index.index_path = ReportIndexPath(env.db);
  index.index_saving = ReportIndex::Saving::kInMemory;
  index.notes = env.notes;
  return index;
}

// The report format a file name's extension implies, if any.
std::optional<std::string> FormatOfPath(const std::string& path) {
  for (const auto& [suffix, format] :
       std::initializer_list<std::pair<const char*, const char*>>{
           {".html", "html"},
           {".htm", "html"},
           {".md", "md"},
           {".json", "json"},
           {".csv", "csv"},
           {".txt", "text"}}) {
    if (absl::EndsWithIgnoreCase(path, suffix)) return format;
  }
  return std::nullopt;
}

void ReportFlags(CLI::App& app, Flags& f) {
  ScopeFlags(app, f, /*year_required=*/true);
  app.add_flag("--extras", f.extras, Text(Msg::kHelpAddOnTimeRate));
  app.add_option("--format", f.format, Text(Msg::kHelpTextCsvJsonMd))
      ->check(CLI::IsMember({"text", "csv", "json", "md", "html"}));
  app.add_option("--output", f.output, Text(Msg::kHelpWriteToThisFile));
  app.add_flag("--document", f.document, Text(Msg::kHelpTheWholeReportTitle));
  app.add_option("--date", f.document_date, Text(Msg::kHelpTheDocumentSDate));
  app.add_flag("--strict", f.document_strict,
               Text(Msg::kHelpDocumentRefuseExitNon));
  AddCalendarFlags(app, f);
}

absl::Status RunReport(Flags& f, CommandEnv& env) {
  if (!f.document_date.empty() && !f.document) {
    return absl::InvalidArgumentError(Text(Msg::kDateNeedsDocument));
  }
  ReportOptions options = ReadIndex(env);
  OGI_ASSIGN_OR_RETURN(options.request, RequestOf(f, env));
  options.kind = f.document ? ReportKind::kDocument : ReportKind::kTables;
  std::string format = f.format;
  if (format.empty() && !f.output.empty()) {
    format = FormatOfPath(f.output).value_or("");
    if (f.document && format != "md") format = "html";
  }
  if (format.empty()) {
    format = f.document                                   ? "html"
             : env.stdout_is_terminal && f.output.empty() ? "text"
                                                          : "csv";
  }
  OGI_ASSIGN_OR_RETURN(options.format, ParseReportFormat(format));
  options.warnings = env.err;
  if (f.document_strict) options.strict = ReportOptions::Strict::kYes;
  options.extras = f.extras;
  options.calendar = env.judge.calendar;
  if (!f.document_date.empty()) {
    OGI_ASSIGN_OR_RETURN(options.date, ParseCivilDay(f.document_date));
  }
  absl::StatusOr<std::string> rendered = RenderYearReport(*env.store, options);
  if (!rendered.ok()) return ExplainDamage(*env.store, rendered.status());
  // A report from the report index need not read the log: a store whose
  // files are damaged is refused all the same (issue 18).
  OGI_RETURN_IF_ERROR(CheckLogReadable(*env.store));
  return WriteOutput(f.output, *rendered, *env.out);
}

void CasesFlags(CLI::App& app, Flags& f) {
  ScopeFlags(app, f, /*year_required=*/true);
  app.add_option("--row", f.cell_row, Text(Msg::kHelpRowCodeEG))->required();
  app.add_option("--column", f.cell_column, Text(Msg::kHelpColumnCodeEG))
      ->required();
  AddFormatFlag(app, f.format);
}

absl::Status RunCases(Flags& f, CommandEnv& env) {
  OGI_ASSIGN_OR_RETURN(ReportRequest request, RequestOf(f, env));
  return CasesCommand(*env.store, request, f.cell_row, f.cell_column, *env.out,
                      FormatOf(f.format), ReadIndex(env));
}

void CheckFlags(CLI::App& app, Flags& f) {
  ScopeFlags(app, f, /*year_required=*/false);
  app.add_option("--table", f.check_table, Text(Msg::kHelpCheckThisCSVTable));
  AddFormatFlag(app, f.format);
  AddCalendarFlags(app, f);
}

absl::Status RunCheck(Flags& f, CommandEnv& env) {
  if (!f.check_table.empty())
    return CheckTableCommand(f.check_table, *env.out, FormatOf(f.format));
  if (f.year == 0)
    return absl::InvalidArgumentError(Text(Msg::kCheckNeedsYearOrTable));
  OGI_ASSIGN_OR_RETURN(ReportRequest request, RequestOf(f, env));
  OGI_ASSIGN_OR_RETURN(EventStore * store, env.open(StoreUse::kRead));
  return CheckCommand(*store, request, ReadIndex(env), env.judge, *env.out,
                      FormatOf(f.format));
}

void DeadlineFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.case_id, Text(Msg::kHelpCaseId))->required();
  AddFormatFlag(app, f.format);
  AddCalendarFlags(app, f);
}

absl::Status RunDeadline(Flags& f, CommandEnv& env) {
  return DeadlineCommand(*env.store, f.case_id, *env.judge.calendar,
                         env.judge.today, FormatOf(f.format), *env.out);
}

void DueFlags(CLI::App& app, Flags& f) {
  app.add_option("--agency", f.due.agency_id, Text(Msg::kHelpAgencyId));
  app.add_flag("--rollup", f.due.rollup,
               Text(Msg::kHelpTheAgencyAndEverything));
  app.add_option("--within", f.due.within, Text(Msg::kHelpOnlyCasesDueWithin));
  AddFormatFlag(app, f.format);
  AddCalendarFlags(app, f);
}

absl::Status RunDue(Flags& f, CommandEnv& env) {
  f.due.today = env.judge.today;
  f.due.clock_day = env.judge.clock_day;
  return DueCommand(*env.store, f.due, *env.judge.calendar, *env.out,
                    FormatOf(f.format));
}

void FeeQuoteFlags(CLI::App& app, Flags& f) {
  app.add_option("--case", f.case_id, Text(Msg::kHelpCaseId))->required();
  app.add_option("--method", f.fee_method, Text(Msg::kHelpPerApplicationOrPer))
      ->required()
      ->check(CLI::IsMember({"per-application", "per-page"}));
  app.add_option("--pages", f.fee_pages,
                 Text(Msg::kHelpPagesProvidedRequiredFor));
}

absl::Status RunFeeQuote(Flags& f, CommandEnv& env) {
  return FeeQuoteCommand(*env.store, f.case_id,
                         f.fee_method == "per-page"
                             ? FeeMethod::kPerPage
                             : FeeMethod::kPerApplication,
                         f.fee_pages, *env.out);
}

}  // namespace

std::vector<SubCommand> ReadCommands() {
  return {
      {"report", Msg::kHelpTheAnnualReportOf, StoreUse::kRead, ReportFlags,
       RunReport},
      {"cases", Msg::kHelpTheCasesBehindOne, StoreUse::kRead, CasesFlags,
       RunCases},
      {"check", Msg::kHelpTheReportSConsistency, std::nullopt, CheckFlags,
       RunCheck},
      {"deadline", Msg::kHelpACaseSDue, StoreUse::kRead, DeadlineFlags,
       RunDeadline},
      {"due", Msg::kHelpTheOpenCasesBy, StoreUse::kRead, DueFlags, RunDue},
      {"fee", Msg::kHelpInformationProcessingFees, std::nullopt, nullptr,
       nullptr},
      {"fee quote", Msg::kHelpTheFeeANotice, StoreUse::kRead, FeeQuoteFlags,
       RunFeeQuote},
  };
}

}  // namespace ogi
