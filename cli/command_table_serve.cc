// The rows of `ogi serve`, `ogi token` and `ogi client`; see
// command_table.h.
#include <cstdlib>
#include <filesystem>

#include "cli/command_table.h"

namespace ogi {
namespace {

void ServeFlags(CLI::App& app, Flags& f) {
  app.add_option("--grpc", f.serve.server.grpc_address,
                 Text(Msg::kHelpGRPCAddressHOSTPORT))
      ->capture_default_str();
  app.add_option("--http", f.serve.server.http_address,
                 Text(Msg::kHelpHTTPAddressHOSTPORT))
      ->capture_default_str();
  app.add_option("--tls-cert", f.serve.server.tls_cert,
                 Text(Msg::kHelpPEMCertificateChainTLS));
  app.add_option("--tls-key", f.serve.server.tls_key,
                 Text(Msg::kHelpPEMPrivateKeyOf));
  app.add_flag_function(
      "--insecure-plaintext",
      [&f](int64_t) {
        f.serve.server.plaintext = ServerOptions::Plaintext::kAllowed;
      },
      Text(Msg::kHelpAllowANonLoopback));
  app.add_option("--calendar", f.calendar_path,
                 Text(Msg::kHelpMoreCalendarYearsFor));
}

absl::Status RunServe(Flags& f, CommandEnv& env) {
  f.serve.db = env.db;
  f.serve.calendar = env.judge.calendar;
  f.serve.clock = env.clock;
  return ServeCommand(f.serve, *env.out);
}

void TokenCreateFlags(CLI::App& app, Flags& f) {
  app.add_option("--name", f.token_name, Text(Msg::kHelpTheIntakeSystemS))
      ->required();
  app.add_option("--agency", f.token_agency, Text(Msg::kHelpTheAgencyItActs))
      ->required();
  app.add_flag("--rollup", f.token_rollup, Text(Msg::kHelpAndForEveryAgency));
  app.add_option("--scope", f.token_scope,
                 Text(Msg::kHelpOperationsAppendReadReport))
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
  app.add_option("token", f.token_revoke, Text(Msg::kHelpNameOrId))->required();
}

absl::Status RunTokenRevoke(Flags& f, CommandEnv& env) {
  if (absl::Status s = RequireTokens(env.db); !s.ok()) return s;
  return TokenRevokeCommand(env.db, f.token_revoke, env.clock->Now(), *env.out);
}

void ClientFlags(CLI::App& app, Flags& f) {
  if (const char* token = std::getenv("OGI_TOKEN")) f.client.token = token;
  app.add_option("--grpc", f.client.address, Text(Msg::kHelpTheServiceSAddress))
      ->capture_default_str();
  app.add_option("--token", f.client.token, Text(Msg::kHelpTheSystemSToken));
  app.add_option("--ca-cert", f.client.ca_cert, Text(Msg::kHelpPEMFileToTrust));
}

absl::Status Call(Flags& f, CommandEnv& env, ClientCall call) {
  f.client_request.call = call;
  return ClientCommand(f.client, f.client_request, *env.out);
}

void ClientAppendFlags(CLI::App& app, Flags& f) {
  app.add_option("events", f.client_request.input,
                 Text(Msg::kHelpOneJSONEventOr));
}
absl::Status RunClientAppend(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kAppend);
}

void ClientImportFlags(CLI::App& app, Flags& f) {
  app.add_option("file", f.client_request.input,
                 Text(Msg::kHelpJSONLinesFileOr))
      ->required();
}
absl::Status RunClientImport(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kImport);
}

void ClientCaseFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.client_request.case_id, Text(Msg::kHelpCaseId))
      ->required();
}
absl::Status RunClientCase(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kCase);
}

void ClientSubscribeFlags(CLI::App& app, Flags& f) {
  app.add_option("--from", f.client_request.from,
                 Text(Msg::kHelpFirstPositionDefault1));
  app.add_flag("--follow", f.client_request.follow,
               Text(Msg::kHelpStayLiveAfterThe));
}
absl::Status RunClientSubscribe(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kSubscribe);
}

void ClientReportFlags(CLI::App& app, Flags& f) {
  app.add_option("--agency", f.client_request.agency_id,
                 Text(Msg::kHelpAgencyIdInThe))
      ->required();
  app.add_option("--year", f.client_request.year,
                 Text(Msg::kHelpTheReportSYear))
      ->required();
  app.add_flag("--rollup", f.client_request.rollup,
               Text(Msg::kHelpTheAgencyAndEverything2));
  app.add_option("--format", f.client_request.format,
                 Text(Msg::kHelpTextCsvJsonMd2));
}
absl::Status RunClientReport(Flags& f, CommandEnv& env) {
  return Call(f, env, ClientCall::kReport);
}

void ClientDeadlineFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.client_request.case_id, Text(Msg::kHelpCaseId))
      ->required();
  app.add_option("--on", f.client_request.on, Text(Msg::kHelpTheDayToJudge2));
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
      {"serve", Msg::kHelpServeTheStoreTo, std::nullopt, ServeFlags, RunServe},
      {"token", Msg::kHelpTheIntakeSystemsCredentials, std::nullopt, nullptr,
       nullptr},
      {"token create", Msg::kHelpCreateATokenIt, std::nullopt, TokenCreateFlags,
       RunTokenCreate},
      {"token list", Msg::kHelpListTheTokens, std::nullopt, nullptr,
       RunTokenList},
      {"token revoke", Msg::kHelpRevokeATokenBy, std::nullopt, TokenRevokeFlags,
       RunTokenRevoke},
      {"client", Msg::kHelpCallARunningOgi, std::nullopt, ClientFlags, nullptr},
      {"client append", Msg::kHelpAppendEventsAtomically, std::nullopt,
       ClientAppendFlags, RunClientAppend},
      {"client import", Msg::kHelpImportAJSONLines, std::nullopt,
       ClientImportFlags, RunClientImport},
      {"client case", Msg::kHelpACaseSEvents, std::nullopt, ClientCaseFlags,
       RunClientCase},
      {"client subscribe", Msg::kHelpTheLogFromA, std::nullopt,
       ClientSubscribeFlags, RunClientSubscribe},
      {"client report", Msg::kHelpAYearSReport, std::nullopt, ClientReportFlags,
       RunClientReport},
      {"client deadline", Msg::kHelpACaseSDeadline, std::nullopt,
       ClientDeadlineFlags, RunClientDeadline},
      {"client health", Msg::kHelpIsItServing, std::nullopt, nullptr,
       RunClientHealth},
  };
}

}  // namespace ogi
