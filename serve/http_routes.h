// The intake service's HTTP/JSON routes (docs/SERVE.md lists them): the
// operations of proto/service.proto with the interchange JSON of
// docs/EVENTS.md as bodies, added to an HttpRouter.
#ifndef OGI_SERVE_HTTP_ROUTES_H_
#define OGI_SERVE_HTTP_ROUTES_H_

#include <functional>
#include <string>

#include "serve/http_router.h"
#include "serve/service.h"

namespace ogi {

struct IntakeRoutesOptions {
  // Live subscriptions over HTTP at once (each holds a handler thread).
  int max_live = 32;
  // Extra members for GET /v1/health's object, e.g. the listener's
  // connection counters: "\"connections\":{...}"; empty: none.
  std::function<std::string()> health_extra;
};

// The routes under /v1/. `service` must outlive the router.
void AddIntakeRoutes(HttpRouter& router, IntakeService& service,
                     IntakeRoutesOptions options);

// A router whose token routes authenticate with `service`.
HttpRouter MakeIntakeRouter(IntakeService& service);

// The most bytes a POST /v1/import or POST /v1/events body may have.
inline constexpr uint64_t kMaxImportBody = 512u << 20;
inline constexpr uint64_t kMaxAppendBody = 16u << 20;

}  // namespace ogi

#endif  // OGI_SERVE_HTTP_ROUTES_H_
