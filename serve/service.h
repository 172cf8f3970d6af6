// The intake service's operations, independent of the wire: gRPC
// (grpc_server.cc) and HTTP/JSON (http_server.cc) both authenticate the
// caller here and call the same methods, so both protocols give the same
// answers, codes and messages (the CLI's). docs/SERVE.md is the contract.
//
// Authorization: every operation but Health needs a token in force
// (kUnauthenticated otherwise) with the operation's scope, acting on agencies
// in the token's reach (its agency, and for kSubtree every agency registered
// under it, including those registered earlier in the same request);
// kPermissionDenied otherwise. A case event is judged by its case's agency.
//
// Appends: each event's actor becomes the token's name ("NAME", or
// "NAME/ACTOR" when the event names a person; an actor already "NAME/..." is
// kept). Appends share WAL syncs through the store's group commit; an import
// holds them off while it validates and writes, so what it validated is what
// it writes.
//
// Shutdown: Drain() refuses new appends and imports (kUnavailable), waits for
// those in flight, and ends every subscription with kUnavailable.
//
// Thread-safe.
#ifndef OGI_SERVE_SERVICE_H_
#define OGI_SERVE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/import_policy.h"
#include "projections/annual_report.h"
#include "projections/report_render.h"
#include "read/reader.h"
#include "serve/tokens.h"

namespace ogi {

struct ServiceOptions {
  EventStore* store = nullptr;  // must outlive the service
  TokenFile* tokens = nullptr;  // must outlive the service
  // Reports and deadlines, answered exactly as `ogi report` and `ogi
  // deadline --format json` print them (the same read/reader.h). Required.
  std::shared_ptr<Reader> reader;
  Clock* clock = nullptr;  // today, for deadlines; nullptr: SystemClock()
  // beyond: kResourceExhausted
  size_t max_import_events = kServiceMaxImportEvents;
  // Receives one access-log line per request (no newline): see
  // IntakeService::RecordRequest. Called one line at a time; nullptr: none.
  std::function<void(absl::string_view line)> access_log;
  // Live subscriptions held at once, in all and per token; beyond:
  // kUnavailable (each holds a gRPC thread or an HTTP connection).
  int max_live_subscriptions = 256;
  int max_live_subscriptions_per_token = 32;
};

class IntakeService;

// A live subscription's place in the caps above, held while it lasts and
// given back when destroyed. Must not outlive the service.
class LiveSlot {
 public:
  LiveSlot(IntakeService& service, std::string token_id)
      : service_(service), token_id_(std::move(token_id)) {}
  ~LiveSlot();
  LiveSlot(const LiveSlot&) = delete;
  LiveSlot& operator=(const LiveSlot&) = delete;

 private:
  IntakeService& service_;
  const std::string token_id_;
};

// One request as the access log records it: never a token, a body or a
// parameter (they may hold personal data).
struct RequestRecord {
  absl::string_view protocol;   // "grpc" or "http"
  absl::string_view operation;  // "Append", "ReadCase", ... or "-"
  std::string token_name;       // "-" unless a token in force was sent
  absl::StatusCode code = absl::StatusCode::kOk;
  uint64_t bytes_in = 0;   // the request's body or message(s), as known
  uint64_t bytes_out = 0;  // the answer's body or message(s), as known
  absl::Duration duration;
};

struct ImportResult {
  uint64_t events = 0;
  uint64_t appended = 0;
  uint64_t duplicates = 0;
  uint64_t head_position = 0;
};

struct RenderedReport {
  std::string content_type;
  std::string body;
  // A whole document's warnings (CheckDocument: a narrative part missing, a
  // narrative contradicting the tables), one a line as `ogi report
  // --document` prints them; empty for the tables.
  std::vector<std::string> warnings;
};

// The whole annual report document (ReportKind::kDocument: every part with
// its narratives) instead of the tables.
struct ReportDocument {
  absl::CivilDay date;  // the day the agency signs it
  // Any warning refuses the document (kFailedPrecondition), as `--strict`.
  bool strict = false;
};

class IntakeService {
 public:
  explicit IntakeService(ServiceOptions options);
  IntakeService(const IntakeService&) = delete;
  IntakeService& operator=(const IntakeService&) = delete;

  // `authorization` is the header's value, "Bearer TOKEN".
  absl::StatusOr<TokenInfo> Authenticate(absl::string_view authorization);

  // The store's Append (same codes; several events are named "event N of M")
  // after the checks above.
  absl::StatusOr<std::vector<AppendedEvent>> Append(
      const TokenInfo& caller, std::vector<v1::Event> events);

  // `ogi import`'s semantics. Refusals name the event by its 1-based index
  // ("event N: ..."), up to 100 of them, one per line; the code is the first
  // refusal's. An event whose eventId is stored keeps the stored actor, so
  // re-importing `ogi export` output is a no-op.
  absl::StatusOr<ImportResult> Import(const TokenInfo& caller,
                                      std::vector<v1::Event> events);

  // kNotFound for an unknown case.
  absl::StatusOr<std::vector<v1::Event>> ReadCase(const TokenInfo& caller,
                                                  const std::string& case_id);

  // kPermissionDenied if the caller may not subscribe.
  absl::Status CheckSubscribe(const TokenInfo& caller);
  // Takes a live subscription's slot for the caller; kUnavailable, naming
  // the cap, when the caller's or the service's are all taken. Call before
  // answering a live Subscribe and keep the slot until it ends.
  absl::StatusOr<std::unique_ptr<LiveSlot>> ReserveLive(
      const TokenInfo& caller);
  // The live subscriptions held now.
  int LiveSubscriptions();
  // kPermissionDenied if the caller may neither append nor erase: checked
  // before an upload's body is read.
  absl::Status CheckWrite(const TokenInfo& caller) {
    return RequireWrite(caller);
  }

  // Calls `send` with each event of the caller's agencies from position
  // `from`, catch-up then live, until `send` returns false or `cancelled`
  // returns true (kOk), the event at `until` was passed (0: never; kOk), the
  // token is revoked (kUnauthenticated) or Drain() (kUnavailable, naming the
  // position to resubscribe from). `cancelled` is polled every 100 ms while
  // live and every 1024 events during catch-up.
  absl::Status Subscribe(const TokenInfo& caller, uint64_t from, uint64_t until,
                         const std::function<bool(const v1::Event&)>& send,
                         const std::function<bool()>& cancelled);

  // format: text, csv, json, md or html (a document: md or html, default
  // html); as_of: InfiniteFuture for the whole log. kNotFound for an unknown
  // agency.
  absl::StatusOr<RenderedReport> Report(
      const TokenInfo& caller, const std::string& agency_id, int year,
      Scope scope, absl::Time as_of, absl::string_view format,
      const std::optional<ReportDocument>& document = std::nullopt);

  // The `ogi deadline --format json` object; `on` unset: today.
  absl::StatusOr<std::string> Deadline(const TokenInfo& caller,
                                       const std::string& case_id,
                                       std::optional<absl::CivilDay> on);

  // The stream's current version (for an ABORTED answer); 0 if it does not
  // exist.
  uint32_t CurrentVersion(const v1::Event& event);

  // Writes the access-log line of a finished request ("TIME PROTOCOL TOKEN
  // OPERATION CODE in=N out=N MSms") and counts it if refused.
  void RecordRequest(const RequestRecord& record);
  // The requests refused so far, by code name (UNAUTHENTICATED,
  // PERMISSION_DENIED, RESOURCE_EXHAUSTED, ...), as JSON: {"CODE":N,...}.
  std::string RefusalsJson();
  // The token name for the access log: the name of the token in force that
  // `authorization` carries, else "-".
  std::string LogName(absl::string_view authorization);

  // The checks every operation makes, for routes added beside the intake's
  // (serve/console_api.cc): the scope, then the agency (kPermissionDenied
  // outside the reach) or the case (kNotFound outside it, as ReadCase).
  absl::Status Authorize(const TokenInfo& caller, TokenScope scope,
                         const std::string& agency_id) {
    absl::Status s = Require(caller, scope);
    return s.ok() ? CheckAgency(caller, agency_id) : s;
  }
  absl::Status AuthorizeCase(const TokenInfo& caller, TokenScope scope,
                             const std::string& case_id) {
    absl::Status s = Require(caller, scope);
    return s.ok() ? CheckCase(caller, case_id) : s;
  }
  Reader& reader() { return *reader_; }
  EventStore& store() { return store_; }

  bool IsServing();
  uint64_t HeadPosition() { return store_.HeadPosition(); }
  size_t max_import_events() const { return max_import_events_; }

  // Refuses new appends, waits for those in flight, ends subscriptions.
  void Drain();

 private:
  // What earlier events of the same request opened or registered.
  struct Pending {
    absl::flat_hash_map<std::string, std::string> case_agency;
    absl::flat_hash_map<std::string, std::string> agency_parent;
  };

  absl::Status Require(const TokenInfo& caller, TokenScope scope);
  // Append or erase: the events are then checked one by one.
  absl::Status RequireWrite(const TokenInfo& caller);
  absl::Status CheckAgency(const TokenInfo& caller,
                           const std::string& agency_id,
                           const Pending* pending = nullptr);
  // kPermissionDenied (naming the case, not its agency) unless the case's
  // agency is in the caller's reach; kNotFound for an unknown case.
  absl::Status CheckCase(const TokenInfo& caller, const std::string& case_id,
                         const Pending* pending = nullptr);
  absl::StatusOr<std::string> AgencyOfCase(const std::string& case_id,
                                           const Pending* pending = nullptr);
  absl::StatusOr<std::string> ParentOf(const std::string& agency_id,
                                       const Pending* pending);
  // Checks the event against the caller's reach and records the caller as
  // its actor; adds what it opens or registers to `pending`.
  absl::Status PrepareAppend(const TokenInfo& caller, v1::Event& event,
                             Pending& pending);
  friend class LiveSlot;
  void ReleaseLive(const std::string& token_id);
  // Counts an append in flight; false while draining.
  bool Enter();
  void Leave();

  EventStore& store_;
  TokenFile& tokens_;
  const std::shared_ptr<Reader> reader_;
  Clock& clock_;
  const size_t max_import_events_;
  const int max_live_;
  const int max_live_per_token_;

  // Appends hold it shared; an import holds it alone. absl's writer waits
  // block new readers, so an import is not starved by a stream of appends.
  absl::Mutex writers_;

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t notified_head_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar head_changed_;  // signalled when an append ends, and on Drain
  int live_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int> live_by_token_ ABSL_GUARDED_BY(mu_);

  const std::function<void(absl::string_view)> access_log_;
  absl::Mutex log_mu_;
  std::map<std::string, uint64_t> refusals_ ABSL_GUARDED_BY(log_mu_);

  // How far up the agency tree a reach check walks.
  static constexpr size_t kMaxAgencyDepth = 64;
  // Cases never change agency; the case cache only saves reads, so it is
  // simply emptied when it grows to this many.
  static constexpr size_t kMaxCachedCases = 1000000;
  absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::string> case_agency_
      ABSL_GUARDED_BY(cache_mu_);
  absl::flat_hash_map<std::string, std::string> agency_parent_
      ABSL_GUARDED_BY(cache_mu_);
};

// The code's name as both protocols show it: "PERMISSION_DENIED".
std::string CodeName(absl::StatusCode code);

// The HTTP status for a Status code (400, 401, 403, 404, 409, 413, 422, 500,
// 501, 503, 504).
int HttpStatusOf(absl::StatusCode code);

}  // namespace ogi

#endif  // OGI_SERVE_SERVICE_H_
