// The read side as one object: what `ogi report`, `ogi deadline`, `ogi due`,
// `ogi check`, `ogi cases` and `ogi fee quote` print, and what the service
// answers, come from the same Reader, so both faces say the same thing. It
// holds the process's one calendar and clock (chosen once by cli/main.cc) and
// the report index's file.
//
// Thread-safe: reports from the report index (which share its file) are
// taken one at a time; everything else reads the store concurrently.
#ifndef OGI_READ_READER_H_
#define OGI_READ_READER_H_

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/clock.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "read/deadlines.h"
#include "read/fee_quote.h"
#include "read/reports.h"

namespace ogi {

struct ReaderOptions {
  EventStore* store = nullptr;         // must outlive the reader
  const Calendar* calendar = nullptr;  // must outlive the reader
  Clock* clock = nullptr;  // "today" when none is given; nullptr: SystemClock()
  // The report index's file; empty: reports replay the log.
  std::string index_path;
  // kInMemory for a store opened for reading: the index is caught up in
  // memory only, and `notes` (if set) is told when it lagged the log.
  ReportIndex::Saving index_saving = ReportIndex::Saving::kSave;
  std::ostream* notes = nullptr;
};

class Reader {
 public:
  explicit Reader(ReaderOptions options);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const Calendar& calendar() const { return calendar_; }
  // Today in Asia/Shanghai by the reader's clock.
  absl::CivilDay Today() const;

  // The year's report as `options` asks (its calendar, index and notes are
  // the reader's). kNotFound for an unknown agency.
  absl::StatusOr<std::string> Report(ReportOptions options);

  // The case's deadline on `on` (unset: today), rendered. kNotFound for an
  // unknown case.
  absl::StatusOr<std::string> Deadline(const std::string& case_id,
                                       std::optional<absl::CivilDay> on,
                                       OutputFormat format);

  // The due list (options.today and clock_day as given).
  absl::StatusOr<std::string> Due(const DueOptions& options,
                                  OutputFormat format);

  absl::StatusOr<FeeQuote> QuoteFee(const std::string& case_id,
                                    FeeMethod method,
                                    std::optional<int64_t> pages);

  // `ogi check` judged on `today`.
  absl::StatusOr<YearCheck> Check(const ReportRequest& request,
                                  absl::CivilDay today);

  // The cases behind a cell (a page of them), from the index's cell table
  // when it is caught up, else by replay.
  absl::StatusOr<CellCases> Cases(const ReportRequest& request,
                                  const std::string& row,
                                  const std::string& column,
                                  CellPage page = {});

  // The cases whose count in a cell changed since request.as_of (a page of
  // them): ChangesOfCell with the reader's index.
  absl::StatusOr<CellChanges> Changes(const ReportRequest& request,
                                      const std::string& row,
                                      const std::string& column,
                                      CellPage page = {});

 private:
  // The options of a report from the index: with the index kept open across
  // calls (opened at the first).
  absl::StatusOr<ReportOptions> IndexOptions()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(index_mu_);
  // For a replay: the reader's calendar and notes, no index.
  ReportOptions ReplayOptions() const;

  EventStore& store_;
  const Calendar& calendar_;
  Clock& clock_;
  const std::string index_path_;
  const ReportIndex::Saving index_saving_;
  std::ostream* const notes_;
  absl::Mutex index_mu_;  // reports from the index share it
  std::unique_ptr<ReportIndex> index_ ABSL_GUARDED_BY(index_mu_);
};

}  // namespace ogi

#endif  // OGI_READ_READER_H_
