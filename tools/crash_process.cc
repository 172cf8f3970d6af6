// Child processes for the crash harness; see crash_process.h.
#include "tools/crash_process.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ogi::crash {

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const std::string& log_path, int inherit_fd) {
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open ", log_path, ": ", std::strerror(errno)));
  }
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A harness that dies (or is killed) takes its children with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    if (dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) _exit(126);
    if (inherit_fd >= 0 && fcntl(inherit_fd, F_SETFD, 0) < 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  if (pid < 0)
    return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(errno)));
  return pid;
}

namespace {

Ending EndingOf(int status, bool killed_by_us) {
  Ending ending;
  if (WIFEXITED(status)) {
    ending.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    ending.signal = WTERMSIG(status);
    ending.killed = killed_by_us && ending.signal == SIGKILL;
  }
  return ending;
}

// Waits up to `delay` for `pid` to end; true, with its `status`, if it did.
bool EndedWithin(pid_t pid, absl::Duration delay, int& status) {
  const absl::Time deadline = absl::Now() + delay;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) return true;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    absl::SleepFor(std::min(left, absl::Milliseconds(1)));
  }
}

}  // namespace

Ending KillAfter(pid_t pid, absl::Duration delay) {
  int status = 0;
  if (EndedWithin(pid, delay, status)) return EndingOf(status, false);
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return EndingOf(status, true);
}

Ending InterruptAfter(pid_t pid, absl::Duration delay) {
  int status = 0;
  if (EndedWithin(pid, delay, status)) return EndingOf(status, false);
  kill(pid, SIGINT);
  return KillAfter(pid, absl::Minutes(10));
}

std::string Describe(const Ending& ending) {
  if (ending.killed) return "killed by the harness";
  if (ending.signal != 0)
    return absl::StrCat("ended by signal ", ending.signal);
  return absl::StrCat("exit status ", ending.exit_code);
}

PipeReader::PipeReader(int fd)
    : fd_(fd), thread_([this] {
        char buffer[4096];
        while (true) {
          const ssize_t got = read(fd_, buffer, sizeof buffer);
          if (got > 0) {
            absl::MutexLock lock(&mu_);
            text_.append(buffer, static_cast<size_t>(got));
          } else if (got == 0 || errno != EINTR) {
            break;
          }
        }
      }) {}

PipeReader::~PipeReader() {
  if (thread_.joinable()) thread_.join();
  close(fd_);
}

std::string PipeReader::Finish() {
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  return std::move(text_);
}

bool PipeReader::WaitForFirstLine(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto has_line = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return text_.find('\n') != std::string::npos;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&has_line), timeout);
}

std::string Tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

}  // namespace ogi::crash
