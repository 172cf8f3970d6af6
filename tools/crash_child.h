// The crash harness's child workload (tools/crash_harness.cc): appends to a
// store until it is killed, and reports each acknowledged Append on a pipe
// (tools/crash_protocol.h) only after Append returned OK.
#ifndef OGI_TOOLS_CRASH_CHILD_H_
#define OGI_TOOLS_CRASH_CHILD_H_

#include <cstdint>
#include <string>

namespace ogi::crash {

struct ChildOptions {
  std::string db;  // the store's directory
  int trial = 0;   // names the trial's cases and events ("t<trial>...")
  uint64_t seed = 1;
  // 0: `single` mode, one event per Append from one thread. N > 0:
  // `concurrent` mode, N threads each appending 1-5 events of distinct cases
  // per Append.
  int threads = 0;
  int ack_fd = -1;  // the pipe's write end
};

// Registers the agency (idempotently), then appends until killed. Returns a
// process exit code only if something fails (an Append refused, the store
// not opening, the pipe gone), after printing why on stderr.
int RunAppendChild(const ChildOptions& options);

}  // namespace ogi::crash

#endif  // OGI_TOOLS_CRASH_CHILD_H_
