#include "serve/service.h"

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "engine/civil_date.h"
#include "engine/payload.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

constexpr size_t kMaxErrors = 100;
constexpr size_t kMaxCachedCases = 1000000;

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

std::string ActorFor(const TokenInfo& caller, const std::string& actor) {
  if (actor.empty()) return caller.name;
  if (actor == caller.name || absl::StartsWith(actor, caller.name + "/"))
    return actor;  // already recorded through this system
  return absl::StrCat(caller.name, "/", actor);
}

}  // namespace

IntakeService::IntakeService(ServiceOptions options)
    : store_(*options.store),
      tokens_(*options.tokens),
      render_report_(std::move(options.render_report)),
      render_deadline_(std::move(options.render_deadline)),
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
    const std::string& agency_id, const Pending* pending) {
  if (pending != nullptr) {
    auto it = pending->agency_parent.find(agency_id);
    if (it != pending->agency_parent.end()) return it->second;
  }
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
  agency_parent_[agency_id] = parent;  // agencies never move
  return parent;
}

absl::Status IntakeService::CheckAgency(const TokenInfo& caller,
                                        const std::string& agency_id,
                                        const Pending* pending) {
  if (agency_id == caller.agency_id) return absl::OkStatus();
  const bool subtree = caller.reach == TokenReach::kSubtree;
  const absl::Status denied = absl::PermissionDeniedError(
      absl::StrCat("token ", caller.name, " may not act for agency ", agency_id,
                   " (its scope: agency ", caller.agency_id,
                   subtree ? " and the agencies under it)" : " alone)"));
  if (!subtree || agency_id.empty()) return denied;
  std::string agency = agency_id;
  for (int depth = 0; depth < 64; ++depth) {
    absl::StatusOr<std::string> parent = ParentOf(agency, pending);
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
    const std::string& case_id, const Pending* pending) {
  if (pending != nullptr) {
    auto it = pending->case_agency.find(case_id);
    if (it != pending->case_agency.end()) return it->second;
  }
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
  if (case_agency_.size() >= kMaxCachedCases) case_agency_.clear();
  case_agency_[case_id] = events.front().agency_id();
  return events.front().agency_id();
}

absl::Status IntakeService::CheckCase(const TokenInfo& caller,
                                      const std::string& case_id,
                                      const Pending* pending) {
  OGI_ASSIGN_OR_RETURN(std::string agency, AgencyOfCase(case_id, pending));
  absl::Status in_reach = CheckAgency(caller, agency, pending);
  if (!absl::IsPermissionDenied(in_reach)) return in_reach;
  // Named by the case alone: a refusal does not tell whose the case is.
  return absl::PermissionDeniedError(absl::StrCat(
      "token ", caller.name, " may not act on case ", case_id,
      " (its scope: agency ", caller.agency_id,
      caller.reach == TokenReach::kSubtree ? " and the agencies under it)"
                                           : " alone)"));
}

absl::Status IntakeService::PrepareAppend(const TokenInfo& caller,
                                          v1::Event& event, Pending& pending) {
  if (event.has_agency_registered()) {
    // A new agency is in reach if it is the token's own, or registered under
    // an agency in reach.
    if (event.agency_id() != caller.agency_id) {
      absl::Status parent_ok =
          CheckAgency(caller, event.agency_registered().parent_id(), &pending);
      if (!parent_ok.ok() || caller.reach != TokenReach::kSubtree)
        return CheckAgency(caller, event.agency_id(), &pending);  // denied
    }
    pending.agency_parent[event.agency_id()] =
        event.agency_registered().parent_id();
  } else if (event.has_received()) {
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id(), &pending));
    pending.case_agency[event.case_id()] = event.agency_id();
  } else if (!event.case_id().empty()) {
    // Judged by the case's own agency, whatever agencyId the event claims.
    OGI_RETURN_IF_ERROR(CheckCase(caller, event.case_id(), &pending));
  } else {
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id(), &pending));
  }
  event.set_actor(ActorFor(caller, event.actor()));
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

bool IntakeService::IsServing() {
  absl::MutexLock lock(&mu_);
  return !draining_;
}

absl::StatusOr<std::vector<AppendedEvent>> IntakeService::Append(
    const TokenInfo& caller, std::vector<v1::Event> events) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kAppend));
  if (events.empty()) return absl::InvalidArgumentError("no events to append");
  Pending pending;
  for (size_t i = 0; i < events.size(); ++i) {
    OGI_RETURN_IF_ERROR(
        WithIndex(PrepareAppend(caller, events[i], pending), i, events.size()));
  }
  if (!Enter())
    return absl::UnavailableError("the service is shutting down; retry later");
  absl::StatusOr<std::vector<AppendedEvent>> result;
  {
    absl::ReaderMutexLock lock(&writers_);
    result = store_.Append(events);
  }
  Leave();
  if (result.ok()) {
    absl::MutexLock lock(&cache_mu_);
    for (auto& [case_id, agency] : pending.case_agency) {
      if (case_agency_.size() >= kMaxCachedCases) case_agency_.clear();
      case_agency_[case_id] = agency;
    }
  }
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
  auto refuse = [&](size_t i, const absl::Status& s) {
    if (code == absl::StatusCode::kOk) code = s.code();
    errors.push_back(absl::StrCat("event ", i + 1, ": ", s.message()));
  };
  auto refused = [&] {
    return absl::Status(code, absl::StrCat("import refused, nothing written:\n",
                                           absl::StrJoin(errors, "\n")));
  };
  Pending pending;
  for (size_t i = 0; i < events.size() && errors.size() < kMaxErrors; ++i) {
    absl::Status s = PrepareAppend(caller, events[i], pending);
    if (!s.ok()) {
      refuse(i, s);
      continue;
    }
    // A stored event keeps the actor it was recorded with, so importing
    // `ogi export` output again is a no-op rather than a conflict.
    if (events[i].event_id().empty()) continue;
    absl::StatusOr<std::optional<v1::Event>> stored =
        store_.FindByEventId(events[i].event_id());
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) events[i].set_actor((*stored)->actor());
  }
  if (!errors.empty()) return refused();
  if (!Enter())
    return absl::UnavailableError("the service is shutting down; retry later");
  ImportResult result;
  absl::Status status = [&]() -> absl::Status {
    // No append may change the state between the check and the writes.
    // The same path as `ogi import`: staged, then made visible in one step
    // (EventStore::BeginImport), so a refusal, a crash or a killed service
    // leaves nothing of it.
    absl::WriterMutexLock lock(&writers_);
    OGI_ASSIGN_OR_RETURN(std::unique_ptr<StagedImport> staged,
                         store_.BeginImport(events.size()));
    for (size_t i = 0; i < events.size() && errors.size() < kMaxErrors; ++i) {
      absl::StatusOr<AppendedEvent> added = staged->Add(events[i]);
      if (!added.ok()) {
        if (absl::IsUnavailable(added.status())) return added.status();
        refuse(i, added.status());
        continue;
      }
      ++(added->outcome == AppendedEvent::Outcome::kDuplicate
             ? result.duplicates
             : result.appended);
    }
    if (!errors.empty()) return refused();
    return staged->Commit().status();
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
    Scope scope, absl::Time as_of, absl::string_view format) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kReport));
  if (agency_id.empty())
    return absl::InvalidArgumentError("agency: an agency id is required");
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
  OGI_ASSIGN_OR_RETURN(ReportFormat report_format,
                       ParseReportFormat(format.empty() ? "text" : format));
  std::ostringstream out;
  if (as_of == absl::InfiniteFuture()) {
    absl::MutexLock lock(&report_mu_);
    OGI_RETURN_IF_ERROR(render_report_(request, report_format, out));
  } else {
    // A past instant replays the log and leaves the index alone.
    OGI_RETURN_IF_ERROR(render_report_(request, report_format, out));
  }
  return RenderedReport{std::string(ContentType(report_format)), out.str()};
}

absl::StatusOr<std::string> IntakeService::Deadline(
    const TokenInfo& caller, const std::string& case_id,
    std::optional<absl::CivilDay> on) {
  OGI_RETURN_IF_ERROR(Require(caller, TokenScope::kRead));
  OGI_RETURN_IF_ERROR(CheckCase(caller, case_id));
  std::ostringstream out;
  OGI_RETURN_IF_ERROR(
      render_deadline_(case_id, on ? *on : AgencyDay(clock_.Now()), out));
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
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace ogi
