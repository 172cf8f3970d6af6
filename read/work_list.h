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

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "engine/calendar.h"
#include "engine/event_store.h"
#include "read/case_scan.h"
#include "read/deadlines.h"

namespace ogi {

// The open cases, kept up to date: what ScanCases(kOpenOnly) answers, caught
// up from the last position it read instead of read again from the start, so
// a due list on a long log costs its open cases, not its events. A case is
// dropped once concluded (a conclusion is final: an amendment replaces it by
// one of the same type), and its later events are then skipped: every case
// stream starts with its `received`.
//
// Thread-safe.
class OpenCases {
 public:
  explicit OpenCases(EventStore& store) : store_(store) {}  // must outlive it
  OpenCases(const OpenCases&) = delete;
  OpenCases& operator=(const OpenCases&) = delete;

  // Reads the events appended since the last call.
  absl::Status CatchUp();

  // DueListOf on the open cases, caught up first.
  absl::StatusOr<std::vector<DueRow>> Due(const DueOptions& options,
                                          const Calendar& calendar);

 private:
  absl::Status CatchUpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventStore& store_;
  absl::Mutex mu_;
  CaseScan scan_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;  // the last read
};

struct DuePageOptions {
  DueOptions due;  // agency, roll-up, within N working days, today
  // "": every case; "overdue"; "lapsed" (the applicant's time ran out);
  // or what the case waits for: "correction", "consultation", "fee".
  std::string status;
  std::string case_query;  // case ids containing it (case-insensitive)
  size_t offset = 0;
  size_t limit = 50;  // at most kMaxDuePage
  // The open cases kept up to date, for a day from today on; nullptr (or a
  // day before today): the log is scanned.
  OpenCases* open_cases = nullptr;
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
