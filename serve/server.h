// The listeners of `ogi serve`: the gRPC service of proto/service.proto and
// the same operations as HTTP/JSON (docs/SERVE.md), both over one
// IntakeService.
//
// Thread-safe.
#ifndef OGI_SERVE_SERVER_H_
#define OGI_SERVE_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "serve/http_router.h"
#include "serve/service.h"

namespace ogi {

namespace serve_internal {
struct GrpcListener;
struct HttpListener;
}  // namespace serve_internal

// What the HTTP listener allows a connection (docs/SERVE.md, Security). The
// listener is asynchronous: a connection holds a handler thread only while
// its request is answered, never while it sends its headers or body.
struct HttpLimits {
  // From accepting a connection (TLS handshake included), or from the first
  // byte of a later request on it, until its headers are all in; the
  // deadline does not move as bytes trickle in.
  absl::Duration header_timeout = absl::Seconds(10);
  // A kept-alive connection waits this long for its next request.
  absl::Duration idle_timeout = absl::Seconds(5);
  // A body must arrive within body_timeout plus one second for every
  // min_body_rate bytes it announced.
  absl::Duration body_timeout = absl::Seconds(30);
  uint64_t min_body_rate = 64 << 10;
  // Each write of an answer (or of a streamed piece) must be taken by the
  // client within this long.
  absl::Duration write_timeout = absl::Seconds(30);
  size_t max_header_bytes = 16 << 10;
  // Connections open at once, in all and from one peer address; beyond, the
  // connection gets a 503 and is closed (counted in /v1/health).
  int max_connections = 512;
  int max_connections_per_peer = 64;
  // Shutdown waits at most this long for answers being written.
  absl::Duration shutdown_grace = absl::Seconds(3);
};

// The HTTP listener's counters, as /v1/health shows them ("connections").
struct HttpConnectionStats {
  int64_t open = 0;
  int64_t accepted = 0;
  int64_t refused_total_cap = 0;     // over max_connections
  int64_t refused_per_peer_cap = 0;  // over max_connections_per_peer
  int64_t timed_out = 0;             // a header, body, idle or write deadline
};

struct ServerOptions {
  // "HOST:PORT"; port 0 picks a free one; empty: that protocol is off.
  std::string grpc_address = "127.0.0.1:7700";
  std::string http_address = "127.0.0.1:7780";
  // PEM files: both, for TLS on both protocols, or neither.
  std::string tls_cert;
  std::string tls_key;
  int http_threads = 64;  // requests answered at once over HTTP
  HttpLimits http_limits;
  // Adds routes to the HTTP face besides the intake's /v1/ (e.g. a console's
  // pages); called once before listening. nullptr: none.
  std::function<void(HttpRouter&)> http_routes;
  // Without TLS, tokens and personal data cross the network in clear: Start
  // refuses a non-loopback address unless this is kAllowed
  // (`--insecure-plaintext`, for a TLS-terminating proxy on the same host).
  enum class Plaintext { kLoopbackOnly, kAllowed };
  Plaintext plaintext = Plaintext::kLoopbackOnly;
};

// Whether "HOST:PORT" names a loopback host (127.0.0.0/8, ::1, localhost).
bool IsLoopbackAddress(absl::string_view address);

class Server {
 public:
  // Starts listening; kUnavailable if an address cannot be bound,
  // kInvalidArgument for a bad address or TLS file, or for a non-loopback
  // address without TLS unless options.plaintext is kAllowed. `service` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      IntakeService& service, const ServerOptions& options);

  ~Server();  // Shutdown()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound ports (0 when the protocol is off).
  int grpc_port() const;
  int http_port() const;
  // The HTTP listener's counters now (all 0 when HTTP is off).
  HttpConnectionStats http_stats() const;

  // Graceful stop: drains the appends in flight (new ones get UNAVAILABLE /
  // 503), ends subscriptions, then stops both listeners. Idempotent.
  void Shutdown();

 private:
  explicit Server(IntakeService& service);

  IntakeService& service_;
  std::unique_ptr<serve_internal::GrpcListener> grpc_;
  std::unique_ptr<serve_internal::HttpListener> http_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace ogi

#endif  // OGI_SERVE_SERVER_H_
