// IntakeService, part one: the service's life (its access log and refusal
// counts, live-subscription slots, appends in flight and Drain) and its writes
// (Append and Import). The caller's reach is checked in service_access.cc, the
// reads are in service_reads.cc; the contract is service.h.
#include "serve/service.h"

#include <cctype>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/import_policy.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

constexpr size_t kMaxRefusalBytes = 2048;

absl::Status WithIndex(const absl::Status& status, size_t index, size_t count) {
  if (status.ok() || count == 1) return status;
  return absl::Status(
      status.code(),
      absl::StrCat("event ", index + 1, " of ", count, ": ", status.message()));
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
