// The route table of the HTTP face; see http_router.h.
#include "serve/http_router.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "engine/json_codec.h"
#include "serve/service.h"

namespace ogi {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HttpRequest::Header(absl::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

size_t HttpRequest::HeaderCount(absl::string_view name) const {
  return headers.count(std::string(name));
}

std::string HttpRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

HttpResponse HttpResponse::Error(const absl::Status& status) {
  HttpResponse response;
  response.status = HttpStatusOf(status.code());
  response.code = status.code();
  response.body = "{\"error\":{\"code\":";
  AppendJsonString(CodeName(status.code()), response.body);
  response.body += ",\"message\":";
  AppendJsonString(status.message(), response.body);
  response.body += "}}\n";
  return response;
}

std::string PercentDecode(absl::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && c == '+' ? ' ' : c;
  }
  return out;
}

void ParseTarget(absl::string_view target, HttpRequest& request) {
  const size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question), false);
  if (question == absl::string_view::npos) return;
  for (absl::string_view pair :
       absl::StrSplit(target.substr(question + 1), '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    std::string name = PercentDecode(pair.substr(0, equals), true);
    std::string value = equals == absl::string_view::npos
                            ? std::string()
                            : PercentDecode(pair.substr(equals + 1), true);
    request.params.emplace(std::move(name), std::move(value));
  }
}

void HttpRouter::Add(Route route) {
  std::regex regex(route.pattern, std::regex::ECMAScript);
  routes_.push_back({std::move(route), std::move(regex)});
}

const HttpRouter::Compiled* HttpRouter::Find(
    const HttpRequest& request, bool* path_known,
    std::vector<std::string>* matches) const {
  *path_known = false;
  for (const Compiled& c : routes_) {
    std::smatch m;
    if (!std::regex_match(request.path, m, c.regex)) continue;
    *path_known = true;
    if (c.route.method != request.method) continue;
    if (matches != nullptr) {
      matches->clear();
      for (size_t i = 1; i < m.size(); ++i) matches->push_back(m[i].str());
    }
    return &c;
  }
  return nullptr;
}

absl::string_view HttpRouter::OperationOf(const HttpRequest& request) const {
  bool path_known = false;
  const Compiled* c = Find(request, &path_known, nullptr);
  return c == nullptr ? absl::string_view("-")
                      : absl::string_view(c->route.operation);
}

HttpRouter::Admission HttpRouter::Admit(HttpRequest& request) const {
  Admission admission;
  auto refuse = [&admission](const absl::Status& status) {
    admission.route = nullptr;
    admission.refusal = HttpResponse::Error(status);
    return admission;
  };
  if (!IsWellFormedUtf8(request.path))
    return refuse(absl::InvalidArgumentError(
        "the path is not UTF-8 once its %XX escapes are decoded"));
  bool path_known = false;
  const Compiled* c = Find(request, &path_known, &request.matches);
  if (c == nullptr) {
    if (path_known) {
      HttpResponse r = HttpResponse::Error(
          absl::InvalidArgumentError("method not allowed on this path"));
      r.status = 405;
      admission.refusal = std::move(r);
      return admission;
    }
    return refuse(absl::NotFoundError(
        "no such operation: the routes are in docs/SERVE.md"));
  }
  const Route& route = c->route;
  if (route.auth == Auth::kToken) {
    std::optional<absl::StatusOr<TokenInfo>> from_request;
    if (authenticate_request_ && request.HeaderCount("authorization") == 0)
      from_request = authenticate_request_(request);
    absl::StatusOr<TokenInfo> caller =
        from_request ? *std::move(from_request)
                     : authenticate_(request.Header("authorization"));
    if (!caller.ok()) return refuse(caller.status());
    admission.caller = *std::move(caller);
  }
  const TokenInfo* caller = admission.caller ? &*admission.caller : nullptr;
  if (route.admit) {
    absl::Status admitted = route.admit(request, caller);
    if (!admitted.ok()) return refuse(admitted);
  }
  // The body's framing: one Content-Length, not chunked, not compressed, so
  // every limit holds on the bytes received.
  if (request.HeaderCount("content-length") > 1)
    return refuse(
        absl::InvalidArgumentError("more than one Content-Length header"));
  const bool has_length = request.HeaderCount("content-length") == 1;
  if (request.HeaderCount("transfer-encoding") > 0 ||
      (route.max_body > 0 && !has_length))
    return refuse(absl::InvalidArgumentError(
        "send the body with a Content-Length (chunked bodies are refused)"));
  const std::string encoding = request.Header("content-encoding");
  if (!encoding.empty() && !absl::EqualsIgnoreCase(encoding, "identity"))
    return refuse(absl::InvalidArgumentError(
        "Content-Encoding: send the body uncompressed"));
  uint64_t length = 0;
  if (has_length &&
      !absl::SimpleAtoi(request.Header("content-length"), &length))
    return refuse(absl::InvalidArgumentError("Content-Length is not a number"));
  if (length > route.max_body)
    return refuse(absl::ResourceExhaustedError(
        route.max_body == 0 ? std::string("this operation takes no body")
                            : absl::StrCat("the body takes at most ",
                                           route.max_body, " bytes")));
  admission.route = &route;
  admission.max_body = length;
  return admission;
}

HttpResponse HttpRouter::Handle(const Admission& admission,
                                const HttpRequest& request) const {
  if (admission.route == nullptr) return admission.refusal;
  return admission.route->handler(
      request, admission.caller ? &*admission.caller : nullptr);
}

}  // namespace ogi
