// Child processes of tools/bench; see bench_process.h. Tested by the
// bench_quick ctest (every figure goes through these).
#include "tools/bench_process.h"

#include <cerrno>
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace ogi {
namespace {

// The first byte a forked body writes: whether the rest is its result or its
// error message.
constexpr char kOk = '+';
constexpr char kFailed = '-';

std::string ReadAll(int fd) {
  std::string out;
  char buffer[65536];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct Waited {
  int status = 0;
  int64_t peak_rss_kib = 0;
};

Waited Wait(pid_t pid) {
  Waited waited;
  struct rusage usage {};
  while (wait4(pid, &waited.status, 0, &usage) < 0 && errno == EINTR) {
  }
  waited.peak_rss_kib = usage.ru_maxrss;  // Linux reports KiB
  return waited;
}

bool ExitedZero(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

absl::StatusOr<ChildResult> RunProgram(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return absl::InternalError("pipe failed");
  std::fflush(nullptr);
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "bench: cannot run %s\n", argv[0].c_str());
    _exit(127);
  }
  close(pipefd[1]);
  ChildResult result;
  result.out = ReadAll(pipefd[0]);
  close(pipefd[0]);
  const Waited waited = Wait(pid);
  result.elapsed = absl::Now() - start;
  result.peak_rss_kib = waited.peak_rss_kib;
  if (!ExitedZero(waited.status)) {
    return absl::InternalError(absl::StrCat("failed (status ", waited.status,
                                            "): ", absl::StrJoin(argv, " ")));
  }
  return result;
}

absl::StatusOr<ChildResult> RunForked(
    absl::FunctionRef<absl::StatusOr<std::string>()> body) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return absl::InternalError("pipe failed");
  std::fflush(nullptr);
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    close(pipefd[0]);
    absl::StatusOr<std::string> result = body();
    const bool ok = result.ok();
    const std::string message =
        ok ? *result : std::string(result.status().message());
    const bool written =
        WriteAll(pipefd[1], std::string(1, ok ? kOk : kFailed)) &&
        WriteAll(pipefd[1], message);
    close(pipefd[1]);
    std::fflush(nullptr);
    _exit(written ? 0 : 1);
  }
  close(pipefd[1]);
  std::string out = ReadAll(pipefd[0]);
  close(pipefd[0]);
  const Waited waited = Wait(pid);
  if (!ExitedZero(waited.status) || out.empty()) {
    return absl::InternalError(
        absl::StrCat("forked child died (status ", waited.status, ")"));
  }
  if (out[0] != kOk) return absl::InternalError(out.substr(1));
  ChildResult result;
  result.elapsed = absl::Now() - start;
  result.peak_rss_kib = waited.peak_rss_kib;
  result.out = out.substr(1);
  return result;
}

}  // namespace ogi
