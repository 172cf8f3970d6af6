// The web console (docs/CONSOLE.md) on the HTTP face of `ogi serve`: the
// embedded single-page app under /console/ (every deep link answered with
// the app, which holds no data until signed in), its sign-in and sign-out
// (serve/session.h), and the read endpoints it needs beside the intake's,
// which scripts may use as well (docs/SERVE.md): the due list, a report
// cell's cases, the log's digest and its verification.
#ifndef OGI_SERVE_CONSOLE_ROUTES_H_
#define OGI_SERVE_CONSOLE_ROUTES_H_

#include "serve/http_router.h"
#include "serve/service.h"
#include "serve/session.h"

namespace ogi {

// The Content-Security-Policy of every console page: no inline script or
// style, nothing from another origin, no framing.
inline constexpr char kConsoleCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Adds the console's routes and makes the router accept the session cookie
// (with its CSRF rule) wherever it accepts a token. `service` must outlive
// the router.
void AddConsoleRoutes(HttpRouter& router, IntakeService& service,
                      SessionOptions options = {});

// The read endpoints under /v1/ (docs/SERVE.md): GET /v1/due, GET
// /v1/reports/{agency}/{year}/cells/{section}/{row}/{column}, GET
// /v1/digest[?check=P:HASH], GET and POST /v1/verify.
void AddConsoleApiRoutes(HttpRouter& router, IntakeService& service);

}  // namespace ogi

#endif  // OGI_SERVE_CONSOLE_ROUTES_H_
