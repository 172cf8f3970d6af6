// The HTTP face's route table, independent of the sockets: a request parsed
// by the listener (serve/http_server.cc) goes through Admit() as soon as its
// headers are in, and, if admitted, its body is read and Handle() answers it.
// Both are plain functions of the request, so routes are unit-tested without
// a socket, and new faces (the intake routes of http_routes.cc, a console's
// pages) add their routes to the same table.
//
// Thread-safe once built: Add() before the listener starts, then Admit() and
// Handle() from any thread.
#ifndef OGI_SERVE_HTTP_ROUTER_H_
#define OGI_SERVE_HTTP_ROUTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "serve/tokens.h"

namespace ogi {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  // The query's parameters, decoded ('+' is a space); the first of each name.
  std::map<std::string, std::string> params;
  // Header names lowercased; a repeated header appears once per occurrence.
  std::multimap<std::string, std::string> headers;
  std::string body;  // empty until admitted and read
  std::string peer;  // the client's address, for logs and caps
  // The route's captures (the pattern's groups), set by the router.
  std::vector<std::string> matches;

  // The first value of header `name` (lowercase), or "".
  std::string Header(absl::string_view name) const;
  size_t HeaderCount(absl::string_view name) const;
  bool HasParam(const std::string& name) const {
    return params.count(name) > 0;
  }
  std::string Param(const std::string& name) const;
};

// What a streamed answer writes through; Write returns false once the client
// is gone (or too slow to take it), and the producer should then stop.
class HttpStreamSink {
 public:
  virtual ~HttpStreamSink() = default;
  virtual bool Write(absl::string_view bytes) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (Content-Type, Content-Length and Connection are the
  // listener's).
  std::vector<std::pair<std::string, std::string>> headers;
  // The code the access log records (kOk for a 2xx/3xx answer).
  absl::StatusCode code = absl::StatusCode::kOk;
  // Set for a streamed answer: `body` is ignored, the headers go first, then
  // whatever `stream` writes (chunked), on a thread that may block.
  std::function<void(HttpStreamSink&)> stream;
  // Close the connection after this answer.
  bool close = false;

  // The JSON error answer both protocols share: {"error":{"code":NAME,
  // "message":...}} with the HTTP status of the code.
  static HttpResponse Error(const absl::Status& status);
};

class HttpRouter {
 public:
  enum class Auth {
    kNone,   // anyone (health, static pages)
    kToken,  // a token in force (401 otherwise), passed to the handler
  };
  using Handler = std::function<HttpResponse(const HttpRequest& request,
                                             const TokenInfo* caller)>;
  // Runs on the headers alone, before the body is read; an error is the
  // answer and the body is never read.
  using AdmitFn = std::function<absl::Status(const HttpRequest& request,
                                             const TokenInfo* caller)>;
  using Authenticator =
      std::function<absl::StatusOr<TokenInfo>(absl::string_view bearer)>;

  struct Route {
    std::string method;     // exact: "GET", "POST"
    std::string pattern;    // ECMAScript regex over the whole path
    std::string operation;  // for the access log: "ReadCase", "Console", ...
    Auth auth = Auth::kToken;
    Handler handler = nullptr;
    AdmitFn admit = nullptr;  // optional
    uint64_t max_body = 0;    // bytes; a larger Content-Length: 413
  };

  // `authenticate` takes the Authorization header's value.
  explicit HttpRouter(Authenticator authenticate)
      : authenticate_(std::move(authenticate)) {}

  // A second source of credentials for token routes, asked when a request
  // has no Authorization header (the console's session cookie,
  // serve/session.h); nullopt: the request carries none. Set before use.
  using RequestAuthenticator =
      std::function<std::optional<absl::StatusOr<TokenInfo>>(
          const HttpRequest& request)>;
  void SetRequestAuthenticator(RequestAuthenticator authenticate) {
    authenticate_request_ = std::move(authenticate);
  }

  void Add(Route route);

  // The outcome of the headers: the route and caller, or the answer.
  struct Admission {
    const Route* route = nullptr;  // null: `refusal` is the answer
    std::optional<TokenInfo> caller;
    uint64_t max_body = 0;
    HttpResponse refusal;
  };
  // Finds the route (404, or 400 for a path that is not UTF-8),
  // authenticates, checks the body's framing and size, then the route's
  // admit. Fills request.matches.
  Admission Admit(HttpRequest& request) const;

  // The answer to an admitted request whose body is read.
  HttpResponse Handle(const Admission& admission,
                      const HttpRequest& request) const;

  // The access log's operation for a request (the route's, or "-").
  absl::string_view OperationOf(const HttpRequest& request) const;

 private:
  struct Compiled {
    Route route;
    std::regex regex;
  };
  const Compiled* Find(const HttpRequest& request, bool* path_known,
                       std::vector<std::string>* matches) const;

  Authenticator authenticate_;
  RequestAuthenticator authenticate_request_;
  std::vector<Compiled> routes_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); a bad
// escape is kept as it is.
std::string PercentDecode(absl::string_view text, bool plus_is_space);

// Splits a request target into its decoded path and parameters.
void ParseTarget(absl::string_view target, HttpRequest& request);

}  // namespace ogi

#endif  // OGI_SERVE_HTTP_ROUTER_H_
