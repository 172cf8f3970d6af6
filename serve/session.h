// The web console's sessions (docs/CONSOLE.md, Security): a person signs in
// with an intake token once, and the browser then holds only a random session
// id in an HttpOnly, SameSite=Strict cookie, which script cannot read. The
// token stays in this process's memory (never written anywhere) and is
// authenticated again on every request, so a revocation (`ogi token revoke`)
// ends its sessions at their next request, and a session sees exactly what
// the token may: every route's scope and agency checks apply unchanged.
//
// A request carrying the cookie must, unless it is a GET or HEAD, carry the
// session's CSRF token in X-CSRF-Token, and an Origin header, if sent, must
// be the request's own Host.
//
// Thread-safe.
#ifndef OGI_SERVE_SESSION_H_
#define OGI_SERVE_SESSION_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "engine/clock.h"
#include "serve/http_router.h"
#include "serve/service.h"

namespace ogi {

struct SessionOptions {
  // A session unused for this long ends; none lasts longer than max_age.
  absl::Duration idle_timeout = absl::Hours(2);
  absl::Duration max_age = absl::Hours(12);
  // Sessions held at once; beyond, the least recently used one ends.
  size_t max_sessions = 10000;
  Clock* clock = nullptr;  // nullptr: SystemClock()
};

inline constexpr char kSessionCookie[] = "ogi_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

class SessionStore {
 public:
  // `service` authenticates the tokens; it must outlive the store.
  SessionStore(IntakeService& service, SessionOptions options);
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  struct Started {
    std::string id;    // the cookie's value
    std::string csrf;  // for X-CSRF-Token
    TokenInfo caller;
  };
  // Authenticates `token` (the service's kUnauthenticated, one message for
  // every failure) and opens a session for it.
  absl::StatusOr<Started> SignIn(const std::string& token);

  // The session named by the request's cookie, checked as the file comment
  // says: nullopt when the request has no session cookie.
  std::optional<absl::StatusOr<TokenInfo>> Authenticate(
      const HttpRequest& request);

  // The CSRF token of the request's session in force, or "".
  std::string CsrfOf(const HttpRequest& request);

  // Ends the request's session (if any).
  void SignOut(const HttpRequest& request);

  // The Set-Cookie values that set and clear the cookie.
  static std::string SetCookie(const std::string& id);
  static std::string ClearCookie();

 private:
  struct Session {
    std::string bearer;  // "Bearer TOKEN"
    std::string csrf;
    absl::Time created, used;
  };
  // The session id in the request's Cookie header, or "".
  static std::string CookieOf(const HttpRequest& request);

  IntakeService& service_;
  const SessionOptions options_;
  Clock& clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ogi

#endif  // OGI_SERVE_SESSION_H_
