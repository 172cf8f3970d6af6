// The report index: the annual report's figures summed by agency and year, kept
// up to date from the log, so one year's report costs O(agencies x years)
// instead of a replay of the whole history.
//
// CatchUp folds the events after the checkpoint through the engine's
// ApplyCaseChange, like ComputeAnnualReport, and adds each case's contribution
// (its receipt year and column, its conclusion's year and row, its appeals by
// filing year, its fee) to the figures, taking back the old contribution when a
// later event changes it. Only open cases are kept in memory: an event for a
// concluded case that can change its contribution (an appeal, an amendment)
// reloads the case from its stream. Carried counts are derived: carried_out(N)
// = sum over years <= N of (new - results_total), carried_in(N) =
// carried_out(N-1), which rules A4 and A7 make exact. A rebuild is a CatchUp
// from an empty index; both give the same figures as ComputeAnnualReport
// (tested in report_index_test.cc).
//
// The state is saved after each CatchUp to one file, replaced atomically
// (write, fsync, rename). Not thread-safe.
#ifndef OGI_PROJECTIONS_REPORT_INDEX_H_
#define OGI_PROJECTIONS_REPORT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "engine/agency_state.h"
#include "engine/event_store.h"
#include "projections/annual_report.h"
#include "proto/report_index.pb.h"

namespace ogi {
namespace projections_internal {
class CellTable;
}  // namespace projections_internal

class ReportIndex {
 public:
  struct CatchUpStats {
    uint64_t events = 0;          // events folded
    uint64_t cases_loaded = 0;    // concluded cases reloaded from their streams
    uint64_t cases_recalled = 0;  // concluded cases found in the recent cache
    uint64_t open_cases = 0;      // open cases held in memory at the end
  };

  // Whether CatchUp saves the state to the index's file.
  enum class Saving {
    kSave,
    kInMemory,  // never writes: for a store opened for reading
  };

  // Opens the index saved at `path` (an empty index if the file does not exist)
  // over `store`, which must outlive it. If the file is ahead of the store
  // (a store read behind `ogi serve`, which saved the index since), catches
  // the store up with its writer first. kDataLoss if the file does not decode
  // or is still ahead of the store.
  static absl::StatusOr<std::unique_ptr<ReportIndex>> Open(
      EventStore& store, std::string path, Saving saving = Saving::kSave);
  ~ReportIndex();

  // Folds every event after the checkpoint and saves the state (kSave).
  // kUnavailable if it cannot be saved. A catch-up of at least
  // kLongCatchUpEvents events reports its progress to the store's
  // ProgressSink (EventStore::set_progress).
  static constexpr uint64_t kLongCatchUpEvents = 100000;
  // Cases concluded lately are kept, in two generations of at most
  // `recent_cases` each, so that an appeal or amendment soon after the answer
  // does not read the case's stream back; memory stays bounded by open cases
  // plus 2 * recent_cases (a concluded case is kept as its encoded steps, ~100
  // bytes with its index entry; one with an amendment is not kept). The
  // default holds about a year of conclusions at 540,000 cases a year.
  static constexpr size_t kDefaultRecentCases = 1 << 18;
  absl::StatusOr<CatchUpStats> CatchUp(
      size_t recent_cases = kDefaultRecentCases);

  // Returns the report from the figures up to the checkpoint or, for a
  // request.as_of before the checkpoint's event, as of that instant: the
  // figures less the cell table's changes after it (cell_table.h), the
  // agencies from their streams. kFailedPrecondition for a past instant if
  // the cell table does not hold the checkpoint (use ComputeAnnualReport);
  // kInvalidArgument if the year is out of range; kNotFound for an agency
  // not registered (as of the request).
  absl::StatusOr<AnnualReport> Report(const ReportRequest& request);

  uint64_t checkpoint() const { return state_.checkpoint(); }

  // The cell table's folder beside the index file at `path`.
  static std::string CellTablePath(const std::string& path);

  // One case behind a cell, as the cell table lists it: the version of the
  // event that put it there (0 if none).
  struct CellEntry {
    std::string agency_id;
    std::string case_id;
    uint32_t version = 0;
  };
  struct CellPage {
    size_t total = 0;                // cases in the cell
    std::vector<CellEntry> entries;  // those of the page asked for
    uint64_t position = 0;           // the log position it reflects
  };
  // The cases counted in one cell of parts 三 and 四 (codes as CasesInCell's)
  // at the checkpoint or as of request.as_of, from the cell table: by agency,
  // then case id, then version; `limit` of them from the `offset`th.
  // kFailedPrecondition if the table does not hold the checkpoint (none yet,
  // or a reader caught the figures up in memory past it): replay instead.
  // kNotFound for an unknown agency, kInvalidArgument for an unknown code or
  // year.
  absl::StatusOr<CellPage> CellEntries(const ReportRequest& request,
                                       absl::string_view section,
                                       absl::string_view row,
                                       absl::string_view column,
                                       size_t offset = 0,
                                       size_t limit = SIZE_MAX);

  // A case whose count in a cell differs between a past position and the
  // checkpoint: a late entry, an amendment, a conclusion, an appeal.
  struct CellChange {
    std::string agency_id;
    std::string case_id;
    int then_count = 0;         // postings in the cell at `since`
    int now_count = 0;          // and at the checkpoint
    uint32_t then_version = 0;  // the deciding event's, then (0 if none)
    uint32_t now_version = 0;   // and now
    uint64_t first_change = 0;  // the first event after `since` to change it
  };
  struct CellChangePage {
    size_t total = 0;                 // cases that changed
    std::vector<CellChange> changes;  // those of the page asked for
    uint64_t since = 0;     // the log position request.as_of resolved to
    uint64_t position = 0;  // the checkpoint
  };
  // The cases whose count in one cell differs between request.as_of and the
  // checkpoint (what a diff of the two reports shows), from the cell table's
  // change log: by agency, then case id; `limit` of them from the
  // `offset`th. Scope: the agencies in reach then count then, those in reach
  // now count now. Errors as CellEntries; none if request.as_of is at or
  // after the checkpoint.
  absl::StatusOr<CellChangePage> CellChanges(const ReportRequest& request,
                                             absl::string_view section,
                                             absl::string_view row,
                                             absl::string_view column,
                                             size_t offset = 0,
                                             size_t limit = SIZE_MAX);

  // Checks the index saved at `path` against the log: rebuilds the figures up
  // to its checkpoint from scratch, in memory, and compares. OK if there is no
  // file; kDataLoss naming the file if it does not decode, is ahead of the
  // log, or disagrees with it (deleting it costs only a rebuild).
  static absl::Status CheckAgainstLog(EventStore& store,
                                      const std::string& path);

 private:
  ReportIndex(EventStore& store, std::string path, Saving saving);
  absl::Status Save() const;

  // A log position and the recordedAt of its event.
  struct Instant {
    uint64_t position = 0;
    absl::Time recorded_at;
  };
  // The last position, up to the checkpoint, recorded at or before `as_of`.
  absl::StatusOr<Instant> InstantOf(absl::Time as_of);
  // The agencies registered at `position`, as their streams say then; valid
  // until the next call.
  using AgenciesThen = std::map<std::string, AgencyState>;
  absl::StatusOr<const AgenciesThen*> AgenciesAt(uint64_t position);
  // The log position `request` asks for (the checkpoint for no as_of);
  // kInvalidArgument for a year out of range.
  absl::StatusOr<uint64_t> PositionOf(const ReportRequest& request);
  // The report's agencies at log position `when` (the checkpoint, or before
  // it); kNotFound if the agency was not registered then.
  absl::StatusOr<absl::flat_hash_set<std::string>> ScopeAt(
      const ReportRequest& request, uint64_t when);
  // The report's agencies (the agency, and its subtree for a roll-up) by the
  // saved figures' tree.
  absl::flat_hash_set<std::string> ScopeOf(const ReportRequest& request) const;
  // Adds the saved figures of `scope` for year n to `r`: parts 三 and 四, the
  // fee line and, if `proactive`, part 二.
  void SumFigures(const absl::flat_hash_set<std::string>& scope, int n,
                  bool proactive, AnnualReport& r) const;
  // The years of `agency`'s figures within [first, last], in order.
  std::vector<int> YearsOf(const std::string& agency, int first,
                           int last) const;
  absl::StatusOr<AnnualReport> ReportAt(const ReportRequest& request,
                                        const Instant& at);
  // The cell table, if it holds the checkpoint; kFailedPrecondition if not.
  absl::StatusOr<projections_internal::CellTable*> CaughtUpCells();
  // Opens the cell table for the catch-up to write (kSave with a file): if it
  // is behind the figures, they are dropped, so the catch-up rebuilds both.
  absl::Status OpenCellsForWriting();

  EventStore& store_;
  const std::string path_;  // empty: kept in memory only
  const Saving saving_;
  uint64_t until_ = UINT64_MAX;  // CatchUp folds no event past it
  v1::ReportIndexState state_;
  std::unique_ptr<projections_internal::CellTable> cells_;
  // The last past instant asked for and what it resolved to, kept because a
  // screen asks for a report and then its cells at one instant: the position
  // (valid while the checkpoint is `instant_checkpoint_`) and the agencies
  // then (a past position's never change).
  absl::Time instant_as_of_ = absl::InfinitePast();
  uint64_t instant_checkpoint_ = UINT64_MAX;
  Instant instant_;
  uint64_t agencies_position_ = UINT64_MAX;
  AgenciesThen agencies_then_;
};

}  // namespace ogi

#endif  // OGI_PROJECTIONS_REPORT_INDEX_H_
