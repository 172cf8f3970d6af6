// The real `ogi` binary as a test drives it: one command run to its end
// (RunOgi), or `ogi serve` started on ephemeral loopback ports and stopped
// with SIGTERM when the object goes away (ServedStore). For tests of what a
// process chooses once (flags, calendar, clock) and of the service as an
// intake system sees it.
#ifndef OGI_TESTS_TESTING_OGI_PROCESS_H_
#define OGI_TESTS_TESTING_OGI_PROCESS_H_

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <memory>
#include <poll.h>
#include <pty.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ogi::testing {

struct OgiResult {
  int exit_code = -1;
  std::string output;  // standard output and error
};

// Runs `binary --db DB ARGS` through the shell (quote ARGS for it) and
// returns its exit code and output.
inline OgiResult RunOgi(const std::string& binary, const std::string& db,
                        const std::string& args) {
  const std::string command =
      absl::StrCat(binary, " --db '", db, "' ", args, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  OgiResult result;
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `binary --db DB ARGS` through the shell as RunOgi does, but with its
// standard output and error on a pseudo-terminal, as a clerk at a terminal
// sees it (the terminal turns each "\n" into "\r\n"). `binary` may be
// preceded by variable assignments ("OGI_LANG=zh /path/ogi").
inline OgiResult RunOgiOnTerminal(const std::string& binary,
                                  const std::string& db,
                                  const std::string& args) {
  const std::string command =
      absl::StrCat(binary, " --db '", db, "' ", args, " </dev/null");
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  OgiResult result;
  if (pid < 0) return result;
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), nullptr);
    _exit(127);
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(master, buffer, sizeof(buffer));
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child closed the terminal's last descriptor
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `ogi serve` on 127.0.0.1 with both listeners on free ports. Not
// thread-safe.
class ServedStore {
 public:
  // Starts it and waits (up to 30 s) for its "serving …" line; nullptr if it
  // did not start, with what it printed in `*output`.
  static std::unique_ptr<ServedStore> Start(const std::string& binary,
                                            const std::string& db,
                                            std::string* output) {
    int fds[2];
    if (pipe(fds) != 0) return nullptr;
    const pid_t pid = fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(binary.c_str(), binary.c_str(), "--db", db.c_str(), "serve",
            "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::unique_ptr<ServedStore> served(new ServedStore(pid, fds[0]));
    // Read until the first line is whole: the service prints it once both
    // listeners are bound.
    std::string& text = *output;
    while (text.find('\n') == std::string::npos) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 30000) <= 0) return nullptr;
      char buffer[512];
      const ssize_t n = read(fds[0], buffer, sizeof(buffer));
      if (n <= 0) return nullptr;
      text.append(buffer, static_cast<size_t>(n));
    }
    const absl::string_view line =
        absl::string_view(text).substr(0, text.find('\n'));
    if (!absl::StartsWith(line, "serving ")) return nullptr;
    served->grpc_port_ = PortAfter(line, "gRPC on 127.0.0.1:");
    served->http_port_ = PortAfter(line, "HTTP on 127.0.0.1:");
    if (served->grpc_port_ == 0 || served->http_port_ == 0) return nullptr;
    // The service logs a line per request: keep reading, so a full pipe
    // never blocks it.
    served->drain_ = std::thread([fd = fds[0]] {
      char buffer[4096];
      while (read(fd, buffer, sizeof(buffer)) > 0) {
      }
    });
    return served;
  }

  ~ServedStore() { (void)Stop(); }
  ServedStore(const ServedStore&) = delete;
  ServedStore& operator=(const ServedStore&) = delete;

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }

  // SIGTERM, then waits for the process; returns its exit code (-1 if it did
  // not exit normally or was already stopped).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    const pid_t waited = waitpid(pid_, &status, 0);
    pid_ = 0;
    if (drain_.joinable()) drain_.join();  // ends at the child's exit (EOF)
    close(out_);
    return waited > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  ServedStore(pid_t pid, int out) : pid_(pid), out_(out) {}

  static int PortAfter(absl::string_view line, absl::string_view label) {
    const size_t at = line.find(label);
    if (at == absl::string_view::npos) return 0;
    absl::string_view rest = line.substr(at + label.size());
    size_t end = 0;
    while (end < rest.size() && rest[end] >= '0' && rest[end] <= '9') ++end;
    int port = 0;
    return absl::SimpleAtoi(rest.substr(0, end), &port) ? port : 0;
  }

  pid_t pid_;
  int out_;
  std::thread drain_;
  int grpc_port_ = 0;
  int http_port_ = 0;
};

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_OGI_PROCESS_H_
