// `ogi serve` as a process: tokens made while it runs, the other commands
// pointing at the service, SIGTERM ending it cleanly.
#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/temp_dir.h"

namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code;
  std::string output;  // standard output and error
};

Result Ogi(const std::string& db, const std::string& args) {
  const std::string command =
      absl::StrCat(OGI_BINARY, " --db ", db, " ", args, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Issue 13: the store, its backups and the token file are the owner's alone,
// and cleartext off loopback needs an explicit opt-out.
TEST(ServeCommandTest, Issue13FilesAreOwnerOnlyAndPlaintextStaysOnLoopback) {
  ogi::testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(
      Ogi(db,
          R"(append '{"agencyId":"city","occurredOn":"2019-01-01","agencyRegistered":{"name":"市政府"}}')")
          .exit_code,
      0);
  ASSERT_EQ(Ogi(db, "token create --name portal --agency city --scope read")
                .exit_code,
            0);
  ASSERT_EQ(Ogi(db, "backup " + dir.Sub("backups")).exit_code, 0);
  int files = 0;
  for (const std::string& root : {db, dir.Sub("backups")}) {
    ASSERT_EQ(std::filesystem::status(root).permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_all)
        << root;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(root)) {
      SCOPED_TRACE(entry.path().string());
      const std::filesystem::perms perms =
          entry.status().permissions() & std::filesystem::perms::all;
      if (entry.is_directory()) {
        EXPECT_EQ(perms, std::filesystem::perms::owner_all);
      } else {
        ++files;
        EXPECT_EQ(perms, std::filesystem::perms::owner_read |
                             std::filesystem::perms::owner_write);
      }
    }
  }
  EXPECT_GT(files, 10);
  // Cleartext on every interface is refused before anything is bound.
  Result open = Ogi(db, "serve --grpc '' --http 0.0.0.0:0");
  EXPECT_NE(open.exit_code, 0);
  EXPECT_THAT(open.output, HasSubstr("--insecure-plaintext"));
}

TEST(ServeCommandTest, ServesTakesNewTokensPointsOtherCommandsAtItAndStops) {
  ogi::testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(
      Ogi(db,
          R"(append '{"agencyId":"city","occurredOn":"2019-01-01","agencyRegistered":{"name":"市政府"}}')")
          .exit_code,
      0);
  const std::string log = dir.Sub("serve.log");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* out = freopen(log.c_str(), "w", stdout);
    (void)out;
    dup2(fileno(stdout), 2);
    execl(OGI_BINARY, OGI_BINARY, "--db", db.c_str(), "serve", "--grpc",
          "127.0.0.1:0", "--http", "127.0.0.1:0", nullptr);
    _exit(127);
  }
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::ifstream in(log);
    std::string line;
    if (std::getline(in, line) && absl::StartsWith(line, "serving ")) {
      size_t at = line.find("HTTP on 127.0.0.1:");
      ASSERT_NE(at, std::string::npos) << line;
      absl::string_view rest = absl::string_view(line).substr(at + 18);
      ASSERT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port));
    } else {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  ASSERT_NE(port, 0) << "ogi serve did not start";

  // A read command on the served store reads it (issue 15); a writing one
  // says where the service is.
  Result stats = Ogi(db, "stats");
  EXPECT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_THAT(stats.output, HasSubstr("answering as of position 1"));
  Result erase = Ogi(db, "erase-personal-data --case C-1 --reason r");
  EXPECT_NE(erase.exit_code, 0);
  EXPECT_THAT(erase.output, HasSubstr("the store is served by ogi serve"));
  EXPECT_THAT(erase.output, HasSubstr(absl::StrCat("127.0.0.1:", port)));

  // A token made now works at once; the token is the last line, alone.
  Result created =
      Ogi(db, "token create --name portal --agency city --scope append,read");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  std::vector<std::string> lines =
      absl::StrSplit(created.output, '\n', absl::SkipEmpty());
  const std::string token = lines.back();
  EXPECT_TRUE(absl::StartsWith(token, "ogi_")) << token;
  httplib::Client http("127.0.0.1", port);
  auto r = http.Post(
      "/v1/events", {{"Authorization", "Bearer " + token}},
      R"({"eventId":"e1","caseId":"C-1","agencyId":"city","occurredOn":"2024-05-06","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})",
      "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  Result listed = Ogi(db, "token list");
  EXPECT_THAT(listed.output, HasSubstr("portal"));
  EXPECT_THAT(listed.output, ::testing::Not(HasSubstr(token)));

  // `ogi client` speaks gRPC to the same service.
  int grpc_port = 0;
  {
    std::ifstream in(log);
    std::string line;
    std::getline(in, line);
    size_t at = line.find("gRPC on 127.0.0.1:");
    ASSERT_NE(at, std::string::npos);
    absl::string_view rest = absl::string_view(line).substr(at + 18);
    ASSERT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(',')), &grpc_port));
  }
  const std::string client = absl::StrCat("client --grpc 127.0.0.1:", grpc_port,
                                          " --token ", token, " ");
  Result appended = Ogi(
      db,
      client +
          R"(append '{"eventId":"e2","caseId":"C-2","agencyId":"city","occurredOn":"2024-05-06","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}}')");
  EXPECT_EQ(appended.exit_code, 0) << appended.output;
  EXPECT_EQ(appended.output, "position 3 version 1\n");
  Result read = Ogi(db, client + "case C-2");
  EXPECT_EQ(read.exit_code, 0) << read.output;
  EXPECT_THAT(read.output, HasSubstr("\"actor\":\"portal\""));
  Result unknown = Ogi(db, client + "case C-9");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.output, HasSubstr("case C-9: unknown case"));

  // Revoked while serving: refused at the next request.
  ASSERT_EQ(Ogi(db, "token revoke portal").exit_code, 0);
  r = http.Get("/v1/cases/C-1", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);

  // SIGTERM: a clean stop, the info file gone, the store free again.
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(std::filesystem::exists(db + "/ogi-serve.json"));
  Result history = Ogi(db, "history C-1");
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_THAT(history.output, HasSubstr("portal"));  // the actor
}

// Issue 13: ten clients trickling their headers; SIGTERM stops the service
// within 10 s, closing them rather than waiting (no fallback exit), and the
// store is whole.
TEST(ServeCommandTest, Issue13SigtermStopsWithinTheGraceWhateverClientsDo) {
  ogi::testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(
      Ogi(db,
          R"(append '{"agencyId":"city","occurredOn":"2019-01-01","agencyRegistered":{"name":"市政府"}}')")
          .exit_code,
      0);
  const std::string log = dir.Sub("serve.log");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* out = freopen(log.c_str(), "w", stdout);
    (void)out;
    dup2(fileno(stdout), 2);
    execl(OGI_BINARY, OGI_BINARY, "--db", db.c_str(), "serve", "--grpc",
          "127.0.0.1:0", "--http", "127.0.0.1:0", nullptr);
    _exit(127);
  }
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::ifstream in(log);
    std::string line;
    if (std::getline(in, line) && absl::StartsWith(line, "serving ")) {
      size_t at = line.find("HTTP on 127.0.0.1:");
      ASSERT_NE(at, std::string::npos) << line;
      absl::string_view rest = absl::string_view(line).substr(at + 18);
      ASSERT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port));
    } else {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  ASSERT_NE(port, 0) << "ogi serve did not start";
  // Ten loopback clients, each sending one header line a second, forever.
  std::atomic<bool> stop{false};
  std::vector<std::thread> slow;
  for (int i = 0; i < 10; ++i) {
    slow.emplace_back([port, &stop] {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ==
          0) {
        std::string line = "GET /v1/health HTTP/1.1\r\n";
        while (!stop &&
               ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) > 0) {
          line = "X-Slow: 1\r\n";
          absl::SleepFor(absl::Seconds(1));  // the attack's pace
        }
      }
      ::close(fd);
    });
  }
  // Let the clients in (a health request answered proves the server read
  // what was sent before them).
  httplib::Client http("127.0.0.1", port);
  ASSERT_TRUE(http.Get("/v1/health"));
  const absl::Time signalled = absl::Now();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 &&
         absl::Now() - signalled < absl::Seconds(30)) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const absl::Duration took = absl::Now() - signalled;
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  stop = true;
  for (std::thread& t : slow) t.join();
  EXPECT_EQ(done, pid);
  EXPECT_LE(took, absl::Seconds(10));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(std::filesystem::exists(db + "/ogi-serve.json"));
  std::ifstream out(log);
  std::stringstream said;
  said << out.rdbuf();
  EXPECT_THAT(said.str(), HasSubstr("ogi serve: stopped at position"));
  EXPECT_THAT(said.str(), ::testing::Not(HasSubstr("still open")));
  Result verify = Ogi(db, "verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
