// The console's sessions; see session.h.
#include "serve/session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ogi {
namespace {

absl::StatusOr<std::string> RandomId() {
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                 static_cast<int>(bytes.size())) != 1)
    return absl::UnavailableError("no randomness to make a session from");
  std::string id;
  absl::WebSafeBase64Escape(bytes, &id);
  return id;
}

bool SafeMethod(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

// "https://host:port" -> "host:port".
absl::string_view HostOfOrigin(absl::string_view origin) {
  const size_t scheme = origin.find("://");
  return scheme == absl::string_view::npos ? origin : origin.substr(scheme + 3);
}

bool SameBytes(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SessionStore::SessionStore(IntakeService& service, SessionOptions options)
    : service_(service),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()) {}

std::string SessionStore::CookieOf(const HttpRequest& request) {
  auto [begin, end] = request.headers.equal_range("cookie");
  for (auto it = begin; it != end; ++it) {
    for (absl::string_view part : absl::StrSplit(it->second, ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (absl::ConsumePrefix(&part, kSessionCookie) &&
          absl::ConsumePrefix(&part, "="))
        return std::string(part);
    }
  }
  return "";
}

absl::StatusOr<SessionStore::Started> SessionStore::SignIn(
    const std::string& token) {
  const std::string bearer = absl::StrCat("Bearer ", token);
  absl::StatusOr<TokenInfo> caller = service_.Authenticate(bearer);
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> id = RandomId();
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> csrf = RandomId();
  if (!csrf.ok()) return csrf.status();
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  // Ended sessions go first, then, at the cap, the least recently used.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Session& s = it->second;
    if (now - s.used > options_.idle_timeout ||
        now - s.created > options_.max_age)
      sessions_.erase(it++);
    else
      ++it;
  }
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.used < oldest->second.used) oldest = it;
    sessions_.erase(oldest);
  }
  sessions_[*id] = Session{bearer, *csrf, now, now};
  return Started{*id, *csrf, *std::move(caller)};
}

std::optional<absl::StatusOr<TokenInfo>> SessionStore::Authenticate(
    const HttpRequest& request) {
  const std::string id = CookieOf(request);
  if (id.empty()) return std::nullopt;
  const absl::Status signed_out = absl::UnauthenticatedError(
      "the console session has ended (signed out, expired or revoked): sign "
      "in again");
  std::string bearer;
  {
    const absl::Time now = clock_.Now();
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return signed_out;
    Session& s = it->second;
    if (now - s.used > options_.idle_timeout ||
        now - s.created > options_.max_age) {
      sessions_.erase(it);
      return signed_out;
    }
    if (!SafeMethod(request.method)) {
      if (!SameBytes(request.Header(kCsrfHeader), s.csrf))
        return absl::PermissionDeniedError(
            "a console request that writes needs the session's X-CSRF-Token "
            "header");
      const std::string origin = request.Header("origin");
      if (!origin.empty() && HostOfOrigin(origin) != request.Header("host"))
        return absl::PermissionDeniedError(
            "a console request from another origin is refused");
    }
    s.used = now;
    bearer = s.bearer;
  }
  absl::StatusOr<TokenInfo> caller = service_.Authenticate(bearer);
  if (!caller.ok()) {
    absl::MutexLock lock(&mu_);
    sessions_.erase(id);
    return signed_out;
  }
  return caller;
}

std::string SessionStore::CsrfOf(const HttpRequest& request) {
  const std::string id = CookieOf(request);
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? std::string() : it->second.csrf;
}

void SessionStore::SignOut(const HttpRequest& request) {
  const std::string id = CookieOf(request);
  absl::MutexLock lock(&mu_);
  sessions_.erase(id);
}

std::string SessionStore::SetCookie(const std::string& id) {
  return absl::StrCat(kSessionCookie, "=", id,
                      "; Path=/; HttpOnly; SameSite=Strict");
}

std::string SessionStore::ClearCookie() {
  return absl::StrCat(kSessionCookie,
                      "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

}  // namespace ogi
