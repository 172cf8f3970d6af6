// The `ogi serve` and `ogi token` sub-commands (main.cc parses their flags).
#ifndef OGI_CLI_SERVE_COMMAND_H_
#define OGI_CLI_SERVE_COMMAND_H_

#include <iosfwd>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "engine/calendar.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "serve/server.h"
#include "serve/service.h"
#include "serve/tokens.h"

namespace ogi {

// The token file of the store in `db`.
std::string TokenFilePath(const std::string& db);

// The file `ogi serve` writes while it runs: its pid and addresses, so other
// commands can say where the store is served.
std::string ServeInfoPath(const std::string& db);

// The service's options as `ogi serve` sets them: reports and deadlines from a
// Reader (read/reader.h) on the process's calendar and clock and the report
// index at `index_path` ("" to replay), the same the commands print from.
// Everything passed must outlive the service.
ServiceOptions CommandServiceOptions(EventStore& store, TokenFile& tokens,
                                     const Calendar& calendar,
                                     const std::string& index_path,
                                     Clock& clock);

struct ServeOptions {
  std::string db;
  ServerOptions server;
  // The process's calendar (Calendar::ForStore) and clock, chosen once by
  // main(); must outlive the call.
  const Calendar* calendar = nullptr;
  Clock* clock = nullptr;
};

// Opens the store, starts the listeners, writes "serving DIR: gRPC on ADDR,
// HTTP on ADDR (pid N)" (Msg::kServeServing, in the process's language) to
// `out` and the addresses as JSON to ServeInfoPath, and serves until SIGTERM
// or SIGINT; then drains the appends in flight, stops, and removes the file.
// Blocks SIGTERM and SIGINT in the calling thread first (call it before
// starting other threads).
absl::Status ServeCommand(const ServeOptions& options, std::ostream& out);

// The error to print when opening the store in `db` failed with
// `open_error`: if the store is locked because `ogi serve` runs on it, says
// so and where it listens; else `open_error` itself.
absl::Status ExplainServedStore(const std::string& db,
                                const absl::Status& open_error);

// Creates a token; writes what it grants and, on the last line alone, the
// token (shown this once).
absl::Status TokenCreateCommand(const std::string& db, const std::string& name,
                                const std::string& agency_id, TokenReach reach,
                                const std::string& scopes, absl::Time now,
                                std::ostream& out);

// Lists the tokens (never the tokens themselves): id, name, agency, scope,
// created, revoked.
absl::Status TokenListCommand(const std::string& db, std::ostream& out);

// Revokes the token in force with this name or id.
absl::Status TokenRevokeCommand(const std::string& db,
                                const std::string& name_or_id, absl::Time now,
                                std::ostream& out);

}  // namespace ogi

#endif  // OGI_CLI_SERVE_COMMAND_H_
