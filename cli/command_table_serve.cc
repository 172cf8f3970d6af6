// The rows of `ogi serve`, `ogi token` and `ogi client`; see
// command_table.h.
#include <cstdlib>
#include <filesystem>

#include "cli/command_table.h"

namespace ogi {
namespace {

void ServeFlags(CLI::App& app, Flags& f) {
  app.add_option("--grpc", f.serve.server.grpc_address,
                 "gRPC address HOST:PORT (port 0: any free; \"\": off)")
      ->capture_default_str();
  app.add_option("--http", f.serve.server.http_address,
                 "HTTP address HOST:PORT (port 0: any free; \"\": off)")
      ->capture_default_str();
  app.add_option("--tls-cert", f.serve.server.tls_cert,
                 "PEM certificate chain: TLS on both protocols");
  app.add_option("--tls-key", f.serve.server.tls_key,
                 "PEM private key of --tls-cert");
  app.add_flag_function(
      "--insecure-plaintext",
      [&f](int64_t) {
        f.serve.server.plaintext = ServerOptions::Plaintext::kAllowed;
      },
      "allow a non-loopback address without TLS (behind a TLS proxy)");
  app.add_option("--calendar", f.calendar_path,
                 "more calendar years for deadlines (default: <db>/calendar)");
}

absl::Status RunServe(Flags& f, CommandEnv& env) {
  f.serve.db = env.db;
  f.serve.calendar = env.judge.calendar;
  f.serve.clock = env.clock;
  return ServeCommand(f.serve, *env.out);
}

void TokenCreateFlags(CLI::App& app, Flags& f) {
  app.add_option("--name", f.token_name, "the intake system's name")
      ->required();
  app.add_option("--agency", f.token_agency, "the agency it acts for")
      ->required();
  app.add_flag("--rollup", f.token_rollup, "and for every agency under it");
  app.add_option("--scope", f.token_scope,
                 "operations: append, read, report, personal, erase")
      ->capture_default_str();
}

absl::Status RunTokenCreate(Flags& f, CommandEnv& env) {
  return TokenCreateCommand(
      env.db, f.token_name, f.token_agency,
      f.token_rollup ? TokenReach::kSubtree : TokenReach::kAgency,
      f.token_scope, env.clock->Now(), *env.out);
}

// token list and revoke need a store or a token file in --db.
absl::Status RequireTokens(const std::string& db) {
  if (!EventStore::Exists(db) && !std::filesystem::exists(TokenFilePath(db))) {
    return NoStoreError(db);
  }
  return absl::OkStatus();
}

absl::Status RunTokenList(Flags&, CommandEnv& env) {
  if (absl::Status s = RequireTokens(env.db); !s.ok()) return s;
  return TokenListCommand(env.db, *env.out);
}

void TokenRevokeFlags(CLI::App& app, Flags& f) {
  app.add_option("token", f.token_revoke, "name or id")->required();
}

absl::Status RunTokenRevoke(Flags& f, CommandEnv& env) {
  if (absl::Status s = RequireTokens(env.db); !s.ok()) return s;
  return TokenRevokeCommand(env.db, f.token_revoke, env.clock->Now(), *env.out);
}

void ClientFlags(CLI::App& app, Flags& f) {
  if (const char* token = std::getenv("OGI_TOKEN")) f.client.token = token;
  app.add_option("--grpc", f.client.address, "the service's address")
      ->capture_default_str();
  app.add_option("--token", f.client.token,
                 "the system's token (default: $OGI_TOKEN)");
  app.add_option("--ca-cert", f.client.ca_cert,
                 "PEM file to trust: connect with TLS");
}

absl::Status Call(Flags& f, CommandEnv& env, ClientCall call) {
  f.client_request.call = call;
  return ClientCommand(f.client, f.client_request, *env.out);
}

void ClientAppendFlags(CLI::App& app, Flags& f) {
  app.add_option("events", f.client_request.input,
                 "one JSON event or JSON Lines (default: stdin)");
}
absl::Status RunClientAppend(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kAppend);
}

void ClientImportFlags(CLI::App& app, Flags& f) {
  app.add_option("file", f.client_request.input,
                 "JSON Lines file, or - for standard input")
      ->required();
}
absl::Status RunClientImport(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kImport);
}

void ClientCaseFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.client_request.case_id, "case id")->required();
}
absl::Status RunClientCase(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kCase);
}

void ClientSubscribeFlags(CLI::App& app, Flags& f) {
  app.add_option("--from", f.client_request.from, "first position (default 1)");
  app.add_flag("--follow", f.client_request.follow,
               "stay live after the catch-up");
}
absl::Status RunClientSubscribe(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kSubscribe);
}

void ClientReportFlags(CLI::App& app, Flags& f) {
  app.add_option("--agency", f.client_request.agency_id,
                 "agency id (in the token's reach)")
      ->required();
  app.add_option("--year", f.client_request.year, "the report's year")
      ->required();
  app.add_flag("--rollup", f.client_request.rollup,
               "the agency and everything below it (a token with --rollup)");
  app.add_option("--format", f.client_request.format,
                 "text, csv, json, md or html (default: text)");
}
absl::Status RunClientReport(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kReport);
}

void ClientDeadlineFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.client_request.case_id, "case id")->required();
  app.add_option("--on", f.client_request.on,
                 "the day to judge from, YYYY-MM-DD (default: the service's "
                 "today in China time)");
}
absl::Status RunClientDeadline(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kDeadline);
}

absl::Status RunClientHealth(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kHealth);
}

}  // namespace

std::vector<SubCommand> ServiceCommands() {
  return {
      {"serve",
       "serve the store to intake systems over gRPC and HTTP/JSON until "
       "SIGTERM (docs/SERVE.md)",
       std::nullopt, ServeFlags, RunServe},
      {"token", "the intake systems' credentials for ogi serve", std::nullopt,
       nullptr, nullptr},
      {"token create", "create a token; it is printed once, on the last line",
       std::nullopt, TokenCreateFlags, RunTokenCreate},
      {"token list", "list the tokens", std::nullopt, nullptr, RunTokenList},
      {"token revoke", "revoke a token, by name or id", std::nullopt,
       TokenRevokeFlags, RunTokenRevoke},
      {"client", "call a running ogi serve over gRPC (docs/SERVE.md)",
       std::nullopt, ClientFlags, nullptr},
      {"client append", "append events atomically", std::nullopt,
       ClientAppendFlags, RunClientAppend},
      {"client import", "import a JSON Lines file, all or nothing",
       std::nullopt, ClientImportFlags, RunClientImport},
      {"client case", "a case's events as JSON Lines", std::nullopt,
       ClientCaseFlags, RunClientCase},
      {"client subscribe", "the log from a position as JSON Lines",
       std::nullopt, ClientSubscribeFlags, RunClientSubscribe},
      {"client report", "a year's report", std::nullopt, ClientReportFlags,
       RunClientReport},
      {"client deadline", "a case's deadline as JSON", std::nullopt,
       ClientDeadlineFlags, RunClientDeadline},
      {"client health", "is it serving", std::nullopt, nullptr,
       RunClientHealth},
  };
}

}  // namespace ogi
