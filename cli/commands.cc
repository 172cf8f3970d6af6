// `ogi append`, `ogi export` and `ogi stats`; see commands.h.
#include "cli/commands.h"

#include <ostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/json_codec.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "projections/store_stats.h"

namespace ogi {

absl::Status AppendCommand(EventStore& store, const std::string& json,
                           std::optional<uint32_t> expected_version,
                           std::ostream& out, OutputFormat format) {
  OGI_ASSIGN_OR_RETURN(v1::Event event,
                       ParseEventJson(json, EngineFields::kRefuse));
  if (expected_version) event.set_expected_version(*expected_version);
  OGI_ASSIGN_OR_RETURN(std::vector<AppendedEvent> appended,
                       store.Append({event}));
  const AppendedEvent& a = appended.front();
  const bool duplicate = a.outcome == AppendedEvent::Outcome::kDuplicate;
  if (format == OutputFormat::kJson) {
    out << "{\"position\":" << a.position
        << ",\"stream\":" << JsonString(StreamLabel(event))
        << ",\"version\":" << a.version
        << ",\"duplicate\":" << (duplicate ? "true" : "false") << "}\n";
    return absl::OkStatus();
  }
  out << Text(duplicate ? Msg::kAppendDuplicate : Msg::kAppendPosition,
              a.position, StreamLabel(event), a.version)
      << "\n";
  return absl::OkStatus();
}

absl::Status ExportCommand(EventStore& store, const ExportOptions& options,
                           std::ostream& out) {
  if (!options.agency_id.empty()) {
    OGI_RETURN_IF_ERROR(ValidateStreamId("--agency", options.agency_id));
    OGI_ASSIGN_OR_RETURN(
        std::vector<v1::Event> agency,
        store.ReadStream({StreamId::Kind::kAgency, options.agency_id}));
    if (agency.empty()) {
      return absl::NotFoundError(
          Text(Msg::kAgencyNotRegistered, options.agency_id));
    }
  }
  std::string line;
  auto write = [&](const v1::Event& event) {
    line = MessageToJson(event);
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  };
  if (!options.case_id.empty()) {
    OGI_RETURN_IF_ERROR(ValidateStreamId("--case", options.case_id));
    OGI_ASSIGN_OR_RETURN(
        std::vector<v1::Event> events,
        store.ReadStream({StreamId::Kind::kCase, options.case_id}));
    if (events.empty())
      return absl::NotFoundError(Text(Msg::kUnknownCase, options.case_id));
    for (const v1::Event& event : events) {
      if (options.agency_id.empty() || event.agency_id() == options.agency_id)
        write(event);
    }
  } else {
    OGI_RETURN_IF_ERROR(store.ScanLog(1, [&](const v1::Event& event) {
      if (options.agency_id.empty() || event.agency_id() == options.agency_id)
        write(event);
      return absl::OkStatus();
    }));
  }
  out.flush();
  if (!out) return absl::UnavailableError(Text(Msg::kErrorWritingExport));
  return absl::OkStatus();
}

absl::Status StatsCommand(EventStore& store, OutputFormat format,
                          std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(StoreStats stats, store.Stats());
  StoreStatsProjection projection;
  OGI_RETURN_IF_ERROR(CatchUp(store, projection));
  const std::string head_hash = absl::BytesToHexString(stats.head_link);
  if (format == OutputFormat::kJson) {
    std::string json = absl::StrCat(
        "{\"events\":", stats.events, ",\"cases\":", stats.cases,
        ",\"concludedCases\":", projection.concluded_cases(),
        ",\"agencies\":", stats.agencies, ",\"headPosition\":", stats.events,
        ",\"headHash\":\"", head_hash,
        "\",\"bytesOnDisk\":", stats.bytes_on_disk, ",\"eventsByPayload\":{");
    bool first = true;
    for (const auto& [payload, count] : projection.events_by_payload()) {
      absl::StrAppend(&json, first ? "" : ",", "\"", payload, "\":", count);
      first = false;
    }
    absl::StrAppend(&json, "}}\n");
    out << json;
    return absl::OkStatus();
  }
  out << Text(Msg::kStatsEvents, stats.events);
  if (stats.events > 0) out << Text(Msg::kStatsPositions, stats.events);
  out << "\n";
  out << Text(Msg::kStatsCases, stats.cases, projection.concluded_cases(),
              stats.cases - projection.concluded_cases())
      << "\n";
  out << Text(Msg::kStatsAgencies, stats.agencies) << "\n";
  if (!projection.first_date().empty()) {
    out << Text(Msg::kStatsDates, projection.first_date(),
                projection.last_date())
        << "\n";
  }
  out << Text(Msg::kStatsHeadHash, head_hash) << "\n";
  out << Text(Msg::kStatsSize,
              absl::StrFormat("%.1f", stats.bytes_on_disk / 1048576.0),
              absl::StrFormat("%.1f",
                              stats.events == 0
                                  ? 0.0
                                  : static_cast<double>(stats.bytes_on_disk) /
                                        stats.events))
      << "\n";
  out << Text(Msg::kStatsByPayload) << "\n";
  for (const auto& [payload, count] : projection.events_by_payload()) {
    out << absl::StrFormat("  %-22s %d\n", payload, count);
  }
  return absl::OkStatus();
}

std::string ReportIndexPath(const std::string& db) {
  return db + "/ogi-report-index.pb";
}

}  // namespace ogi
