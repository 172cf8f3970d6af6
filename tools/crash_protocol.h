// What the crash harness's child and parent agree on (tools/crash_harness.cc):
// how an event's eventId names the Append it was part of, and how the child
// reports an acknowledged Append on its pipe.
//
// eventId grammar (every event the child appends, except the one agency
// registration, kAgencyEventId):
//
//   event_id := group "." k "of" n      k in 1..n, n = events in that Append
//   group    := "t" trial ("." "w" thread)? "." "g" counter
//
// so the checker can tell from the store alone which events were appended
// together, and whether an Append is whole. An ack line is written to the pipe
// only after Append returned OK, in one write(2) of at most PIPE_BUF bytes, so
// lines from concurrent threads never interleave and a SIGKILL never leaves
// half a line:
//
//   ack_line := "A" (" " event_id "," position "," version)+ "\n"
#ifndef OGI_TOOLS_CRASH_PROTOCOL_H_
#define OGI_TOOLS_CRASH_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ogi::crash {

// The agency every case of the child's belongs to, and its registration's
// eventId (appended, idempotently, at the start of every child).
inline constexpr char kAgencyId[] = "crash-agency";
inline constexpr char kAgencyEventId[] = "crash-agency-registered";

// Returns the eventId of the k-th (1-based) of the n events of `group`.
std::string MemberId(absl::string_view group, int k, int n);

struct Member {
  std::string group;
  int k = 0;
  int n = 0;
};

// Returns the parts of a MemberId, or nullopt if `event_id` is not one.
std::optional<Member> ParseMemberId(absl::string_view event_id);

// One event of an acknowledged Append, as the child reported it.
struct Ack {
  std::string event_id;
  uint64_t position = 0;
  uint32_t version = 0;
};

// Returns the ack line for one acknowledged Append.
std::string FormatAckLine(const std::vector<Ack>& acks);

// Returns every complete ack line of `text` (what the parent read from the
// pipe), one vector per Append; kInvalidArgument names a malformed line. A
// last line without its newline is ignored.
absl::StatusOr<std::vector<std::vector<Ack>>> ParseAckLines(
    absl::string_view text);

}  // namespace ogi::crash

#endif  // OGI_TOOLS_CRASH_PROTOCOL_H_
