// The listeners of `ogi serve`: the gRPC service of proto/service.proto and
// the same operations as HTTP/JSON (docs/SERVE.md), both over one
// IntakeService.
//
// Thread-safe.
#ifndef OGI_SERVE_SERVER_H_
#define OGI_SERVE_SERVER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

#include "serve/service.h"

namespace ogi {

namespace serve_internal {
struct GrpcListener;
struct HttpListener;
}  // namespace serve_internal

struct ServerOptions {
  // "HOST:PORT"; port 0 picks a free one; empty: that protocol is off.
  std::string grpc_address = "127.0.0.1:7700";
  std::string http_address = "127.0.0.1:7780";
  // PEM files: both, for TLS on both protocols, or neither.
  std::string tls_cert;
  std::string tls_key;
  int http_threads = 64;  // requests served at once over HTTP
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
