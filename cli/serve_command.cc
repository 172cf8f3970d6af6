#include "cli/serve_command.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <thread>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "cli/commands.h"

#include "engine/calendar.h"
#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "serve/console_routes.h"
#include "serve/server.h"
#include "serve/service.h"
#include "serve/tokens.h"

namespace ogi {
namespace {

std::string TimeOrDash(absl::Time t) {
  return t == absl::InfiniteFuture()
             ? "-"
             : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Status EnsureDir(const std::string& db) {
  std::error_code error;
  std::filesystem::create_directories(db, error);
  if (error)
    return absl::UnavailableError(
        Text(Msg::kCannotCreate, db, error.message()));
  return absl::OkStatus();
}

std::string Address(const std::string& configured, int port) {
  if (configured.empty()) return "off";
  return absl::StrCat(configured.substr(0, configured.rfind(':')), ":", port);
}

}  // namespace

std::string TokenFilePath(const std::string& db) { return db + "/ogi-tokens"; }

ServiceOptions CommandServiceOptions(EventStore& store, TokenFile& tokens,
                                     const Calendar& calendar,
                                     const std::string& index_path,
                                     Clock& clock) {
  ServiceOptions options;
  options.store = &store;
  options.tokens = &tokens;
  options.clock = &clock;
  ReaderOptions reader;
  reader.store = &store;
  reader.calendar = &calendar;
  reader.clock = &clock;
  reader.index_path = index_path;  // the service keeps the index file current
  options.reader = std::make_shared<Reader>(std::move(reader));
  return options;
}
std::string ServeInfoPath(const std::string& db) {
  return db + "/ogi-serve.json";
}

absl::Status ServeCommand(const ServeOptions& options, std::ostream& out) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Every thread started from here on inherits the mask, so the signals wait
  // for sigwait below instead of killing the process mid-append.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (options.calendar == nullptr || options.clock == nullptr)
    return absl::InternalError("serve needs the process's calendar and clock");
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = options.db});
  if (!store.ok()) return store.status();
  EventStore& s = **store;
  TokenFile tokens(TokenFilePath(options.db));
  ServiceOptions service_options =
      CommandServiceOptions(s, tokens, *options.calendar,
                            ReportIndexPath(options.db), *options.clock);
  // One line per request on standard error (docs/SERVE.md, Security).
  service_options.access_log = [](absl::string_view line) {
    std::cerr << "ogi serve: " << line << '\n';
  };
  IntakeService service(std::move(service_options));
  ServerOptions server_options = options.server;
  // The web console (docs/CONSOLE.md) beside the intake routes.
  server_options.http_routes = [&service](HttpRouter& router) {
    AddConsoleRoutes(router, service);
  };
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
                       Server::Start(service, server_options));
  const std::string grpc =
      Address(options.server.grpc_address, server->grpc_port());
  const std::string http =
      Address(options.server.http_address, server->http_port());
  {
    // Written whole or not at all; a SIGKILL leaves it behind, which is
    // harmless: it is only read when the store is locked.
    const std::string info_path = ServeInfoPath(options.db);
    std::ofstream info(info_path + ".tmp", std::ios::trunc);
    info << "{\"pid\":" << getpid() << ",\"grpc\":\"" << grpc
         << "\",\"http\":\"" << http << "\"}\n";
    info.close();
    std::error_code error;
    std::filesystem::rename(info_path + ".tmp", info_path, error);
  }
  auto shown = [](const std::string& address) {
    return address == "off" ? Text(Msg::kServeListenerOff) : address;
  };
  out << Text(Msg::kServeServing, options.db, shown(grpc), shown(http),
              getpid())
      << std::endl;
  if (options.server.plaintext == ServerOptions::Plaintext::kAllowed &&
      options.server.tls_cert.empty() &&
      (!IsLoopbackAddress(grpc == "off" ? "127.0.0.1:0" : grpc) ||
       !IsLoopbackAddress(http == "off" ? "127.0.0.1:0" : http)))
    out << Text(Msg::kServePlaintextWarning) << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  out << Text(Msg::kServeDraining, signal == SIGTERM ? "SIGTERM" : "SIGINT")
      << std::endl;
  // Appends first, however long they take: they are what must not be cut.
  service.Drain();
  // Then the listeners, for at most kStopGrace: the HTTP listener closes
  // connections still sending their request at once and gives answers being
  // written a short grace (docs/SERVE.md); this bound is a last resort, e.g.
  // for a report still rendering. Past the grace the process exits without
  // closing the store, which is safe: every append was answered only once its
  // WAL was synced, and nothing is being written (docs/SERVE.md, Security).
  constexpr absl::Duration kStopGrace = absl::Seconds(7);
  absl::Notification stopped;
  std::thread stopper([&server, &stopped] {
    server->Shutdown();
    stopped.Notify();
  });
  if (!stopped.WaitForNotificationWithTimeout(kStopGrace)) {
    std::filesystem::remove(ServeInfoPath(options.db));
    out << Text(Msg::kServeStopGraceExceeded, absl::FormatDuration(kStopGrace),
                s.HeadPosition())
        << std::endl;
    std::_Exit(0);
  }
  stopper.join();
  server.reset();
  std::filesystem::remove(ServeInfoPath(options.db));
  out << Text(Msg::kServeStopped, (*store)->HeadPosition()) << std::endl;
  return absl::OkStatus();
}

absl::Status ExplainServedStore(const std::string& db,
                                const absl::Status& open_error) {
  std::ifstream served(ServeInfoPath(db));
  std::string info;
  if (!absl::IsUnavailable(open_error) || !std::getline(served, info))
    return open_error;
  return absl::UnavailableError(
      Text(Msg::kServedByService, open_error.message(), info));
}

absl::Status TokenCreateCommand(const std::string& db, const std::string& name,
                                const std::string& agency_id, TokenReach reach,
                                const std::string& scopes, absl::Time now,
                                std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(uint32_t scope_bits, ParseScopes(scopes));
  OGI_RETURN_IF_ERROR(EnsureDir(db));
  TokenFile tokens(TokenFilePath(db));
  OGI_ASSIGN_OR_RETURN(std::string token,
                       tokens.Create(name, agency_id, reach, scope_bits, now));
  out << Text(Msg::kTokenCreated, name, ScopesToString(scope_bits), agency_id,
              reach == TokenReach::kSubtree ? Text(Msg::kTokenCreatedSubtree)
                                            : std::string())
      << "\n"
      << token << "\n";
  return absl::OkStatus();
}

absl::Status TokenListCommand(const std::string& db, std::ostream& out) {
  TokenFile tokens(TokenFilePath(db));
  OGI_ASSIGN_OR_RETURN(std::vector<TokenInfo> list, tokens.List());
  out << Text(Msg::kTokenListHeader) << "\n";
  for (const TokenInfo& t : list) {
    out << t.id << "\t" << t.name << "\t" << t.agency_id
        << (t.reach == TokenReach::kSubtree ? Text(Msg::kTokenListSubtree)
                                            : std::string())
        << "\t" << ScopesToString(t.scopes) << "\t" << TimeOrDash(t.created)
        << "\t" << TimeOrDash(t.revoked) << "\n";
  }
  return absl::OkStatus();
}

absl::Status TokenRevokeCommand(const std::string& db,
                                const std::string& name_or_id, absl::Time now,
                                std::ostream& out) {
  TokenFile tokens(TokenFilePath(db));
  OGI_RETURN_IF_ERROR(tokens.Revoke(name_or_id, now));
  out << Text(Msg::kTokenRevoked, name_or_id) << "\n";
  return absl::OkStatus();
}

}  // namespace ogi
