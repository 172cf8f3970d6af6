// The intake service's operations, independent of the wire: gRPC
// (grpc_server.cc) and HTTP/JSON (http_server.cc) both authenticate the
// caller here and call the same methods, so both protocols give the same
// answers, codes and messages (the CLI's).
//
// Authorization: every operation but Health needs a token in force
// (serve/tokens.h; kUnauthenticated otherwise) with the operation's scope,
// acting on an agency in the token's subtree (the token's agency, and with
// rollup every agency registered under it); kPermissionDenied otherwise.
// Subscribe sends only the events of the token's agencies.
//
// Appends: each event's actor becomes the token's name ("NAME", or
// "NAME/ACTOR" when the event names a person). Concurrent appends share WAL
// syncs through the store's group commit; an import holds the writers off
// while it validates and writes, so its all-or-nothing check stays true.
//
// Shutdown: Drain() refuses new appends and imports (kUnavailable), waits for
// those in flight, and ends every subscription.
//
// Thread-safe.
#ifndef OGI_SERVE_SERVICE_H_
#define OGI_SERVE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "projections/report_render.h"
#include "serve/tokens.h"

namespace ogi {

struct ServiceOptions {
  EventStore* store = nullptr;    // must outlive the service
  TokenFile* tokens = nullptr;    // must outlive the service
  std::string report_index_path;  // the report index file; empty: replay
  Calendar calendar = Calendar::BuiltIn();
  Clock* clock = nullptr;  // today, for deadlines; nullptr: SystemClock()
  size_t max_import_events = 2000000;  // beyond: kResourceExhausted
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
};

class IntakeService {
 public:
  explicit IntakeService(ServiceOptions options);
  IntakeService(const IntakeService&) = delete;
  IntakeService& operator=(const IntakeService&) = delete;

  // `authorization` is the header's value, "Bearer TOKEN".
  absl::StatusOr<TokenInfo> Authenticate(absl::string_view authorization);

  absl::StatusOr<std::vector<AppendedEvent>> Append(
      const TokenInfo& caller, std::vector<v1::Event> events);

  // Refusals name the event by its 1-based index in the import ("event N:
  // ..."), up to 100 of them, joined by newlines.
  absl::StatusOr<ImportResult> Import(const TokenInfo& caller,
                                      std::vector<v1::Event> events);

  absl::StatusOr<std::vector<v1::Event>> ReadCase(const TokenInfo& caller,
                                                  const std::string& case_id);

  // Calls `send` with each event of the caller's agencies from position
  // `from`, catch-up then live, until `send` returns false, `cancelled`
  // returns true (polled at least every 100 ms), the event at `until` was
  // passed (0: never), or Drain(). Returns kOk then.
  absl::Status Subscribe(const TokenInfo& caller, uint64_t from, uint64_t until,
                         const std::function<bool(const v1::Event&)>& send,
                         const std::function<bool()>& cancelled);

  // format: text, csv, json, md or html; as_of: InfiniteFuture for the whole
  // log.
  absl::StatusOr<RenderedReport> Report(const TokenInfo& caller,
                                        const std::string& agency_id, int year,
                                        bool rollup, absl::Time as_of,
                                        absl::string_view format);

  // The `ogi deadline --format json` object; `on` unset: today.
  absl::StatusOr<std::string> Deadline(const TokenInfo& caller,
                                       const std::string& case_id,
                                       std::optional<absl::CivilDay> on);

  // The stream's current version (for an ABORTED answer); 0 if it does not
  // exist.
  uint32_t CurrentVersion(const v1::Event& event);

  bool serving();
  uint64_t HeadPosition() { return store_.HeadPosition(); }

  // Refuses new appends, waits for those in flight, ends subscriptions.
  void Drain();

 private:
  absl::Status Require(const TokenInfo& caller, TokenScope scope);
  absl::Status CheckAgency(const TokenInfo& caller,
                           const std::string& agency_id);
  absl::StatusOr<std::string> AgencyOfCase(const std::string& case_id);
  absl::StatusOr<std::string> ParentOf(const std::string& agency_id);
  // Checks the event's agency against the caller's scope and records the
  // caller as its actor. `pending`: the cases opened by the events before it
  // in the same request (case -> agency); a received event adds its own.
  absl::Status PrepareAppend(
      const TokenInfo& caller, v1::Event& event,
      absl::flat_hash_map<std::string, std::string>& pending);
  // Counts an append in flight; false while draining.
  bool Enter();
  void Leave();
  void Notify();

  EventStore& store_;
  TokenFile& tokens_;
  const std::string report_index_path_;
  const Calendar calendar_;
  Clock& clock_;
  const size_t max_import_events_;

  // Appends share it; an import holds it alone.
  std::shared_mutex writers_;
  absl::Mutex report_mu_;  // one report at a time: they share the index file

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t notified_head_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar head_changed_;  // signalled when an append ends, and on Drain

  absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::string> case_agency_
      ABSL_GUARDED_BY(cache_mu_);
  absl::flat_hash_map<std::string, std::string> agency_parent_
      ABSL_GUARDED_BY(cache_mu_);
};

// The HTTP status for a Status code (400, 401, 403, 404, 409, 413, 422, 500,
// 503).
int HttpStatusOf(absl::StatusCode code);

}  // namespace ogi

#endif  // OGI_SERVE_SERVICE_H_
