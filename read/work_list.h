// The console's read-side queries (docs/CONSOLE.md), also served to scripts
// (docs/SERVE.md): a page of the due list with its filters, and the log's
// digests (the head's, and whether the log still extends a published one).
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_READ_WORK_LIST_H_
#define OGI_READ_WORK_LIST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "engine/calendar.h"
#include "engine/event_store.h"
#include "read/deadlines.h"

namespace ogi {

struct DuePageOptions {
  DueOptions due;  // agency, roll-up, within N working days, today
  // "": every case; "overdue"; "lapsed" (the applicant's time ran out);
  // or what the case waits for: "correction", "consultation", "fee".
  std::string status;
  std::string case_query;  // case ids containing it (case-insensitive)
  size_t offset = 0;
  size_t limit = 50;  // at most kMaxDuePage
};
inline constexpr size_t kMaxDuePage = 500;

struct DuePage {
  absl::CivilDay today;
  size_t total = 0;  // the rows matching, before paging
  size_t offset = 0;
  std::vector<DueRow> rows;  // the page
};

// The due list (DueList) filtered, then paged. kInvalidArgument for an
// unknown status or a limit beyond kMaxDuePage; kNotFound for an unknown
// agency.
absl::StatusOr<DuePage> DuePageOf(EventStore& store,
                                  const DuePageOptions& options,
                                  const Calendar& calendar);

// {"asOf","total","offset","cases":[...]}: each case as RenderDueList's JSON
// has it, plus "waitingForCodes".
std::string RenderDuePage(const DuePage& page);

// "POSITION:HASH" (HASH: the chain link in hex), as `ogi digest` prints.
struct LogDigest {
  uint64_t position = 0;
  std::string link;  // raw bytes
};
absl::StatusOr<LogDigest> ParseLogDigest(absl::string_view text);
std::string FormatLogDigest(const LogDigest& digest);

// The head's digest.
absl::StatusOr<LogDigest> HeadDigest(EventStore& store);

// Whether the log at `digest.position` has the digest's link, i.e. the log
// up to there is exactly the one the digest was taken from (its events are
// then proved unaltered by a full EventStore::Verify). As JSON:
// {"digest","headDigest","extends":bool,"eventsSince","message"}.
absl::StatusOr<std::string> CheckDigestJson(EventStore& store,
                                            const LogDigest& digest);

}  // namespace ogi

#endif  // OGI_READ_WORK_LIST_H_
