// Child processes for the crash harness (tools/crash_harness.cc): start one,
// let it run for a while, kill it with SIGKILL, and collect what it wrote to
// a pipe. Linux only (prctl, /proc/self/exe).
#ifndef OGI_TOOLS_CRASH_PROCESS_H_
#define OGI_TOOLS_CRASH_PROCESS_H_

#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ogi::crash {

// Starts `args` (args[0] is the executable's path) with standard output and
// error written to the file `log_path` (truncated first). `inherit_fd`, if not
// -1, stays open in the child under the same number; every other descriptor of
// ours is closed on exec. The child is killed if the harness dies. kUnavailable
// if the log file cannot be opened or fork fails.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const std::string& log_path, int inherit_fd);

struct Ending {
  bool killed = false;  // by our SIGKILL
  int exit_code = -1;   // if it exited by itself
  int signal = 0;       // if another signal ended it
};

// Waits up to `delay` for `pid` to end, then kills it with SIGKILL, and
// returns how it ended (it may have ended by itself just before the kill).
Ending KillAfter(pid_t pid, absl::Duration delay);

// Waits up to `delay` for `pid` to end, then sends it SIGINT and waits for it
// to end by itself (SIGKILL after 10 minutes).
Ending InterruptAfter(pid_t pid, absl::Duration delay);

// Returns a one-line description of `ending`, e.g. "exit status 4".
std::string Describe(const Ending& ending);

// Reads a pipe to its end on a thread of its own, so the child never blocks
// on a full pipe. Not thread-safe; Finish() once.
class PipeReader {
 public:
  // Takes ownership of `fd`, the pipe's read end.
  explicit PipeReader(int fd);
  ~PipeReader();
  PipeReader(const PipeReader&) = delete;
  PipeReader& operator=(const PipeReader&) = delete;

  // Waits for the end of the pipe (every write end closed) and returns what
  // was read.
  std::string Finish();

  // Waits until a whole line has been read (the child's first
  // acknowledgement) or `timeout` passes; returns whether one was.
  bool WaitForFirstLine(absl::Duration timeout);

 private:
  int fd_;
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Returns the last `max_bytes` of the file at `path` (empty if unreadable).
std::string Tail(const std::string& path, size_t max_bytes);

}  // namespace ogi::crash

#endif  // OGI_TOOLS_CRASH_PROCESS_H_
