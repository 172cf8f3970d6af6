#include "serve/service.h"

#include <cctype>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/civil_date.h"
#include "engine/import_policy.h"
#include "engine/payload.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace ogi {
namespace {

constexpr size_t kMaxRefusalBytes = 2048;
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

// The refusal of an import: its first refusals, one per line, within
// kMaxRefusalBytes (a gRPC status message travels in the trailing metadata,
// which gRPC caps at 8 KiB with every header; a longer one reaches the
// client as RESOURCE_EXHAUSTED about metadata instead of the refusal), then
// how many more there were. HTTP answers the same message.
absl::Status ImportRefused(const ImportRefusals& refusals) {
  std::string message = "import refused, nothing written:";
  size_t listed = 0;
  for (const std::string& error : refusals.lines()) {
    if (message.size() + error.size() + 1 > kMaxRefusalBytes) break;
    absl::StrAppend(&message, "\n", error);
    ++listed;
  }
  if (listed < refusals.count())
    absl::StrAppend(&message, "\n... and ", refusals.count() - listed,
                    " more refused event(s)",
                    refusals.full() ? absl::StrCat(" (checking stops at ",
                                                   kImportMaxRefusals, ")")
                                    : "");
  return absl::Status(refusals.code(), message);
}

}  // namespace

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(c));
  }
  return name;
}

namespace {

bool HasErasure(absl::Span<const v1::Event> events) {
  for (const v1::Event& event : events) {
    if (event.has_personal_data_erased()) return true;
  }
  return false;
}

// What `ogi erase-personal-data` does after appending its erasures: the
// destroyed keys leave every file of the live store before the caller is
// answered.
absl::Status PurgeAfterErasure(EventStore& store) {
  absl::Status purged = store.PurgeErasedKeys();
  if (purged.ok()) return purged;
  return absl::UnavailableError(absl::StrCat(
      "the erasure is recorded, but its key could not be purged from the "
      "store's files (",
      purged.message(), "); run `ogi erase-personal-data` again to purge"));
}

}  // namespace

IntakeService::IntakeService(ServiceOptions options)
    : store_(*options.store),
      tokens_(*options.tokens),
      reader_(std::move(options.reader)),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      max_import_events_(options.max_import_events),
      max_live_(options.max_live_subscriptions),
      max_live_per_token_(options.max_live_subscriptions_per_token),
      access_log_(std::move(options.access_log)) {}

void IntakeService::RecordRequest(const RequestRecord& record) {
  const std::string code = CodeName(record.code);
  std::string line;
  if (access_log_) {
    line = absl::StrCat(
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_.Now(),
                         absl::UTCTimeZone()),
        " ", record.protocol, " ",
        record.token_name.empty() ? "-" : record.token_name, " ",
        record.operation, " ", code, " in=", record.bytes_in,
        " out=", record.bytes_out, " ",
        absl::StrFormat("%.1fms", absl::FDivDuration(record.duration,
                                                     absl::Milliseconds(1))));
  }
  absl::MutexLock lock(&log_mu_);
  if (record.code != absl::StatusCode::kOk) ++refusals_[code];
  if (access_log_) access_log_(line);
}

std::string IntakeService::RefusalsJson() {
  absl::MutexLock lock(&log_mu_);
  std::string json = "{";
  for (const auto& [code, count] : refusals_)
    absl::StrAppend(&json, json.size() > 1 ? "," : "", "\"", code,
                    "\":", count);
  return json + "}";
}

std::string IntakeService::LogName(absl::string_view authorization) {
  absl::StatusOr<TokenInfo> caller = Authenticate(authorization);
  return caller.ok() ? caller->name : "-";
}

LiveSlot::~LiveSlot() { service_.ReleaseLive(token_id_); }

absl::StatusOr<std::unique_ptr<LiveSlot>> IntakeService::ReserveLive(
    const TokenInfo& caller) {
  absl::MutexLock lock(&mu_);
  int& mine = live_by_token_[caller.id];
  if (mine >= max_live_per_token_ || live_ >= max_live_) {
    if (mine == 0) live_by_token_.erase(caller.id);
    return absl::UnavailableError(
        absl::StrCat("too many live subscriptions (at most ",
                     max_live_per_token_, " per token and ", max_live_,
                     " in all); end one, use catch-up reads, or retry later"));
  }
  ++mine;
  ++live_;
  return std::make_unique<LiveSlot>(*this, caller.id);
}

void IntakeService::ReleaseLive(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  --live_;
  auto it = live_by_token_.find(token_id);
  if (it != live_by_token_.end() && --it->second <= 0) live_by_token_.erase(it);
}

int IntakeService::LiveSubscriptions() {
  absl::MutexLock lock(&mu_);
  return live_;
}

absl::StatusOr<TokenInfo> IntakeService::Authenticate(
    absl::string_view authorization) {
  constexpr absl::string_view kBearer = "Bearer ";
  // One answer whatever failed (no header, no "Bearer", a bad or revoked
  // token): the token file's.
  if (!absl::StartsWithIgnoreCase(authorization, kBearer))
    return tokens_.Authenticate("");
  return tokens_.Authenticate(authorization.substr(kBearer.size()));
}

absl::Status IntakeService::RequireWrite(const TokenInfo& caller) {
  if (caller.Has(TokenScope::kErase)) return absl::OkStatus();
  return Require(caller, TokenScope::kAppend);
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
  // One answer for "no such case" and "not yours": a token learns nothing
  // about cases outside its reach, not even that they exist.
  const absl::Status not_found =
      absl::NotFoundError(absl::StrCat("case ", case_id, ": unknown case"));
  absl::StatusOr<std::string> agency = AgencyOfCase(case_id, pending);
  if (absl::IsNotFound(agency.status())) return not_found;
  OGI_RETURN_IF_ERROR(agency.status());
  absl::Status in_reach = CheckAgency(caller, *agency, pending);
  if (absl::IsPermissionDenied(in_reach)) return not_found;
  return in_reach;
}

absl::Status IntakeService::PrepareAppend(const TokenInfo& caller,
                                          v1::Event& event, Pending& pending) {
  // An erasure cannot be undone: it is the erase scope's, and every other
  // event the append scope's.
  OGI_RETURN_IF_ERROR(Require(caller, event.has_personal_data_erased()
                                          ? TokenScope::kErase
                                          : TokenScope::kAppend));
  if (event.has_agency_registered()) {
    // A tree change belongs to whoever holds the parent: a new agency under a
    // parent needs a subtree token reaching that parent (the token's own
    // agency cannot be grafted under someone else's, which would put its
    // cases in their roll-up); a root can only be the token's own agency.
    const std::string& parent = event.agency_registered().parent_id();
    if (parent.empty()) {
      if (event.agency_id() != caller.agency_id)
        return CheckAgency(caller, event.agency_id(), &pending);  // denied
    } else {
      if (caller.reach != TokenReach::kSubtree ||
          event.agency_id() == caller.agency_id)
        return absl::PermissionDeniedError(absl::StrCat(
            "token ", caller.name, " may not register agency ",
            event.agency_id(), " under agency ", parent,
            " (a tree change needs a --rollup token of the parent's tree)"));
      OGI_RETURN_IF_ERROR(CheckAgency(caller, parent, &pending));
    }
    pending.agency_parent[event.agency_id()] = parent;
  } else if (event.has_received()) {
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id(), &pending));
    // Case ids are one namespace: a taken id is refused, but without the
    // store's answer, which would give the other agency's case's version.
    absl::StatusOr<std::string> owner = AgencyOfCase(event.case_id(), &pending);
    if (owner.ok() &&
        absl::IsPermissionDenied(CheckAgency(caller, *owner, &pending)))
      return absl::AlreadyExistsError(
          absl::StrCat("case ", event.case_id(),
                       ": the case id is taken (by a case outside this token's "
                       "agencies); choose another"));
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
  OGI_RETURN_IF_ERROR(RequireWrite(caller));
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
  if (result.ok() && HasErasure(events)) {
    absl::Status purged = PurgeAfterErasure(store_);
    if (!purged.ok()) result = purged;
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
  OGI_RETURN_IF_ERROR(RequireWrite(caller));
  if (events.size() > max_import_events_)
    return absl::ResourceExhaustedError(absl::StrCat(
        "an import over the service takes at most ", max_import_events_,
        " events; split it, or stop the service and use `ogi import`"));
  ImportRefusals refusals;
  auto refuse = [&](size_t i, const absl::Status& s) {
    refusals.Add(absl::StrCat("event ", i + 1), s);
  };
  auto refused = [&] { return ImportRefused(refusals); };
  Pending pending;
  for (size_t i = 0; i < events.size() && !refusals.full(); ++i) {
    absl::Status s = PrepareAppend(caller, events[i], pending);
    if (!s.ok()) {
      refuse(i, s);
      continue;
    }
    // A stored event keeps the actor it was recorded with, so importing
    // `ogi export` output again is a no-op rather than a conflict.
    if (events[i].event_id().empty()) continue;
    absl::StatusOr<std::optional<v1::Event>> stored =
        store_.FindRetryOf(events[i]);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) events[i].set_actor((*stored)->actor());
  }
  if (!refusals.empty()) return refused();
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
    for (size_t i = 0; i < events.size() && !refusals.full(); ++i) {
      absl::StatusOr<AppendedEvent> added = staged->Add(events[i]);
      if (!added.ok()) {
        if (IsStoreFailure(added.status())) return added.status();
        refuse(i, added.status());
        continue;
      }
      ++(added->outcome == AppendedEvent::Outcome::kDuplicate
             ? result.duplicates
             : result.appended);
    }
    if (!refusals.empty()) return refused();
    OGI_RETURN_IF_ERROR(staged->Commit().status());
    if (HasErasure(events)) return PurgeAfterErasure(store_);
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
    Scope scope, absl::Time as_of, absl::string_view format) {
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
  OGI_ASSIGN_OR_RETURN(ReportFormat report_format,
                       ParseReportFormat(format.empty() ? "text" : format));
  ReportOptions options;
  options.request = request;
  options.format = report_format;
  OGI_ASSIGN_OR_RETURN(std::string body, reader_->Report(std::move(options)));
  return RenderedReport{std::string(ContentType(report_format)),
                        std::move(body)};
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
