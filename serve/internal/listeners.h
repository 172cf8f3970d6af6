// The two listeners behind serve/server.h. Internal to serve/.
#ifndef OGI_SERVE_INTERNAL_LISTENERS_H_
#define OGI_SERVE_INTERNAL_LISTENERS_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

#include "serve/service.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace httplib {
class Server;
}  // namespace httplib

namespace ogi::serve_internal {

struct TlsFiles {
  std::string cert_path, key_path;  // for httplib, which reads the files
  std::string cert_pem, key_pem;    // for gRPC, which takes the contents
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

struct HttpListener {
  ~HttpListener();
  void Shutdown();  // stops listening and waits for the requests in progress
  std::unique_ptr<httplib::Server> server;
  std::thread thread;  // runs the accept loop
  int port = 0;
};

// Binds `address` and serves on a thread of its own.
absl::StatusOr<std::unique_ptr<HttpListener>> StartHttp(
    IntakeService& service, const std::string& address, const TlsFiles& tls,
    int threads);

}  // namespace ogi::serve_internal

#endif  // OGI_SERVE_INTERNAL_LISTENERS_H_
