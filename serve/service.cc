#include "serve/service.h"

#include <mutex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"

#include "engine/civil_date.h"
#include "engine/payload.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

constexpr size_t kMaxErrors = 100;
constexpr size_t kImportBatch = 10000;

absl::Status WithIndex(const absl::Status& status, size_t index, size_t count) {
  if (status.ok() || count == 1) return status;
  return absl::Status(
      status.code(),
      absl::StrCat("event ", index + 1, " of ", count, ": ", status.message()));
}

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

IntakeService::IntakeService(ServiceOptions options)
    : store_(*options.store),
      tokens_(*options.tokens),
      report_index_path_(std::move(options.report_index_path)),
      calendar_(std::move(options.calendar)),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      max_import_events_(options.max_import_events) {}

absl::StatusOr<TokenInfo> IntakeService::Authenticate(
    absl::string_view authorization) {
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(authorization, kBearer))
    return absl::UnauthenticatedError(
        "no token: send the header Authorization: Bearer TOKEN");
  return tokens_.Authenticate(authorization.substr(kBearer.size()));
}

absl::Status IntakeService::Require(const TokenInfo& caller, TokenScope scope) {
  if (caller.Has(scope)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("token ", caller.name, " lacks the scope ",
                   ScopesToString(static_cast<uint32_t>(scope)), " (it has ",
                   ScopesToString(caller.scopes), ")"));
}

absl::StatusOr<std::string> IntakeService::ParentOf(
    const std::string& agency_id) {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = agency_parent_.find(agency_id);
    if (it != agency_parent_.end()) return it->second;
  }
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kAgency, agency_id}));
  if (events.empty() || !events.front().has_agency_registered())
    return absl::NotFoundError(
        absl::StrCat("agency ", agency_id, ": unknown agency"));
  std::string parent = events.front().agency_registered().parent_id();
  absl::MutexLock lock(&cache_mu_);
  agency_parent_[agency_id] = parent;
  return parent;
}

absl::Status IntakeService::CheckAgency(const TokenInfo& caller,
                                        const std::string& agency_id) {
  if (agency_id == caller.agency_id) return absl::OkStatus();
  const absl::Status denied = absl::PermissionDeniedError(
      absl::StrCat("token ", caller.name, " may not act for agency ", agency_id,
                   " (its scope: agency ", caller.agency_id,
                   caller.rollup ? " and the agencies under it)" : " alone)"));
  if (!caller.rollup) return denied;
  std::string agency = agency_id;
  for (int depth = 0; depth < 64; ++depth) {
    absl::StatusOr<std::string> parent = ParentOf(agency);
    if (!parent.ok()) {
      if (absl::IsNotFound(parent.status())) return denied;
      return parent.status();
    }
    if (parent->empty()) return denied;
    if (*parent == caller.agency_id) return absl::OkStatus();
    agency = *std::move(parent);
  }
  return denied;
}

absl::StatusOr<std::string> IntakeService::AgencyOfCase(
    const std::string& case_id) {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = case_agency_.find(case_id);
    if (it != case_agency_.end()) return it->second;
  }
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kCase, case_id}));
  if (events.empty())
    return absl::NotFoundError(
        absl::StrCat("case ", case_id, ": unknown case"));
  absl::MutexLock lock(&cache_mu_);
  // Cases never change agency; the cache only saves reads, so it is simply
  // emptied when it grows large.
  if (case_agency_.size() >= 1000000) case_agency_.clear();
  case_agency_[case_id] = events.front().agency_id();
  return events.front().agency_id();
}

absl::Status IntakeService::PrepareAppend(
    const TokenInfo& caller, v1::Event& event,
    absl::flat_hash_map<std::string, std::string>& pending) {
  std::string agency;
  if (event.has_agency_registered()) {
    // A new agency is in scope if it is the token's own, or registered under
    // an agency of the token's subtree.
    if (event.agency_id() != caller.agency_id) {
      if (!caller.rollup)
        return CheckAgency(caller, event.agency_id());  // denied
      absl::Status parent_ok =
          CheckAgency(caller, event.agency_registered().parent_id());
      if (!parent_ok.ok()) return CheckAgency(caller, event.agency_id());
    }
  } else if (!event.case_id().empty() && event.agency_id().empty()) {
    auto it = pending.find(event.case_id());
    if (it != pending.end()) {
      agency = it->second;
    } else {
      OGI_ASSIGN_OR_RETURN(agency, AgencyOfCase(event.case_id()));
    }
    OGI_RETURN_IF_ERROR(CheckAgency(caller, agency));
  } else {
    if (event.has_received()) pending[event.case_id()] = event.agency_id();
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id()));
  }
  event.set_actor(event.actor().empty()
                      ? caller.name
                      : absl::StrCat(caller.name, "/", event.actor()));
  return absl::OkStatus();
}

bool IntakeService::Enter() {
  absl::MutexLock lock(&mu_);
  if (draining_) return false;
  ++in_flight_;
  return true;
}

void IntakeService::Leave() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
  notified_head_ = store_.HeadPosition();
  head_changed_.SignalAll();
}

bool IntakeService::serving() {
  absl::MutexLock lock(&mu_);
  return !draining_;
}

absl::StatusOr<std::vector<AppendedEvent>> IntakeService::Append(
    const TokenInfo& caller, std::vector<v1::Event> events) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kAppend));
  if (events.empty()) return absl::InvalidArgumentError("no events to append");
  absl::flat_hash_map<std::string, std::string> pending;
  for (size_t i = 0; i < events.size(); ++i) {
    OGI_RETURN_IF_ERROR(
        WithIndex(PrepareAppend(caller, events[i], pending), i, events.size()));
  }
  if (!Enter())
    return absl::UnavailableError("the service is shutting down; retry later");
  absl::StatusOr<std::vector<AppendedEvent>> result;
  {
    std::shared_lock<std::shared_mutex> lock(writers_);
    result = store_.Append(events);
  }
  if (result.ok()) {
    absl::MutexLock lock(&cache_mu_);
    for (const v1::Event& event : events) {
      if (event.has_received() && !event.agency_id().empty())
        case_agency_[event.case_id()] = event.agency_id();
    }
  }
  Leave();
  return result;
}

absl::StatusOr<ImportResult> IntakeService::Import(
    const TokenInfo& caller, std::vector<v1::Event> events) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kAppend));
  if (events.size() > max_import_events_)
    return absl::ResourceExhaustedError(absl::StrCat(
        "an import over the service takes at most ", max_import_events_,
        " events; split it, or stop the service and use `ogi import`"));
  std::vector<std::string> errors;
  absl::StatusCode code = absl::StatusCode::kOk;
  absl::flat_hash_map<std::string, std::string> pending;
  for (size_t i = 0; i < events.size() && errors.size() < kMaxErrors; ++i) {
    absl::Status s = PrepareAppend(caller, events[i], pending);
    if (s.ok()) continue;
    if (code == absl::StatusCode::kOk) code = s.code();
    errors.push_back(absl::StrCat("event ", i + 1, ": ", s.message()));
  }
  pending.clear();
  if (!errors.empty()) {
    return absl::Status(code, absl::StrCat("import refused, nothing written:\n",
                                           absl::StrJoin(errors, "\n")));
  }
  if (!Enter())
    return absl::UnavailableError("the service is shutting down; retry later");
  ImportResult result;
  absl::Status status = [&]() -> absl::Status {
    // No other append may change the state between the check and the writes.
    std::unique_lock<std::shared_mutex> lock(writers_);
    std::unique_ptr<DryRun> dry_run = store_.NewDryRun(events.size());
    for (size_t i = 0; i < events.size() && errors.size() < kMaxErrors; ++i) {
      absl::StatusOr<AppendedEvent> checked = dry_run->Check(events[i]);
      if (!checked.ok())
        errors.push_back(
            absl::StrCat("event ", i + 1, ": ", checked.status().message()));
    }
    dry_run.reset();
    if (!errors.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "import refused, nothing written:\n", absl::StrJoin(errors, "\n")));
    }
    absl::Span<const v1::Event> all(events);
    for (size_t begin = 0; begin < all.size(); begin += kImportBatch) {
      OGI_ASSIGN_OR_RETURN(std::vector<AppendedEvent> appended,
                           store_.Append(all.subspan(begin, kImportBatch)));
      for (const AppendedEvent& a : appended) {
        ++(a.outcome == AppendedEvent::Outcome::kDuplicate ? result.duplicates
                                                           : result.appended);
      }
    }
    return absl::OkStatus();
  }();
  Leave();
  OGI_RETURN_IF_ERROR(status);
  result.events = events.size();
  result.head_position = store_.HeadPosition();
  return result;
}

absl::StatusOr<std::vector<v1::Event>> IntakeService::ReadCase(
    const TokenInfo& caller, const std::string& case_id) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  OGI_ASSIGN_OR_RETURN(std::string agency, AgencyOfCase(case_id));
  OGI_RETURN_IF_ERROR(CheckAgency(caller, agency));
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kCase, case_id}));
  if (!caller.Has(TokenScope::kPersonal)) {
    for (v1::Event& event : events) MaskPersonalData(event);
  }
  return events;
}

absl::Status IntakeService::Subscribe(
    const TokenInfo& caller, uint64_t from, uint64_t until,
    const std::function<bool(const v1::Event&)>& send,
    const std::function<bool()>& cancelled) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  const bool personal = caller.Has(TokenScope::kPersonal);
  uint64_t next = std::max<uint64_t>(from, 1);
  bool stop = false;
  uint64_t visited = 0;
  while (!stop) {
    if (cancelled() || !serving()) return absl::OkStatus();
    if (until != 0 && next > until) return absl::OkStatus();
    if (store_.HeadPosition() >= next) {
      absl::Status scanned = store_.ScanLog(
          next,
          [&](const v1::Event& stored) -> absl::Status {
            if (until != 0 && stored.position() > until) {
              stop = true;
              return absl::CancelledError("");
            }
            next = stored.position() + 1;
            if ((++visited & 1023) == 0 && (cancelled() || !serving())) {
              stop = true;
              return absl::CancelledError("");
            }
            const std::string& agency = stored.agency_id();
            absl::Status in_scope = CheckAgency(caller, agency);
            if (absl::IsPermissionDenied(in_scope)) return absl::OkStatus();
            OGI_RETURN_IF_ERROR(in_scope);
            bool sent;
            if (personal) {
              sent = send(stored);
            } else {
              v1::Event masked = stored;
              MaskPersonalData(masked);
              sent = send(masked);
            }
            if (!sent) {
              stop = true;
              return absl::CancelledError("");
            }
            return absl::OkStatus();
          },
          EventStore::ChainCheck::kSkip, EventStore::PersonalData::kReveal);
      if (stop) return absl::OkStatus();
      OGI_RETURN_IF_ERROR(scanned);
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (notified_head_ < next && !draining_)
      head_changed_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
  }
  return absl::OkStatus();
}

absl::StatusOr<RenderedReport> IntakeService::Report(
    const TokenInfo& caller, const std::string& agency_id, int year,
    bool rollup, absl::Time as_of, absl::string_view format) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kReport));
  if (agency_id.empty())
    return absl::InvalidArgumentError("agency: an agency id is required");
  OGI_RETURN_IF_ERROR(CheckAgency(caller, agency_id));
  if (rollup && !caller.rollup)
    return absl::PermissionDeniedError(absl::StrCat(
        "token ", caller.name, " may not report on the agencies under ",
        agency_id, " (its scope: agency ", caller.agency_id, " alone)"));
  ReportOptions options;
  options.request.year = year;
  options.request.agency_id = agency_id;
  options.request.scope = rollup ? Scope::kRollup : Scope::kAgency;
  options.request.as_of = as_of;
  OGI_ASSIGN_OR_RETURN(options.format,
                       ParseReportFormat(format.empty() ? "text" : format));
  options.index_path = report_index_path_;
  options.date = AgencyDay(clock_.Now());
  std::ostringstream out;
  {
    absl::MutexLock lock(&report_mu_);
    OGI_RETURN_IF_ERROR(ReportCommand(store_, options, out));
  }
  return RenderedReport{std::string(ContentType(options.format)), out.str()};
}

absl::StatusOr<std::string> IntakeService::Deadline(
    const TokenInfo& caller, const std::string& case_id,
    std::optional<absl::CivilDay> on) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  OGI_ASSIGN_OR_RETURN(std::string agency, AgencyOfCase(case_id));
  OGI_RETURN_IF_ERROR(CheckAgency(caller, agency));
  std::ostringstream out;
  OGI_RETURN_IF_ERROR(DeadlineCommand(store_, case_id, calendar_,
                                      on ? *on : AgencyDay(clock_.Now()),
                                      OutputFormat::kJson, out));
  return out.str();
}

uint32_t IntakeService::CurrentVersion(const v1::Event& event) {
  StreamId stream = event.case_id().empty()
                        ? StreamId{StreamId::Kind::kAgency, event.agency_id()}
                        : StreamId{StreamId::Kind::kCase, event.case_id()};
  absl::StatusOr<std::vector<v1::Event>> events = store_.ReadStream(stream);
  return events.ok() ? static_cast<uint32_t>(events->size()) : 0;
}

void IntakeService::Drain() {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  head_changed_.SignalAll();
  mu_.Await(absl::Condition(
      +[](int* in_flight) { return *in_flight == 0; }, &in_flight_));
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 413;
    case absl::StatusCode::kFailedPrecondition:
      return 422;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace ogi
