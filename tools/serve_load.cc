// serve_load: N concurrent intake clients × M appends against a real
// `ogi serve` over loopback, then proof that no event was lost or
// duplicated.
//
//   serve_load --ogi build/cli/ogi [--clients 32] [--appends 500]
//              [--seconds 60] [--protocol grpc|http] [--kill-after-acks N]
//              [--shared-connection] [--dir /tmp/ogi-load]
//
// Each client appends `received` events of new cases, one per call, each with
// an eventId, and times every call. The run stops at clients × appends calls
// or after --seconds. Then the service is stopped with SIGTERM (it drains),
// and the tool runs `ogi verify` and `ogi export` on the store: every
// acknowledged eventId must be there exactly once, and nothing else but the
// agency's registration and the calls whose answer never came.
//
// --kill-after-acks N: SIGKILLs the service once N appends were acknowledged
// instead, restarts it on the same store, retries every call that got no
// answer (same eventId: a retry of a stored event is a duplicate, not a second
// event), and checks the same. The run fails if the kill did not land mid-load
// (no call went unanswered).
//
// Prints a Markdown table; docs/PERFORMANCE.md records it.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

#include "engine/json_codec.h"
#include "engine/messages.h"
#include "proto/service.grpc.pb.h"
#include "tools/crash_process.h"

namespace {

struct Options {
  std::string ogi;
  std::string dir = "/tmp/ogi-load";
  int clients = 32;
  int appends = 500;
  double seconds = 60;
  std::string protocol = "grpc";
  int kill_after_acks = 0;
  bool shared_connection = false;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "serve_load: %s\n", message.c_str());
  std::exit(1);
}

// Runs a command, returns its standard output; dies if it fails.
std::string Run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) Die("cannot run " + command);
  std::string out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  int status = pclose(pipe);
  if (status != 0) Die(absl::StrCat(command, " failed (", status, "):\n", out));
  return out;
}

struct Service {
  pid_t pid = 0;
  int grpc_port = 0;
  int http_port = 0;
};

Service StartService(const Options& o, const std::string& db, int attempt) {
  const std::string log = absl::StrCat(o.dir, "/serve-", attempt, ".log");
  absl::StatusOr<pid_t> pid =
      ogi::crash::Spawn({o.ogi, "serve", "--db", db, "--grpc", "127.0.0.1:0",
                         "--http", "127.0.0.1:0"},
                        log, -1);
  if (!pid.ok()) Die(std::string(pid.status().message()));
  Service s{*pid};
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::ifstream in(log);
    std::string line;
    if (std::getline(in, line) && absl::StartsWith(line, "serving ")) {
      // "serving DIR: gRPC on 127.0.0.1:P, HTTP on 127.0.0.1:Q (pid N)"
      for (auto [key, port] : {std::pair{"gRPC on 127.0.0.1:", &s.grpc_port},
                               std::pair{"HTTP on 127.0.0.1:", &s.http_port}}) {
        size_t at = line.find(key);
        if (at == std::string::npos) Die("unexpected: " + line);
        absl::string_view rest =
            absl::string_view(line).substr(at + strlen(key));
        rest = rest.substr(0, rest.find_first_not_of("0123456789"));
        if (!absl::SimpleAtoi(rest, port)) Die("unexpected: " + line);
      }
      return s;
    }
    int status;
    if (waitpid(s.pid, &status, WNOHANG) == s.pid)
      Die("ogi serve ended: " + ogi::crash::Tail(log, 2000));
    absl::SleepFor(absl::Milliseconds(20));
  }
  Die("ogi serve did not start: " + ogi::crash::Tail(log, 2000));
}

void StopService(const Service& s, int signal) {
  kill(s.pid, signal);
  int status = 0;
  waitpid(s.pid, &status, 0);
  if (signal == SIGTERM && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    Die(absl::StrCat("ogi serve did not stop cleanly on SIGTERM: ", status));
}

std::string EventJson(const std::string& id) {
  return absl::StrCat(
      R"({"eventId":")", id, R"(","caseId":")", id,
      R"(","agencyId":"load","occurredOn":"2024-05-06",)",
      R"("received":{"applicant":{"category":"NATURAL_PERSON"},)",
      R"("channel":"ONLINE"}})");
}

// One client's connection and one append.
class Client {
 public:
  Client(const Options& o, const Service& s, const std::string& token)
      : token_(token),
        grpc_(o.protocol == "grpc"),
        template_(
            *ogi::ParseEventJson(EventJson("x"), ogi::EngineFields::kRefuse)) {
    if (grpc_) {
      grpc::ChannelArguments args;
      // A connection of its own, as a separate intake system would have
      // (unless --shared-connection: one HTTP/2 connection for all).
      if (!o.shared_connection)
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      stub_ = ogi::v1::Intake::NewStub(
          grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", s.grpc_port),
                                    grpc::InsecureChannelCredentials(), args));
    } else {
      http_ = std::make_unique<httplib::Client>("127.0.0.1", s.http_port);
      http_->set_keep_alive(true);
      http_->set_tcp_nodelay(true);
    }
  }

  // true: acknowledged (appended or a duplicate: then *duplicate is set);
  // false: no answer or an error.
  bool Append(const std::string& id, bool* duplicate = nullptr) {
    if (grpc_) {
      // The same event as the HTTP body, built once and given this id.
      ogi::v1::AppendRequest request;
      ogi::v1::Event* event = request.add_events();
      *event = template_;
      event->set_event_id(id);
      event->set_case_id(id);
      ogi::v1::AppendResponse response;
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + token_);
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
      grpc::Status status = stub_->Append(&context, request, &response);
      if (!status.ok()) last_error_ = status.error_message();
      if (status.ok() && duplicate != nullptr)
        *duplicate = response.results(0).duplicate();
      return status.ok();
    }
    httplib::Result r =
        http_->Post("/v1/events", {{"Authorization", "Bearer " + token_}},
                    EventJson(id), "application/json");
    if (r && r->status == 200) {
      if (duplicate != nullptr)
        *duplicate = absl::StrContains(r->body, "\"duplicate\":true");
      return true;
    }
    if (!r) {
      last_error_ = httplib::to_string(r.error());
    } else {
      last_error_ = absl::StrCat(r->status, " ", r->body);
    }
    return false;
  }

 private:
  std::string token_;
  bool grpc_;
  ogi::v1::Event template_;
  std::unique_ptr<ogi::v1::Intake::Stub> stub_;
  std::unique_ptr<httplib::Client> http_;

 public:
  std::string last_error_;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  // This tool speaks English and reads what the ogi processes it starts say:
  // they inherit OGI_LANG, and the engine's messages in this process follow
  // it (docs/MESSAGES.md).
  setenv("OGI_LANG", "en", 1);
  ogi::SetProcessLanguage(ogi::Language::kEnglish);
  Options o;
  CLI::App app{"serve_load: concurrent appends through ogi serve"};
  app.add_option("--ogi", o.ogi, "the ogi binary")->required();
  app.add_option("--dir", o.dir, "work directory (emptied first)");
  app.add_option("--clients", o.clients)->check(CLI::Range(1, 1024));
  app.add_option("--appends", o.appends, "per client")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--seconds", o.seconds, "time limit of the load");
  app.add_option("--protocol", o.protocol)
      ->check(CLI::IsMember({"grpc", "http"}));
  app.add_option("--kill-after-acks", o.kill_after_acks,
                 "SIGKILL the service once this many appends were "
                 "acknowledged, restart it, retry the unanswered calls");
  app.add_flag("--shared-connection", o.shared_connection,
               "gRPC: all clients on one connection");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  // The clients share this machine's cores with the service: keep their own
  // cost down (Debian's Abseil checks lock order on every Mutex otherwise).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  const std::string db = o.dir + "/db";
  Run(absl::StrCat(
      o.ogi, " --db ", db,
      R"( append '{"eventId":"reg-load","agencyId":"load",)",
      R"("occurredOn":"2019-01-01","agencyRegistered":{"name":"负载测试局"}}' >/dev/null)"));
  std::string created = Run(absl::StrCat(o.ogi, " --db ", db,
                                         " token create --name load-client "
                                         "--agency load --scope append,read"));
  std::vector<std::string> lines =
      absl::StrSplit(created, '\n', absl::SkipEmpty());
  const std::string token = lines.back();

  Service service = StartService(o, db, 1);
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::vector<std::string> acknowledged, unanswered;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> acks{0};
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + absl::Seconds(o.seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Client client(o, service, token);
      std::vector<double> mine;
      std::vector<std::string> acked, lost;
      for (int i = 0; i < o.appends && !stop; ++i) {
        if ((i & 15) == 0 && absl::Now() > deadline) break;
        const std::string id = absl::StrCat("L-", c, "-", i);
        const absl::Time t0 = absl::Now();
        if (client.Append(id)) {
          mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
          acked.push_back(id);
          ++acks;
        } else {
          lost.push_back(id);
          ++failures;
          if (o.kill_after_acks == 0) {  // no failure is expected
            std::fprintf(stderr, "serve_load: %s: %s\n", id.c_str(),
                         client.last_error_.c_str());
            break;
          }
          if (lost.size() > 3) break;  // the service is gone; stop this client
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      acknowledged.insert(acknowledged.end(), acked.begin(), acked.end());
      unanswered.insert(unanswered.end(), lost.begin(), lost.end());
    });
  }
  if (o.kill_after_acks > 0) {
    while (acks < o.kill_after_acks && absl::Now() < deadline)
      absl::SleepFor(absl::Microseconds(200));
    StopService(service, SIGKILL);
  }
  for (auto& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  size_t retried_acks = 0, retried_duplicates = 0;
  if (o.kill_after_acks > 0 && unanswered.empty())
    Die("the kill landed after the load ended; raise --appends");
  if (o.kill_after_acks > 0) {
    service = StartService(o, db, 2);
    Client client(o, service, token);
    for (const std::string& id : unanswered) {
      bool duplicate = false;
      if (!client.Append(id, &duplicate))
        Die("retry after restart failed for " + id);
      ++retried_acks;
      retried_duplicates += duplicate;
    }
  } else if (failures > 0) {
    Die(absl::StrCat(failures.load(), " appends failed without a kill"));
  }
  StopService(service, SIGTERM);

  // The proof: the store verifies; every acknowledged event is there once.
  Run(absl::StrCat(o.ogi, " --db ", db, " verify >/dev/null"));
  const std::string exported =
      Run(absl::StrCat(o.ogi, " --db ", db, " export"));
  absl::flat_hash_map<std::string, int> seen;
  size_t events = 0;
  for (absl::string_view line :
       absl::StrSplit(exported, '\n', absl::SkipEmpty())) {
    ++events;
    absl::StatusOr<ogi::v1::Event> e =
        ogi::ParseEventJson(line, ogi::EngineFields::kIgnore);
    if (!e.ok()) Die("export line does not parse");
    ++seen[e->event_id()];
  }
  size_t missing = 0, duplicated = 0;
  for (const auto& [id, n] : seen)
    if (n > 1) ++duplicated;
  for (const std::string& id : acknowledged)
    if (!seen.contains(id)) ++missing;
  for (const std::string& id : unanswered)
    if (!seen.contains(id)) ++missing;  // retried after the restart
  const size_t expected =
      1 + acknowledged.size() + (o.kill_after_acks > 0 ? unanswered.size() : 0);

  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf(
      "| protocol | clients | acknowledged appends | seconds | appends/s | "
      "p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|\n");
  std::printf("| %s | %d | %zu | %.2f | %.0f | %.2f | %.2f | %.2f |\n",
              o.protocol.c_str(), o.clients, acknowledged.size(), seconds,
              acknowledged.size() / seconds, Percentile(latencies_ms, 0.50),
              Percentile(latencies_ms, 0.99),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  if (o.kill_after_acks > 0) {
    std::printf(
        "\nSIGKILL after %d acknowledged appends: %zu calls unanswered, "
        "retried after the restart: %zu acknowledged, of which %zu as "
        "duplicates (stored before the kill, their answer lost).\n",
        o.kill_after_acks, unanswered.size(), retried_acks, retried_duplicates);
  }
  std::printf(
      "\nStore after the run: %zu events (expected %zu: the registration, "
      "every acknowledged append%s); acknowledged but missing %zu; eventIds "
      "stored twice %zu (the index forbids it; counted as a cross-check); "
      "ogi verify: ok.\n",
      events, expected, o.kill_after_acks > 0 ? " and every retried one" : "",
      missing, duplicated);
  const bool ok = events == expected && missing == 0 && duplicated == 0;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
