// One HTTP connection of `ogi serve`'s listener (serve/http_server.cc), from
// accept to close: the TLS handshake, its headers within header_timeout,
// HttpRouter::Admit, the body (at most the admitted Content-Length, within
// its deadline), HttpRouter::Handle on a handler thread, the answer (or a
// chunked stream written from the handler thread), keep-alive, and the access
// log line of each request.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

#include "serve/internal/beast_server.h"

namespace ogi::serve_internal {

namespace http = boost::beast::http;

namespace {

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

void StartSession(BeastServer& server, uint64_t id, std::string peer,
                  tcp::socket socket, ssl::context* tls) {
  if (tls != nullptr) {
    auto session =
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            server, id, std::move(peer), std::move(socket), *tls);
    server.Register(id, session);
    session->Start();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(
        server, id, std::move(peer), std::move(socket));
    server.Register(id, session);
    session->Start();
  }
}

}  // namespace ogi::serve_internal
