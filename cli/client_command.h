// `ogi client`: a gRPC client of `ogi serve` for shells and scripts, on the
// interchange JSON (what `ogi append`, `import`, `export`, `report` and
// `deadline` do on a local store, done through the service).
#ifndef OGI_CLI_CLIENT_COMMAND_H_
#define OGI_CLI_CLIENT_COMMAND_H_

#include <cstdint>
#include <iosfwd>
#include <string>

#include "absl/status/status.h"

namespace ogi {

struct ClientOptions {
  std::string address = "127.0.0.1:7700";
  std::string token;    // sent as "authorization: Bearer TOKEN"
  std::string ca_cert;  // PEM file: use TLS, trusting it
};

enum class ClientCall {
  kAppend,
  kImport,
  kCase,
  kSubscribe,
  kReport,
  kDeadline,
  kHealth
};

struct ClientRequest {
  ClientCall call = ClientCall::kHealth;
  std::string input;    // append: JSON or JSON Lines (empty: stdin); import: a
                        // file, or "-" for stdin
  std::string case_id;  // case, deadline
  uint64_t from = 1;    // subscribe
  bool follow = false;  // subscribe: stay live
  std::string agency_id;  // report
  int year = 0;
  bool rollup = false;
  std::string format;  // report
  std::string on;      // deadline
};

// Makes the call and writes the answer to `out`: append → one line per event
// "position P version V[ duplicate]"; import → a summary; case and subscribe →
// JSON Lines; report → the rendered report; deadline → its JSON; health → a
// line. A refusal is returned with its gRPC code mapped to the same absl code.
absl::Status ClientCommand(const ClientOptions& options,
                           const ClientRequest& request, std::ostream& out);

}  // namespace ogi

#endif  // OGI_CLI_CLIENT_COMMAND_H_
