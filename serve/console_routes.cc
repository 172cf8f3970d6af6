// The console's pages and sessions; see console_routes.h.
#include "serve/console_routes.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

#include "engine/json_codec.h"
#include "serve/console_assets.h"

namespace ogi {
namespace {

const ConsoleAsset* FindAsset(absl::string_view path) {
  for (const ConsoleAsset& asset : ConsoleAssets())
    if (asset.path == path) return &asset;
  return nullptr;
}

bool AcceptsGzip(const HttpRequest& request) {
  for (absl::string_view part :
       absl::StrSplit(request.Header("accept-encoding"), ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::StartsWith(part, "gzip") && !absl::StrContains(part, "q=0"))
      return true;
  }
  return false;
}

void AddSecurityHeaders(HttpResponse& response) {
  response.headers.push_back({"Content-Security-Policy", kConsoleCsp});
  response.headers.push_back({"X-Content-Type-Options", "nosniff"});
  response.headers.push_back({"Referrer-Policy", "no-referrer"});
  response.headers.push_back({"X-Frame-Options", "DENY"});
}

// A built file: hashed assets are cached for a year, the page itself is
// revalidated (its ETag) so a new binary's app is picked up at once.
HttpResponse ServeAsset(const HttpRequest& request, const ConsoleAsset& asset,
                        bool immutable) {
  HttpResponse response;
  AddSecurityHeaders(response);
  response.headers.push_back(
      {"Cache-Control",
       immutable ? "public, max-age=31536000, immutable" : "no-cache"});
  response.headers.push_back({"ETag", std::string(asset.etag)});
  response.headers.push_back({"Vary", "Accept-Encoding"});
  response.content_type = std::string(asset.content_type);
  if (request.Header("if-none-match") == asset.etag) {
    response.status = 304;
    return response;
  }
  if (AcceptsGzip(request)) {
    response.headers.push_back({"Content-Encoding", "gzip"});
    response.body = std::string(asset.gzip);
  } else {
    response.body = std::string(asset.raw);
  }
  return response;
}

HttpResponse ServePage(const HttpRequest& request) {
  const std::string path = request.path;
  absl::string_view rest = path;
  if (absl::ConsumePrefix(&rest, "/console/assets/")) {
    const ConsoleAsset* asset = FindAsset(absl::StrCat("/assets/", rest));
    if (asset == nullptr)
      return HttpResponse::Error(
          absl::NotFoundError("no such file of the console"));
    return ServeAsset(request, *asset, true);
  }
  // Every other path under /console/ is a deep link into the app, which
  // routes it in the browser.
  const ConsoleAsset* index = FindAsset("/index.html");
  if (index == nullptr)
    return HttpResponse::Error(
        absl::InternalError("the console was built without its page"));
  return ServeAsset(request, *index, false);
}

std::string SessionJson(const TokenInfo& caller, const std::string& csrf) {
  std::string json = "{\"name\":";
  AppendJsonString(caller.name, json);
  json += ",\"agencyId\":";
  AppendJsonString(caller.agency_id, json);
  absl::StrAppend(&json, ",\"rollup\":",
                  caller.reach == TokenReach::kSubtree ? "true" : "false",
                  ",\"scopes\":");
  std::string scopes = "[";
  for (absl::string_view s :
       absl::StrSplit(ScopesToString(caller.scopes), ',', absl::SkipEmpty())) {
    if (scopes.size() > 1) scopes += ",";
    AppendJsonString(s, scopes);
  }
  json += scopes + "],\"csrf\":";
  AppendJsonString(csrf, json);
  return json + "}\n";
}

HttpResponse NoStore(HttpResponse response) {
  response.headers.push_back({"Cache-Control", "no-store"});
  return response;
}

HttpResponse SignIn(SessionStore& sessions, const HttpRequest& request) {
  google::protobuf::Struct body;
  google::protobuf::util::JsonParseOptions parse;
  std::string token;
  if (google::protobuf::util::JsonStringToMessage(request.body, &body, parse)
          .ok()) {
    auto it = body.fields().find("token");
    if (it != body.fields().end() && it->second.has_string_value())
      token =
          std::string(absl::StripAsciiWhitespace(it->second.string_value()));
  }
  if (token.empty())
    return NoStore(HttpResponse::Error(absl::InvalidArgumentError(
        "token: give the token `ogi token create` printed, as "
        "{\"token\":\"ogi_...\"}")));
  absl::StatusOr<SessionStore::Started> started = sessions.SignIn(token);
  if (!started.ok()) return NoStore(HttpResponse::Error(started.status()));
  HttpResponse response;
  response.body = SessionJson(started->caller, started->csrf);
  response.headers.push_back(
      {"Set-Cookie", SessionStore::SetCookie(started->id)});
  return NoStore(std::move(response));
}

}  // namespace

void AddConsoleRoutes(HttpRouter& router, IntakeService& service,
                      SessionOptions options) {
  using Auth = HttpRouter::Auth;
  auto sessions = std::make_shared<SessionStore>(service, options);
  router.SetRequestAuthenticator([sessions](const HttpRequest& request) {
    return sessions->Authenticate(request);
  });
  router.Add(
      {.method = "POST",
       .pattern = "/console/api/session",
       .operation = "ConsoleSignIn",
       .auth = Auth::kNone,
       .handler = [sessions](const HttpRequest& r,
                             const TokenInfo*) { return SignIn(*sessions, r); },
       // A cross-site form cannot send JSON without a preflight.
       .admit =
           [](const HttpRequest& r, const TokenInfo*) {
             if (!absl::StartsWith(r.Header("content-type"),
                                   "application/json"))
               return absl::InvalidArgumentError(
                   "Content-Type: send application/json");
             return absl::OkStatus();
           },
       .max_body = 4096});
  router.Add(
      {.method = "GET",
       .pattern = "/console/api/session",
       .operation = "ConsoleSession",
       .handler = [sessions](const HttpRequest& r, const TokenInfo* caller) {
         HttpResponse response;
         response.body = SessionJson(*caller, sessions->CsrfOf(r));
         return NoStore(std::move(response));
       }});
  router.Add({.method = "POST",
              .pattern = "/console/api/session/end",
              .operation = "ConsoleSignOut",
              .handler = [sessions](const HttpRequest& r, const TokenInfo*) {
                sessions->SignOut(r);
                HttpResponse response;
                response.body = "{\"signedOut\":true}\n";
                response.headers.push_back(
                    {"Set-Cookie", SessionStore::ClearCookie()});
                return NoStore(std::move(response));
              }});
  router.Add({.method = "GET",
              .pattern = "/console(/.*)?",
              .operation = "Console",
              .auth = Auth::kNone,
              .handler = [](const HttpRequest& r, const TokenInfo*) {
                return ServePage(r);
              }});
  AddConsoleApiRoutes(router, service);
}

}  // namespace ogi
