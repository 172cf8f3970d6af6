// The two listeners behind serve/server.h. Internal to serve/.
#ifndef OGI_SERVE_INTERNAL_LISTENERS_H_
#define OGI_SERVE_INTERNAL_LISTENERS_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

#include "serve/server.h"
#include "serve/service.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace ogi::serve_internal {

struct TlsFiles {
  std::string cert_path, key_path;
  std::string cert_pem, key_pem;  // what both protocols load
  bool enabled() const { return !cert_path.empty(); }
};

struct GrpcListener {
  ~GrpcListener();
  void Shutdown();
  std::unique_ptr<grpc::Service> impl;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

absl::StatusOr<std::unique_ptr<GrpcListener>> StartGrpc(
    IntakeService& service, const std::string& address, const TlsFiles& tls);

class BeastServer;

struct HttpListener {
  ~HttpListener();
  // Stops accepting, closes the connections that are not being answered,
  // waits for the answers in progress (at most limits.shutdown_grace for
  // their writes) and the handler threads.
  void Shutdown();
  HttpConnectionStats Stats() const;
  std::unique_ptr<BeastServer> server;
  int port = 0;
};

// Binds `address` and serves on threads of its own: the I/O on two, the
// handlers on `threads`.
absl::StatusOr<std::unique_ptr<HttpListener>> StartHttp(
    IntakeService& service, const std::string& address, const TlsFiles& tls,
    int threads, const HttpLimits& limits,
    const std::function<void(HttpRouter&)>& extra_routes);

}  // namespace ogi::serve_internal

#endif  // OGI_SERVE_INTERNAL_LISTENERS_H_
