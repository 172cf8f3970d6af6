#include "serve/server.h"

#include <fstream>
#include <grpcpp/grpcpp.h>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "engine/messages.h"
#include "engine/status_macros.h"
#include "serve/internal/listeners.h"

namespace ogi {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(
        Text(Msg::kServeFlagCannotRead, flag, path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  absl::string_view host = address.substr(0, address.rfind(':'));
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  (void)absl::ConsumePrefix(&host, "ipv4:");
  (void)absl::ConsumePrefix(&host, "ipv6:");
  return host == "localhost" || host == "::1" ||
         (absl::StartsWith(host, "127.") &&
          host.find_first_not_of("0123456789.") == absl::string_view::npos);
}

Server::Server(IntakeService& service) : service_(service) {}

Server::~Server() { Shutdown(); }

int Server::grpc_port() const { return grpc_ ? grpc_->port : 0; }
int Server::http_port() const { return http_ ? http_->port : 0; }
HttpConnectionStats Server::http_stats() const {
  return http_ ? http_->Stats() : HttpConnectionStats();
}

void Server::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  stopped_ = true;
  // Appends first: new ones are refused and those in flight finish, while
  // both listeners still answer; then the listeners stop, waiting for the
  // reads in progress.
  service_.Drain();
  if (grpc_) grpc_->Shutdown();
  if (http_) http_->Shutdown();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    IntakeService& service, const ServerOptions& options) {
  serve_internal::TlsFiles tls;
  if (options.tls_cert.empty() != options.tls_key.empty())
    return absl::InvalidArgumentError(Text(Msg::kServeTlsPair));
  if (!options.tls_cert.empty()) {
    tls.cert_path = options.tls_cert;
    tls.key_path = options.tls_key;
    OGI_ASSIGN_OR_RETURN(tls.cert_pem, ReadFile(tls.cert_path, "--tls-cert"));
    OGI_ASSIGN_OR_RETURN(tls.key_pem, ReadFile(tls.key_path, "--tls-key"));
  }
  if (!tls.enabled() &&
      options.plaintext == ServerOptions::Plaintext::kLoopbackOnly) {
    for (const auto& [flag, address] :
         {std::pair<absl::string_view, const std::string&>(
              "--grpc", options.grpc_address),
          {"--http", options.http_address}}) {
      if (!address.empty() && !IsLoopbackAddress(address))
        return absl::InvalidArgumentError(
            Text(Msg::kServeNotLoopback, flag, address));
    }
  }
  std::unique_ptr<Server> server(new Server(service));
  if (!options.grpc_address.empty()) {
    OGI_ASSIGN_OR_RETURN(
        server->grpc_,
        serve_internal::StartGrpc(service, options.grpc_address, tls));
  }
  if (!options.http_address.empty()) {
    OGI_ASSIGN_OR_RETURN(
        server->http_,
        serve_internal::StartHttp(service, options.http_address, tls,
                                  options.http_threads, options.http_limits,
                                  options.http_routes));
  }
  return server;
}

}  // namespace ogi
