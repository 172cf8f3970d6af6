// The HTTP/JSON face of the intake service: the operations of
// proto/service.proto with the interchange JSON of docs/EVENTS.md as bodies
// (docs/SERVE.md lists the routes). cpp-httplib runs each request on a thread
// of its pool.
#include <atomic>
#include <chrono>
#include <httplib.h>
#include <limits>
#include <memory>
#include <sys/socket.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"
#include "serve/internal/listeners.h"

namespace ogi::serve_internal {
namespace {

constexpr size_t kMaxBody = 512u << 20;       // an import
constexpr size_t kMaxAppendBody = 16u << 20;  // POST /v1/events
constexpr size_t kMaxErrors = 100;
constexpr char kNdjson[] = "application/x-ndjson";
// A live subscription writes a blank line after this long without events: a
// write is how a departed client is noticed (its slot freed), so it is short.
constexpr std::chrono::seconds kKeepAlive(1);

void SendError(httplib::Response& res, const absl::Status& status,
               std::optional<uint32_t> current_version = std::nullopt) {
  res.status = HttpStatusOf(status.code());
  std::string body = "{\"error\":{\"code\":";
  AppendJsonString(CodeName(status.code()), body);
  body += ",\"message\":";
  AppendJsonString(status.message(), body);
  if (current_version)
    absl::StrAppend(&body, ",\"currentVersion\":", *current_version);
  body += "}}\n";
  res.set_content(body, "application/json");
}

absl::StatusOr<TokenInfo> Authenticate(IntakeService& service,
                                       const httplib::Request& req) {
  return service.Authenticate(req.get_header_value("Authorization"));
}

// Checks a POST before its body is read: the caller may write, the body
// comes with one Content-Length within the route's cap, uncompressed and not
// chunked (so the cap holds on the bytes received and parsed: httplib would
// read a chunked body whole and inflate a gzip one past any cap), and as
// JSON or JSON Lines (httplib would parse a form body itself).
absl::Status AdmitUpload(IntakeService& service, const TokenInfo& caller,
                         const httplib::Request& req) {
  OGI_RETURN_IF_ERROR(service.CheckWrite(caller));
  const bool import = req.path == "/v1/import";
  const size_t cap = import ? kMaxBody : kMaxAppendBody;
  if (req.get_header_value_count("Content-Length") > 1)
    return absl::InvalidArgumentError("more than one Content-Length header");
  if (req.has_header("Transfer-Encoding") || !req.has_header("Content-Length"))
    return absl::InvalidArgumentError(
        "send the body with a Content-Length (chunked bodies are refused)");
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && !absl::EqualsIgnoreCase(encoding, "identity"))
    return absl::InvalidArgumentError(
        "Content-Encoding: send the body uncompressed");
  const std::string type = req.get_header_value("Content-Type");
  if (absl::StartsWithIgnoreCase(type, "application/x-www-form-urlencoded") ||
      absl::StartsWithIgnoreCase(type, "multipart/"))
    return absl::InvalidArgumentError(
        "Content-Type: send application/json or application/x-ndjson "
        "(curl: --data-binary @FILE -H 'Content-Type: application/json')");
  uint64_t length = 0;
  if (!absl::SimpleAtoi(req.get_header_value("Content-Length"), &length))
    return absl::InvalidArgumentError("Content-Length is not a number");
  if (length > cap)
    return absl::ResourceExhaustedError(
        import ? absl::StrCat("an import body takes at most ", cap >> 20,
                              " MiB; split it")
               : absl::StrCat("an append takes at most ", cap >> 20,
                              " MiB; use /v1/import"));
  return absl::OkStatus();
}

// The body's events: one JSON object, or JSON Lines when the content type is
// application/x-ndjson or the route is an import (blank lines skipped).
// Refusals name the line; `lines` gets each event's line number.
absl::StatusOr<std::vector<v1::Event>> ParseBody(const httplib::Request& req,
                                                 EngineFields engine_fields,
                                                 std::vector<size_t>& lines) {
  std::vector<v1::Event> events;
  std::vector<std::string> errors;
  const bool ndjson =
      req.path == "/v1/import" ||
      absl::StartsWith(req.get_header_value("Content-Type"), kNdjson);
  if (!ndjson) {
    absl::StatusOr<v1::Event> event = ParseEventJson(req.body, engine_fields);
    if (!event.ok()) return event.status();
    lines.push_back(1);
    events.push_back(*std::move(event));
    return events;
  }
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(req.body, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<v1::Event> event = ParseEventJson(line, engine_fields);
    if (!event.ok()) {
      if (errors.size() < kMaxErrors)
        errors.push_back(
            absl::StrCat("line ", line_number, ": ", event.status().message()));
      continue;
    }
    lines.push_back(line_number);
    events.push_back(*std::move(event));
  }
  if (!errors.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "refused, nothing written:\n", absl::StrJoin(errors, "\n")));
  if (events.empty())
    return absl::InvalidArgumentError("no events in the body");
  return events;
}

// The service names events by index ("event N: " in an import, "event N of
// M: " in an append); over HTTP the line is what the sender can find.
absl::Status ByLine(const absl::Status& status,
                    const std::vector<size_t>& lines) {
  if (status.ok()) return status;
  std::string out;
  for (absl::string_view part : absl::StrSplit(status.message(), '\n')) {
    if (!out.empty()) out += '\n';
    size_t index = 0;
    absl::string_view rest = part;
    if (absl::ConsumePrefix(&rest, "event ")) {
      const size_t colon = rest.find(": ");
      const size_t end = std::min(colon, rest.find(" of "));
      if (colon != absl::string_view::npos &&
          absl::SimpleAtoi(rest.substr(0, end), &index) && index >= 1 &&
          index <= lines.size()) {
        absl::StrAppend(&out, "line ", lines[index - 1], rest.substr(colon));
        continue;
      }
    }
    out.append(part.data(), part.size());
  }
  return absl::Status(status.code(), out);
}

std::string EventLine(const v1::Event& event) {
  std::string line = MessageToJson(event);
  line += '\n';
  return line;
}

// The operation a request names, for the access log (never its ids).
absl::string_view OperationOf(const httplib::Request& req) {
  const absl::string_view path = req.path;
  if (path == "/v1/health") return "Health";
  if (req.method == "POST" && path == "/v1/events") return "Append";
  if (req.method == "POST" && path == "/v1/import") return "Import";
  if (req.method == "GET" && path == "/v1/events") return "Subscribe";
  if (req.method == "GET" && absl::StartsWith(path, "/v1/cases/"))
    return "ReadCase";
  if (req.method == "GET" && absl::StartsWith(path, "/v1/reports/"))
    return "Report";
  if (req.method == "GET" && absl::StartsWith(path, "/v1/deadlines/"))
    return "Deadline";
  return "-";
}

// When the request on this thread began (each request runs on one thread of
// httplib's pool, from its headers to its logging).
thread_local std::chrono::steady_clock::time_point request_start;

void Routes(httplib::Server& http, IntakeService& service, int threads) {
  auto live = std::make_shared<std::atomic<int>>(0);
  const int max_live = std::max(1, threads / 2);

  // Before the body is read: a request without a valid token is answered
  // 401 without buffering what it sends, and a single append is capped far
  // below an import.
  http.set_logger([&service](const httplib::Request& req,
                             const httplib::Response& res) {
    RequestRecord record;
    record.protocol = "http";
    record.operation = OperationOf(req);
    record.token_name = service.LogName(req.get_header_value("Authorization"));
    record.code = absl::StatusCode::kOk;
    if (res.status >= 400) {
      // The code name SendError wrote; else the nearest by HTTP status.
      absl::string_view body = res.body;
      record.code = absl::StatusCode::kUnknown;
      if (absl::ConsumePrefix(&body, "{\"error\":{\"code\":\"")) {
        const absl::string_view name = body.substr(0, body.find('"'));
        for (int c = 1; c <= 16; ++c) {
          if (CodeName(static_cast<absl::StatusCode>(c)) == name)
            record.code = static_cast<absl::StatusCode>(c);
        }
      }
    }
    record.bytes_in = req.body.size();
    record.bytes_out = res.body.size();
    record.duration =
        absl::FromChrono(std::chrono::steady_clock::now() - request_start);
    service.RecordRequest(record);
  });
  http.set_pre_routing_handler(
      [&service](const httplib::Request& req, httplib::Response& res) {
        request_start = std::chrono::steady_clock::now();
        if (!absl::StartsWith(req.path, "/v1/") || req.path == "/v1/health")
          return httplib::Server::HandlerResponse::Unhandled;
        absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
        absl::Status admitted = caller.status();
        if (admitted.ok() && req.method == "POST")
          admitted = AdmitUpload(service, *caller, req);
        if (admitted.ok()) return httplib::Server::HandlerResponse::Unhandled;
        SendError(res, admitted);
        // The body was not read: the connection cannot carry another request.
        res.set_header("Connection", "close");
        return httplib::Server::HandlerResponse::Handled;
      });
  // Whatever httplib answers by itself (no route, a malformed request, a
  // body over its cap) gets a JSON error body too.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    absl::StatusCode code = absl::StatusCode::kInvalidArgument;
    std::string message = "malformed request";
    if (res.status == 404) {
      code = absl::StatusCode::kNotFound;
      message = "no such operation: the routes are in docs/SERVE.md";
    } else if (res.status == 413) {
      code = absl::StatusCode::kResourceExhausted;
      message = "the request is too large";
    } else if (res.status == 405) {
      message = "method not allowed on this path";
    } else if (res.status >= 500) {
      code = absl::StatusCode::kInternal;
      message = "the request failed";
    }
    const int status = res.status;
    SendError(res, absl::Status(code, message));
    res.status = status;
  });

  http.Get("/v1/health",
           [&service](const httplib::Request&, httplib::Response& res) {
             res.set_content(
                 absl::StrCat("{\"status\":\"",
                              service.IsServing() ? "serving" : "shutting down",
                              "\",\"headPosition\":", service.HeadPosition(),
                              ",\"refused\":", service.RefusalsJson(), "}\n"),
                 "application/json");
           });

  http.Post("/v1/events", [&service](const httplib::Request& req,
                                     httplib::Response& res) {
    absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
    if (!caller.ok()) return SendError(res, caller.status());
    std::vector<size_t> lines;
    absl::StatusOr<std::vector<v1::Event>> events =
        ParseBody(req, EngineFields::kRefuse, lines);
    if (!events.ok()) return SendError(res, events.status());
    const v1::Event first = events->front();
    absl::StatusOr<std::vector<AppendedEvent>> appended =
        service.Append(*caller, *std::move(events));
    if (!appended.ok()) {
      absl::Status status = lines.size() > 1 ? ByLine(appended.status(), lines)
                                             : appended.status();
      if (absl::IsAborted(status))
        return SendError(res, status, service.CurrentVersion(first));
      return SendError(res, status);
    }
    std::string body = "{\"results\":[";
    for (size_t i = 0; i < appended->size(); ++i) {
      const AppendedEvent& a = (*appended)[i];
      absl::StrAppend(
          &body, i ? "," : "", "{\"position\":", a.position,
          ",\"version\":", a.version, ",\"duplicate\":",
          a.outcome == AppendedEvent::Outcome::kDuplicate ? "true" : "false",
          "}");
    }
    body += "]}\n";
    res.set_content(body, "application/json");
  });

  http.Post("/v1/import", [&service](const httplib::Request& req,
                                     httplib::Response& res) {
    absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
    if (!caller.ok()) return SendError(res, caller.status());
    std::vector<size_t> lines;
    // An import takes `ogi export` output, as `ogi import` does.
    absl::StatusOr<std::vector<v1::Event>> events =
        ParseBody(req, EngineFields::kIgnore, lines);
    if (!events.ok()) return SendError(res, events.status());
    absl::StatusOr<ImportResult> result =
        service.Import(*caller, *std::move(events));
    if (!result.ok()) return SendError(res, ByLine(result.status(), lines));
    res.set_content(
        absl::StrCat("{\"events\":", result->events, ",\"appended\":",
                     result->appended, ",\"duplicates\":", result->duplicates,
                     ",\"headPosition\":", result->head_position, "}\n"),
        "application/json");
  });

  http.Get("/v1/deadlines/(.+)",
           [&service](const httplib::Request& req, httplib::Response& res) {
             absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
             if (!caller.ok()) return SendError(res, caller.status());
             std::optional<absl::CivilDay> on;
             if (req.has_param("on")) {
               absl::StatusOr<absl::CivilDay> day =
                   ParseCivilDay(req.get_param_value("on"));
               if (!day.ok())
                 return SendError(res, absl::InvalidArgumentError(absl::StrCat(
                                           "on: ", day.status().message())));
               on = *day;
             }
             absl::StatusOr<std::string> json =
                 service.Deadline(*caller, req.matches[1].str(), on);
             if (!json.ok()) return SendError(res, json.status());
             res.set_content(*json, "application/json");
           });

  http.Get("/v1/cases/(.+)",
           [&service](const httplib::Request& req, httplib::Response& res) {
             absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
             if (!caller.ok()) return SendError(res, caller.status());
             absl::StatusOr<std::vector<v1::Event>> events =
                 service.ReadCase(*caller, req.matches[1].str());
             if (!events.ok()) return SendError(res, events.status());
             std::string body;
             for (const v1::Event& event : *events) body += EventLine(event);
             res.set_content(body, kNdjson);
           });

  http.Get(R"(/v1/reports/(.+)/(\d+))", [&service](const httplib::Request& req,
                                                   httplib::Response& res) {
    absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
    if (!caller.ok()) return SendError(res, caller.status());
    int year = 0;  // too many digits: 0, refused by the service
    (void)absl::SimpleAtoi(req.matches[2].str(), &year);
    const std::string rollup = req.get_param_value("rollup");
    if (rollup != "" && rollup != "0" && rollup != "1" && rollup != "true" &&
        rollup != "false")
      return SendError(res, absl::InvalidArgumentError(
                                "rollup must be 1, true, 0 or false"));
    absl::Time as_of = absl::InfiniteFuture();
    if (req.has_param("asOf")) {
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, req.get_param_value("asOf"),
                           &as_of, &error))
        return SendError(res, absl::InvalidArgumentError(
                                  "asOf must be an RFC 3339 instant such as "
                                  "2024-01-12T00:00:00Z"));
    }
    absl::StatusOr<RenderedReport> report = service.Report(
        *caller, req.matches[1].str(), year,
        rollup == "1" || rollup == "true" ? Scope::kRollup : Scope::kAgency,
        as_of, req.get_param_value("format"));
    if (!report.ok()) return SendError(res, report.status());
    res.set_content(report->body, report->content_type);
  });

  // The global log from ?from=P (default 1) as JSON Lines: catch-up, then,
  // unless follow=0, live until the client goes away. Blank lines are
  // keep-alives, sent when nothing happened for kKeepAlive.
  http.Get("/v1/events", [&service, live, max_live](const httplib::Request& req,
                                                    httplib::Response& res) {
    absl::StatusOr<TokenInfo> caller = Authenticate(service, req);
    if (!caller.ok()) return SendError(res, caller.status());
    uint64_t from = 1;
    if (req.has_param("from") &&
        !absl::SimpleAtoi(req.get_param_value("from"), &from))
      return SendError(
          res, absl::InvalidArgumentError("from must be a log position"));
    absl::Status may = service.CheckSubscribe(*caller);
    if (!may.ok()) return SendError(res, may);
    const bool follow = req.get_param_value("follow") != "0";
    // A live subscription holds a request thread while it lasts; keep
    // half of them for appends and reads.
    std::shared_ptr<LiveSlot> slot;
    if (follow) {
      absl::StatusOr<std::unique_ptr<LiveSlot>> reserved =
          service.ReserveLive(*caller);
      if (!reserved.ok()) return SendError(res, reserved.status());
      slot = *std::move(reserved);
    }
    if (follow && live->fetch_add(1) >= max_live) {
      --*live;
      return SendError(
          res, absl::UnavailableError("too many live HTTP subscriptions; "
                                      "subscribe over gRPC, or retry later"));
    }
    TokenInfo who = *caller;
    res.set_chunked_content_provider(
        kNdjson,
        [&service, who, from, follow, slot](size_t, httplib::DataSink& sink) {
          using Clock = std::chrono::steady_clock;
          Clock::time_point last_write = Clock::now();
          bool broken = false;
          const uint64_t until = follow ? 0 : service.HeadPosition();
          if (!follow && until < from) {  // nothing to send
            sink.done();
            return true;
          }
          absl::Status status = service.Subscribe(
              who, from, until,
              [&](const v1::Event& event) {
                last_write = Clock::now();
                std::string line = EventLine(event);
                if (!sink.write(line.data(), line.size())) broken = true;
                return !broken;
              },
              [&] {
                if (broken) return true;
                if (Clock::now() - last_write > kKeepAlive) {
                  last_write = Clock::now();
                  if (!sink.write("\n", 1)) broken = true;
                }
                return broken;
              });
          if (!status.ok() && !broken) {
            // Headers are gone already; the error ends the stream as a
            // line.
            std::string line = "{\"error\":{\"code\":";
            AppendJsonString(CodeName(status.code()), line);
            line += ",\"message\":";
            AppendJsonString(status.message(), line);
            line += "}}\n";
            (void)sink.write(line.data(), line.size());
          }
          if (!broken) sink.done();
          return !broken;
        },
        [live, follow](bool) {
          if (follow) --*live;
        });
  });
}

}  // namespace

HttpListener::~HttpListener() { Shutdown(); }

void HttpListener::Shutdown() {
  if (server != nullptr) server->stop();
  if (thread.joinable()) thread.join();
}

absl::StatusOr<std::unique_ptr<HttpListener>> StartHttp(
    IntakeService& service, const std::string& address, const TlsFiles& tls,
    int threads) {
  size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) ||
      port < 0 || port > 65535)
    return absl::InvalidArgumentError(absl::StrCat(
        "--http: \"", address, "\" is not HOST:PORT (port 0: any free one)"));
  std::string host = address.substr(0, colon);
  auto listener = std::make_unique<HttpListener>();
  if (tls.enabled()) {
    listener->server = std::make_unique<httplib::SSLServer>(
        tls.cert_path.c_str(), tls.key_path.c_str());
  } else {
    listener->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *listener->server;
  if (!http.is_valid())
    return absl::InvalidArgumentError(
        "--tls-cert/--tls-key: cannot load the certificate and key");
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(kMaxBody);
  http.set_tcp_nodelay(true);
  // An intake system keeps its connection: no cap on requests per connection
  // (httplib's default closes it after 5, racing the client's next request).
  http.set_keep_alive_max_count(std::numeric_limits<size_t>::max());
  // An idle connection holds a request thread for this long.
  http.set_keep_alive_timeout(5);
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, absl::InternalError("the request failed"));
      });
  Routes(http, service, threads);
  // Debian's httplib is compiled with a listen backlog of 5: 32 clients
  // connecting at once overflow it, and the dropped handshakes come back as
  // failed or 1-second-late first requests. Listening again on the bound
  // socket raises the backlog (the socket is seen in the options callback).
  auto socket = std::make_shared<std::atomic<int>>(-1);
  http.set_socket_options([socket](socket_t sock) {
    httplib::default_socket_options(sock);
    *socket = sock;
  });
  if (port == 0) {
    listener->port = http.bind_to_any_port(host);
  } else if (http.bind_to_port(host, port)) {
    listener->port = port;
  }
  if (listener->port <= 0 || *socket < 0 || ::listen(*socket, SOMAXCONN) != 0)
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", address));
  listener->thread = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it, so an early
  // Shutdown cannot leave the thread listening forever.
  for (int i = 0; i < 5000 && !http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!http.is_running())
    return absl::UnavailableError("the HTTP listener did not start");
  return listener;
}

}  // namespace ogi::serve_internal
