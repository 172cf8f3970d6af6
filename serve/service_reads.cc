// IntakeService, part three: the reads. A case's events (ReadCase), the log
// catch-up then live (Subscribe), an annual report and a case's deadline, each
// after the caller's scope and reach (service_access.cc) are checked.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "engine/civil_date.h"
#include "engine/payload.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "serve/service.h"

namespace ogi {
namespace {

absl::string_view ContentType(ReportFormat format) {
  switch (format) {
    case ReportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ReportFormat::kJson:
      return "application/json";
    case ReportFormat::kMd:
      return "text/markdown; charset=utf-8";
    case ReportFormat::kHtml:
      return "text/html; charset=utf-8";
    case ReportFormat::kText:
      break;
  }
  return "text/plain; charset=utf-8";
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> IntakeService::ReadCase(
    const TokenInfo& caller, const std::string& case_id) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  OGI_RETURN_IF_ERROR(ValidateStreamId("caseId", case_id));
  OGI_RETURN_IF_ERROR(CheckCase(caller, case_id));
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kCase, case_id}));
  if (!caller.Has(TokenScope::kPersonal)) {
    for (v1::Event& event : events) MaskPersonalData(event);
  }
  return events;
}

absl::Status IntakeService::CheckSubscribe(const TokenInfo& caller) {
  return Require(caller, TokenScope::kRead);
}

absl::Status IntakeService::Subscribe(
    const TokenInfo& caller, uint64_t from, uint64_t until,
    const std::function<bool(const v1::Event&)>& send,
    const std::function<bool()>& cancelled) {
  OGI_RETURN_IF_ERROR(CheckSubscribe(caller));
  const bool personal = caller.Has(TokenScope::kPersonal);
  uint64_t next = std::max<uint64_t>(from, 1);
  // Why the loop stopped, when it did not just run out of events.
  std::optional<absl::Status> ended;
  auto check = [&]() -> bool {
    if (cancelled()) {
      ended = absl::OkStatus();
    } else if (!IsServing()) {
      ended = absl::UnavailableError(absl::StrCat(
          "the service is shutting down; subscribe again from position ",
          next));
    } else if (!tokens_.InForce(caller.id)) {
      ended = absl::UnauthenticatedError("the token was revoked");
    }
    return ended.has_value();
  };
  uint64_t visited = 0;
  while (true) {
    if (check()) return *ended;
    if (until != 0 && next > until) return absl::OkStatus();
    if (store_.HeadPosition() >= next) {
      absl::Status scanned = store_.ScanLog(
          next,
          [&](const v1::Event& stored) -> absl::Status {
            if (until != 0 && stored.position() > until) {
              ended = absl::OkStatus();
              return absl::CancelledError("");
            }
            if ((++visited & 1023) == 0 && check())
              return absl::CancelledError("");
            next = stored.position() + 1;
            absl::Status in_reach = CheckAgency(caller, stored.agency_id());
            if (absl::IsPermissionDenied(in_reach)) return absl::OkStatus();
            OGI_RETURN_IF_ERROR(in_reach);
            bool sent;
            if (personal) {
              sent = send(stored);
            } else {
              v1::Event masked = stored;
              MaskPersonalData(masked);
              sent = send(masked);
            }
            if (!sent) {
              ended = absl::OkStatus();
              return absl::CancelledError("");
            }
            return absl::OkStatus();
          },
          EventStore::ChainCheck::kSkip, EventStore::PersonalData::kReveal);
      if (ended) return *ended;
      OGI_RETURN_IF_ERROR(scanned);
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (notified_head_ < next && !draining_)
      head_changed_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
  }
}

absl::StatusOr<RenderedReport> IntakeService::Report(
    const TokenInfo& caller, const std::string& agency_id, int year,
    Scope scope, absl::Time as_of, absl::string_view format,
    const std::optional<ReportDocument>& document) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kReport));
  if (agency_id.empty())
    return absl::InvalidArgumentError("agency: an agency id is required");
  OGI_RETURN_IF_ERROR(ValidateStreamId("agencyId", agency_id));
  if (year < 1000 || year > 9999)
    return absl::InvalidArgumentError("year must be a year such as 2023");
  OGI_RETURN_IF_ERROR(CheckAgency(caller, agency_id));
  if (scope == Scope::kRollup && caller.reach != TokenReach::kSubtree)
    return absl::PermissionDeniedError(absl::StrCat(
        "token ", caller.name, " may not report on the agencies under ",
        agency_id, " (its scope: agency ", caller.agency_id, " alone)"));
  ReportRequest request;
  request.year = year;
  request.agency_id = agency_id;
  request.scope = scope;
  request.as_of = as_of;
  if (format.empty()) format = document ? "html" : "text";
  OGI_ASSIGN_OR_RETURN(ReportFormat report_format, ParseReportFormat(format));
  ReportOptions options;
  options.request = request;
  options.format = report_format;
  std::ostringstream warnings;
  if (document) {
    // Named by the request's words, not the CLI's flags (the read side's
    // refusal says --format).
    if (report_format != ReportFormat::kMd &&
        report_format != ReportFormat::kHtml)
      return absl::InvalidArgumentError(
          "format: the whole document is rendered as md or html");
    options.kind = ReportKind::kDocument;
    options.date = document->date;
    options.warnings = &warnings;
    if (document->strict) options.strict = ReportOptions::Strict::kYes;
  }
  OGI_ASSIGN_OR_RETURN(std::string body, reader_->Report(std::move(options)));
  RenderedReport rendered;
  rendered.content_type = std::string(ContentType(report_format));
  rendered.body = std::move(body);
  for (absl::string_view line :
       absl::StrSplit(warnings.str(), '\n', absl::SkipEmpty()))
    rendered.warnings.emplace_back(line);
  return rendered;
}

absl::StatusOr<std::string> IntakeService::Deadline(
    const TokenInfo& caller, const std::string& case_id,
    std::optional<absl::CivilDay> on) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  OGI_RETURN_IF_ERROR(ValidateStreamId("caseId", case_id));
  OGI_RETURN_IF_ERROR(CheckCase(caller, case_id));
  return reader_->Deadline(case_id, on ? *on : AgencyDay(clock_.Now()),
                           OutputFormat::kJson);
}

uint32_t IntakeService::CurrentVersion(const v1::Event& event) {
  StreamId stream = event.case_id().empty()
                        ? StreamId{StreamId::Kind::kAgency, event.agency_id()}
                        : StreamId{StreamId::Kind::kCase, event.case_id()};
  absl::StatusOr<std::vector<v1::Event>> events = store_.ReadStream(stream);
  return events.ok() ? static_cast<uint32_t>(events->size()) : 0;
}

}  // namespace ogi
