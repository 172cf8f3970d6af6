// The HTTP listener of `ogi serve`: Boost.Beast over asio, asynchronous, so
// a connection costs a socket and a little memory while it sends its headers
// or body, and a handler thread only while its request is answered. Every
// read and write has a deadline that does not move as bytes trickle in, and
// connections are capped in all and per peer address (docs/SERVE.md,
// Security). cpp-httplib, used before, gives each connection a thread of its
// pool from accept to close, so 70 clients trickling their headers took
// every thread and nothing bounded them.
//
// This file is the listener: the TLS context, accepting, the connection caps
// and counters, shutdown. One connection's life is http_session.cc; the
// class they share, serve/internal/beast_server.h.
//
// What each request gets is the route table's (serve/http_router.h); the
// listener and its sessions only move bytes: headers -> HttpRouter::Admit ->
// body (at most the admitted Content-Length) -> HttpRouter::Handle on a handler
// thread -> answer.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

#include "engine/messages.h"
#include "serve/http_routes.h"
#include "serve/internal/beast_server.h"
#include "serve/internal/listeners.h"

namespace ogi::serve_internal {
namespace {

// The answer sent to a connection over a cap, before it is closed.
std::string CapRefusal(absl::string_view message) {
  HttpResponse r = HttpResponse::Error(absl::UnavailableError(message));
  return absl::StrCat(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
      "application/json\r\nContent-Length: ",
      r.body.size(), "\r\nConnection: close\r\n\r\n", r.body);
}

}  // namespace

absl::Status BeastServer::Listen(const std::string& host, int port,
                                 const TlsFiles& tls) {
  if (tls.enabled()) {
    ssl_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    ssl_->set_options(ssl::context::default_workarounds |
                      ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    ssl_->use_certificate_chain(
        net::buffer(tls.cert_pem.data(), tls.cert_pem.size()), ec);
    if (!ec)
      ssl_->use_private_key(net::buffer(tls.key_pem.data(), tls.key_pem.size()),
                            ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError(Text(Msg::kServeTlsCannotLoad));
  }
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(
      host == "localhost" ? std::string("127.0.0.1") : host, ec);
  if (ec && host.size() > 2 && host.front() == '[' && host.back() == ']')
    address = net::ip::make_address(host.substr(1, host.size() - 2), ec);
  if (ec) return absl::InvalidArgumentError(Text(Msg::kServeHttpNotIp, host));
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return absl::UnavailableError(
        Text(Msg::kServeHttpCannotListen, host, port, ec.message()));
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (int i = 0; i < 2; ++i) io_threads_.emplace_back([this] { ioc_.run(); });
  return absl::OkStatus();
}

HttpConnectionStats BeastServer::Stats() const {
  HttpConnectionStats s;
  s.open = open_.load();
  s.accepted = accepted_.load();
  s.refused_total_cap = refused_total_.load();
  s.refused_per_peer_cap = refused_peer_.load();
  s.timed_out = timed_out_.load();
  return s;
}

std::string BeastServer::StatsJson() const {
  const HttpConnectionStats s = Stats();
  return absl::StrCat("\"connections\":{\"open\":", s.open,
                      ",\"accepted\":", s.accepted,
                      ",\"refusedTotalCap\":", s.refused_total_cap,
                      ",\"refusedPerPeerCap\":", s.refused_per_peer_cap,
                      ",\"timedOut\":", s.timed_out, "}");
}

void BeastServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
  }
  net::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  // Idle and half-received connections close now; those being answered
  // get shutdown_grace to finish, then close too.
  StopSessions(false);
  {
    absl::MutexLock lock(&mu_);
    auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return sessions_.empty();
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&none), limits_.shutdown_grace)) {
      mu_.Unlock();
      StopSessions(true);
      mu_.Lock();
    }
  }
  // The handlers still running find their connection closed; their writes
  // fail at once.
  workers_.Stop();
  ioc_.stop();
  for (std::thread& t : io_threads_)
    if (t.joinable()) t.join();
}

void BeastServer::StopSessions(bool force) {
  std::vector<std::shared_ptr<SessionBase>> sessions;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, weak] : sessions_)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->Stop(force);
}

void BeastServer::Accept() {
  acceptor_.async_accept(
      net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) OnAccept(std::move(socket));
        Accept();
      });
}

void BeastServer::OnAccept(tcp::socket socket) {
  boost::system::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;
  const std::string peer = remote.address().to_string();
  uint64_t id = 0;
  absl::string_view refusal;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (open_.load() >= limits_.max_connections) {
      ++refused_total_;
      refusal = "too many connections to this service; retry later";
    } else if (per_peer_[peer] >= limits_.max_connections_per_peer) {
      ++refused_peer_;
      refusal = "too many connections from your address; retry later";
    } else {
      ++per_peer_[peer];
      ++open_;
      ++accepted_;
      id = ++next_id_;
    }
    if (!refusal.empty() && per_peer_[peer] == 0) per_peer_.erase(peer);
  }
  if (!refusal.empty()) {
    // A short answer the fresh socket's buffer takes at once, then close:
    // the refused client costs no thread and no wait. (Over TLS there is no
    // handshake to answer in: the connection is closed.)
    if (ssl_ == nullptr) {
      const std::string answer = CapRefusal(refusal);
      socket.non_blocking(true, ec);
      (void)socket.send(net::buffer(answer), 0, ec);
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  StartSession(*this, id, peer, std::move(socket), ssl_.get());
}

HttpListener::~HttpListener() { Shutdown(); }

void HttpListener::Shutdown() {
  if (server != nullptr) server->Shutdown();
}

HttpConnectionStats HttpListener::Stats() const {
  return server != nullptr ? server->Stats() : HttpConnectionStats();
}

absl::StatusOr<std::unique_ptr<HttpListener>> StartHttp(
    IntakeService& service, const std::string& address, const TlsFiles& tls,
    int threads, const HttpLimits& limits,
    const std::function<void(HttpRouter&)>& extra_routes) {
  size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) ||
      port < 0 || port > 65535)
    return absl::InvalidArgumentError(
        Text(Msg::kServeHttpNotHostPort, address));
  const std::string host = address.substr(0, colon);
  auto listener = std::make_unique<HttpListener>();
  HttpRouter router = MakeIntakeRouter(service);
  IntakeRoutesOptions route_options;
  route_options.max_live = std::max(1, threads / 2);
  // The health route shows the server's counters; the server is made after
  // its routes.
  auto cell = std::make_shared<std::atomic<BeastServer*>>(nullptr);
  route_options.health_extra = [cell]() {
    BeastServer* s = cell->load();
    return s != nullptr ? s->StatsJson() : std::string();
  };
  AddIntakeRoutes(router, service, std::move(route_options));
  if (extra_routes) extra_routes(router);
  listener->server = std::make_unique<BeastServer>(service, std::move(router),
                                                   threads, limits);
  BeastServer* server = listener->server.get();
  cell->store(server);
  if (absl::Status listening = server->Listen(host, port, tls); !listening.ok())
    return listening;
  listener->port = server->port();
  return listener;
}

}  // namespace ogi::serve_internal
