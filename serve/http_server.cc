// The HTTP listener of `ogi serve`: Boost.Beast over asio, asynchronous, so
// a connection costs a socket and a little memory while it sends its headers
// or body, and a handler thread only while its request is answered. Every
// read and write has a deadline that does not move as bytes trickle in, and
// connections are capped in all and per peer address (docs/SERVE.md,
// Security). cpp-httplib, used before, gives each connection a thread of its
// pool from accept to close, so 70 clients trickling their headers took
// every thread and nothing bounded them.
//
// What each request gets is the route table's (serve/http_router.h); this
// file only moves bytes: headers -> HttpRouter::Admit -> body (at most the
// admitted Content-Length) -> HttpRouter::Handle on a handler thread ->
// answer.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

#include "serve/http_routes.h"
#include "serve/internal/listeners.h"

namespace ogi::serve_internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

absl::string_view View(beast::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

// Runs handlers on a fixed set of threads, in the order submitted.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i)
      threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() { Stop(); }

  void Submit(std::function<void()> job) {
    absl::MutexLock lock(&mu_);
    jobs_.push_back(std::move(job));
  }

  // Runs what was submitted, then joins the threads.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> job;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || !jobs_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection unless a request on it is being answered (which
  // then closes it once answered), or even then if `force`. Any thread.
  virtual void Stop(bool force) = 0;
};

}  // namespace

class BeastServer {
 public:
  BeastServer(IntakeService& service, HttpRouter router, int threads,
              const HttpLimits& limits)
      : service_(service),
        router_(std::move(router)),
        limits_(limits),
        workers_(threads) {}

  ~BeastServer() { Shutdown(); }

  absl::Status Listen(const std::string& host, int port, const TlsFiles& tls) {
    if (tls.enabled()) {
      ssl_ = std::make_unique<ssl::context>(ssl::context::tls_server);
      ssl_->set_options(ssl::context::default_workarounds |
                        ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      ssl_->use_certificate_chain(
          net::buffer(tls.cert_pem.data(), tls.cert_pem.size()), ec);
      if (!ec)
        ssl_->use_private_key(
            net::buffer(tls.key_pem.data(), tls.key_pem.size()),
            ssl::context::pem, ec);
      if (ec)
        return absl::InvalidArgumentError(
            "--tls-cert/--tls-key: cannot load the certificate and key");
    }
    boost::system::error_code ec;
    net::ip::address address = net::ip::make_address(
        host == "localhost" ? std::string("127.0.0.1") : host, ec);
    if (ec && host.size() > 2 && host.front() == '[' && host.back() == ']')
      address = net::ip::make_address(host.substr(1, host.size() - 2), ec);
    if (ec)
      return absl::InvalidArgumentError(
          absl::StrCat("--http: \"", host, "\" is not an IP address"));
    tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return absl::UnavailableError(absl::StrCat(
          "cannot listen for HTTP on ", host, ":", port, ": ", ec.message()));
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < 2; ++i)
      io_threads_.emplace_back([this] { ioc_.run(); });
    return absl::OkStatus();
  }

  int port() const { return port_; }

  HttpConnectionStats Stats() const {
    HttpConnectionStats s;
    s.open = open_.load();
    s.accepted = accepted_.load();
    s.refused_total_cap = refused_total_.load();
    s.refused_per_peer_cap = refused_peer_.load();
    s.timed_out = timed_out_.load();
    return s;
  }

  std::string StatsJson() const {
    const HttpConnectionStats s = Stats();
    return absl::StrCat("\"connections\":{\"open\":", s.open,
                        ",\"accepted\":", s.accepted,
                        ",\"refusedTotalCap\":", s.refused_total_cap,
                        ",\"refusedPerPeerCap\":", s.refused_per_peer_cap,
                        ",\"timedOut\":", s.timed_out, "}");
  }

  void Shutdown() {
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
      if (!mu_.AwaitWithTimeout(absl::Condition(&none),
                                limits_.shutdown_grace)) {
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

  // For the sessions.
  IntakeService& service() { return service_; }
  const HttpRouter& router() const { return router_; }
  const HttpLimits& limits() const { return limits_; }
  WorkerPool& workers() { return workers_; }
  bool stopping() {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }
  void CountTimeout() { ++timed_out_; }
  void Register(uint64_t id, std::weak_ptr<SessionBase> session) {
    absl::MutexLock lock(&mu_);
    sessions_.emplace(id, std::move(session));
  }
  // A session's end (its destructor): gives back its places.
  void Release(uint64_t id, const std::string& peer) {
    absl::MutexLock lock(&mu_);
    sessions_.erase(id);
    auto it = per_peer_.find(peer);
    if (it != per_peer_.end() && --it->second <= 0) per_peer_.erase(it);
    --open_;
  }

 private:
  void Accept();
  void OnAccept(tcp::socket socket);
  void StopSessions(bool force) {
    std::vector<std::shared_ptr<SessionBase>> sessions;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, weak] : sessions_)
        if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
    for (auto& s : sessions) s->Stop(force);
  }

  IntakeService& service_;
  const HttpRouter router_;
  const HttpLimits limits_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> per_peer_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<int64_t> open_{0}, accepted_{0}, refused_total_{0},
      refused_peer_{0}, timed_out_{0};

  std::unique_ptr<ssl::context> ssl_;
  WorkerPool workers_;
  // Destroyed before the members above: pending handlers hold sessions,
  // whose destructors call Release().
  net::io_context ioc_{2};
  tcp::acceptor acceptor_{net::make_strand(ioc_)};
  int port_ = 0;
  std::vector<std::thread> io_threads_;
};

namespace {

// The answer sent to a connection over a cap, before it is closed.
std::string CapRefusal(absl::string_view message) {
  HttpResponse r = HttpResponse::Error(absl::UnavailableError(message));
  return absl::StrCat(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
      "application/json\r\nContent-Length: ",
      r.body.size(), "\r\nConnection: close\r\n\r\n", r.body);
}

template <class Stream>
class Session : public SessionBase,
                public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(BeastServer& server, uint64_t id, std::string peer, Args&&... args)
      : server_(server),
        id_(id),
        peer_(std::move(peer)),
        stream_(std::forward<Args>(args)...) {}

  ~Session() override { server_.Release(id_, peer_); }

  void Start() {
    Lowest().expires_after(ToChrono(server_.limits().header_timeout));
    if constexpr (kTls) {
      stream_.async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return self->Fail(ec);
            self->ReadHeader();
          });
    } else {
      ReadHeader();
    }
  }

  void Stop(bool force) override {
    net::post(stream_.get_executor(), [self = this->shared_from_this(), force] {
      if (force || !self->busy_) self->Close();
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Close() {
    boost::system::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  void Fail(beast::error_code ec) {
    if (ec == beast::error::timeout) server_.CountTimeout();
    Close();
  }

  // A kept-alive connection waits idle_timeout for its next request's first
  // byte; then its headers have header_timeout.
  void AwaitNextRequest() {
    if (server_.stopping()) return Close();
    if (buffer_.size() > 0) {  // pipelined: already here
      Lowest().expires_after(ToChrono(server_.limits().header_timeout));
      return ReadHeader();
    }
    Lowest().expires_after(ToChrono(server_.limits().idle_timeout));
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          if (ec) return self->Fail(ec);
          self->buffer_.commit(n);
          self->Lowest().expires_after(
              ToChrono(self->server_.limits().header_timeout));
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(
        static_cast<uint32_t>(server_.limits().max_header_bytes));
    // The Content-Length is judged by the route (Admit), not here.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    request_ = HttpRequest();
    request_.peer = peer_;
    keep_alive_ = false;
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    // A client that left or timed out gets no answer; one that sent what
    // is not HTTP gets a JSON one.
    if (ec && (ec.category() !=
                   http::make_error_code(http::error::bad_target).category() ||
               ec == http::error::end_of_stream ||
               ec == http::error::partial_message))
      return Fail(ec);
    if (ec) {  // a malformed request: a JSON answer, then close
      HttpResponse r = HttpResponse::Error(absl::InvalidArgumentError(
          absl::StrCat("malformed request: ", ec.message())));
      if (ec == http::error::header_limit) {
        r = HttpResponse::Error(absl::ResourceExhaustedError(
            absl::StrCat("the request's headers take at most ",
                         server_.limits().max_header_bytes, " bytes")));
        r.status = 431;
      }
      r.close = true;
      operation_ = "-";
      return Respond(std::move(r));
    }
    const auto& header = parser_->get();
    request_.method = std::string(View(header.method_string()));
    ParseTarget(View(header.target()), request_);
    for (const auto& field : header)
      request_.headers.emplace(absl::AsciiStrToLower(View(field.name_string())),
                               std::string(View(field.value())));
    keep_alive_ = header.keep_alive();
    operation_ = std::string(server_.router().OperationOf(request_));
    admission_ = server_.router().Admit(request_);
    if (admission_.route == nullptr) {
      HttpResponse r = admission_.refusal;
      // The body, if any, was not read: the connection cannot carry another
      // request.
      if (!parser_->is_done()) r.close = true;
      return Respond(std::move(r));
    }
    if (parser_->is_done()) return Dispatch();
    // The body: at most the admitted Content-Length, within its deadline.
    parser_->body_limit(admission_.max_body);
    const HttpLimits& limits = server_.limits();
    Lowest().expires_after(ToChrono(
        limits.body_timeout +
        absl::Seconds(
            static_cast<double>(admission_.max_body) /
            static_cast<double>(std::max<uint64_t>(1, limits.min_body_rate)))));
    auto read_body = [self = this->shared_from_this()] {
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec, size_t) {
                         if (ec) return self->Fail(ec);
                         self->Dispatch();
                       });
    };
    if (absl::EqualsIgnoreCase(request_.Header("expect"), "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, 11);
      http::async_write(stream_, *cont,
                        [self = this->shared_from_this(), cont, read_body](
                            beast::error_code ec, size_t) {
                          if (ec) return self->Fail(ec);
                          read_body();
                        });
      return;
    }
    read_body();
  }

  // Runs the handler on a handler thread; the connection waits without a
  // deadline (the handler's time is the service's).
  void Dispatch() {
    request_.body = parser_->release().body();
    busy_ = true;
    Lowest().expires_never();
    server_.workers().Submit([self = this->shared_from_this()] {
      HttpResponse response =
          self->server_.router().Handle(self->admission_, self->request_);
      if (response.stream) return self->RunStream(std::move(response));
      net::post(self->stream_.get_executor(),
                [self, r = std::move(response)]() mutable {
                  self->Respond(std::move(r));
                });
    });
  }

  void Respond(HttpResponse r) {
    busy_ = true;
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(11);
    response->result(static_cast<unsigned>(r.status));
    response->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) response->set(name, value);
    response->body() = std::move(r.body);
    const bool keep = keep_alive_ && !r.close && !server_.stopping();
    response->keep_alive(keep);
    response->prepare_payload();
    code_ = r.code;
    bytes_out_ = response->body().size();
    Lowest().expires_after(ToChrono(server_.limits().write_timeout));
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response, keep](
                          beast::error_code ec, size_t) {
                        self->busy_ = false;
                        self->Log();
                        if (ec) return self->Fail(ec);
                        if (!keep) return self->Close();
                        self->AwaitNextRequest();
                      });
  }

  // Writes `bytes` (as a chunk, or the head when `head` is set) from a
  // handler thread and waits for the client to take it; false if it did not
  // within the write deadline, or left.
  bool WriteFromHandler(std::string bytes, bool head, bool last) {
    struct Pending {
      std::string bytes;
      http::response<http::empty_body> header;
      std::optional<http::response_serializer<http::empty_body>> serializer;
      absl::Notification done;
      std::atomic<bool> ok{false};
    };
    auto pending = std::make_shared<Pending>();
    pending->bytes = std::move(bytes);
    const absl::Duration deadline = server_.limits().write_timeout;
    net::post(stream_.get_executor(), [self = this->shared_from_this(), pending,
                                       head, last] {
      auto finish = [pending](beast::error_code ec, size_t) {
        pending->ok = !ec;
        pending->done.Notify();
      };
      self->Lowest().expires_after(
          ToChrono(self->server_.limits().write_timeout));
      if (head) {
        pending->header.version(11);
        pending->header.result(http::status::ok);
        pending->header.set(http::field::content_type, pending->bytes);
        pending->header.chunked(true);
        pending->header.keep_alive(false);
        pending->serializer.emplace(pending->header);
        http::async_write_header(self->stream_, *pending->serializer, finish);
      } else if (last) {
        net::async_write(self->stream_, http::make_chunk_last(), finish);
      } else {
        self->bytes_out_ += pending->bytes.size();
        net::async_write(self->stream_,
                         http::make_chunk(net::buffer(pending->bytes)), finish);
      }
    });
    // The deadline above ends the write; the margin is for the I/O threads.
    if (!pending->done.WaitForNotificationWithTimeout(deadline +
                                                      absl::Seconds(5)))
      return false;
    return pending->ok;
  }

  class Sink : public HttpStreamSink {
   public:
    explicit Sink(Session& session) : session_(session) {}
    bool Write(absl::string_view bytes) override {
      if (broken_) return false;
      if (bytes.empty()) return true;
      broken_ = !session_.WriteFromHandler(std::string(bytes), false, false);
      return !broken_;
    }
    bool broken() const { return broken_; }

   private:
    Session& session_;
    bool broken_ = false;
  };

  // A streamed answer: the head, then what the producer writes, on this
  // handler thread; the connection closes after it (the stream ends when
  // the producer does).
  void RunStream(HttpResponse response) {
    code_ = response.code;
    bool ok = WriteFromHandler(response.content_type, true, false);
    if (ok) {
      Sink sink(*this);
      response.stream(sink);
      ok = !sink.broken() && WriteFromHandler("", false, true);
    }
    (void)ok;
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->busy_ = false;
      self->Log();
      self->Close();
    });
  }

  void Log() {
    RequestRecord record;
    record.protocol = "http";
    record.operation = operation_;
    record.token_name =
        server_.service().LogName(request_.Header("authorization"));
    record.code = code_;
    record.bytes_in = request_.body.size();
    record.bytes_out = bytes_out_;
    record.duration =
        absl::FromChrono(std::chrono::steady_clock::now() - started_);
    server_.service().RecordRequest(record);
    bytes_out_ = 0;
  }

  BeastServer& server_;
  const uint64_t id_;
  const std::string peer_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  HttpRouter::Admission admission_;
  std::string operation_ = "-";
  bool keep_alive_ = false;
  // A request on the connection is being answered (strand only).
  bool busy_ = false;
  absl::StatusCode code_ = absl::StatusCode::kOk;
  uint64_t bytes_out_ = 0;
  std::chrono::steady_clock::time_point started_ =
      std::chrono::steady_clock::now();
};

}  // namespace

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
  if (ssl_ != nullptr) {
    auto session =
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *this, id, peer, std::move(socket), *ssl_);
    Register(id, session);
    session->Start();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(
        *this, id, peer, std::move(socket));
    Register(id, session);
    session->Start();
  }
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
    return absl::InvalidArgumentError(absl::StrCat(
        "--http: \"", address, "\" is not HOST:PORT (port 0: any free one)"));
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
