// `ogi report`, `ogi cases`, `ogi check`, `ogi reindex` and `ogi demo`: the
// read side's answers (read/reports.h), printed; see commands.h.
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
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "gen/gen_log.h"
#include "projections/report_check.h"
#include "projections/report_index.h"

namespace ogi {

// The seed agency's log (tools/data/wltzq-jyj-2023.jsonl), embedded at build
// time by cli/CMakeLists.txt.
extern const char kSeedLog[];

namespace {

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
  OGI_ASSIGN_OR_RETURN(std::string rendered, RenderYearReport(store, options));
  out << rendered;
  return absl::OkStatus();
}

absl::Status CasesCommand(EventStore& store, ReportRequest request,
                          const std::string& row, const std::string& column,
                          std::ostream& out, OutputFormat format,
                          const ReportOptions& index) {
  OGI_ASSIGN_OR_RETURN(CellCases cell, CasesOfCell(store, std::move(request),
                                                   row, column, index));
  out << RenderCellCases(cell, format);
  return absl::OkStatus();
}

absl::Status CheckCommand(EventStore& store, ReportRequest request,
                          const ReportOptions& index, const Judge& judge,
                          std::ostream& out, OutputFormat format) {
  OGI_ASSIGN_OR_RETURN(YearCheck check,
                       CheckYear(store, std::move(request), index, judge));
  out << RenderYearCheck(check, format);
  if (check.errors() > 0) {
    return absl::FailedPreconditionError(Text(Msg::kCheckBug));
  }
  return absl::OkStatus();
}

absl::Status CheckTableCommand(const std::string& path, std::ostream& out,
                               OutputFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Text(Msg::kCannotOpen, path));
  std::stringstream text;
  text << in.rdbuf();
  OGI_ASSIGN_OR_RETURN(TypedTable table, ParseReportCsv(text.str()));
  const TableCheck check = CheckTable(path, table);
  out << RenderTableCheck(check, format);
  if (check.errors() > 0) {
    return absl::FailedPreconditionError(Text(Msg::kTableBreaksRules, path));
  }
  return absl::OkStatus();
}

absl::Status ReindexCommand(EventStore& store, const std::string& index_path,
                            std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<ReportIndex> index,
                       ReportIndex::Open(store, index_path));
  OGI_ASSIGN_OR_RETURN(ReportIndex::CatchUpStats caught, index->CatchUp());
  out << Text(Msg::kReindexDone, index_path, index->checkpoint(), caught.events)
      << "\n";
  return absl::OkStatus();
}

absl::Status DemoCommand(EventStore& store, std::ostream& out) {
  if (const uint64_t events = store.HeadPosition(); events > 0) {
    return absl::FailedPreconditionError(Text(Msg::kDemoNotEmpty, events));
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
