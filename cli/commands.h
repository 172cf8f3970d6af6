// The `ogi` sub-commands as functions: each takes its parsed options and the
// streams to write to, and returns a Status, so tests call them directly and
// main.cc only parses flags and prints the one error at the top.
//
// Output conventions: results on `out`; progress and per-line refusals on
// `err`; the returned Status carries the one-line summary of a failure.
// Applicant personal data appears only where --show-personal-data asks for it.
#ifndef OGI_CLI_COMMANDS_H_
#define OGI_CLI_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "engine/import_policy.h"
#include "gen/gen_log.h"
#include "projections/annual_report.h"
#include "projections/report_index.h"
#include "projections/report_render.h"
#include "read/deadlines.h"
#include "read/fee_quote.h"
#include "read/output.h"
#include "read/report_extras.h"
#include "read/reports.h"

namespace ogi {

enum class PersonalData { kMasked, kShown };
enum class Progress { kOff, kOn };

enum class ImportMode { kImport, kDryRun };

struct ImportOptions {
  std::string path;  // a JSON Lines file, or "-" for standard input
  // refusals printed before validation stops
  size_t max_errors = kImportMaxRefusals;
  Progress progress = Progress::kOff;
  ImportMode mode = ImportMode::kImport;
  // kText: one summary line; kJson: one JSON object; nullopt: none (--quiet).
  std::optional<OutputFormat> summary = OutputFormat::kText;
  // Asked before each line and before the commit; true stops the import with
  // kCancelled and nothing written (main.cc: SIGINT or SIGTERM came).
  std::function<bool()> interrupted = nullptr;
};

struct ImportSummary {
  uint64_t lines = 0;
  uint64_t appended = 0;
  uint64_t duplicates = 0;
  double seconds = 0;
};

// Checks every line of the file against the store and the lines before it and
// stages the accepted events (EventStore::BeginImport); if any line is
// refused, writes "PATH:LINE: message" to `err` for each (up to max_errors),
// writes nothing to the store and returns kInvalidArgument. Otherwise makes
// the whole file visible in one atomic step and writes a summary to `out`.
// kDryRun checks only, writes nothing and summarises what would be appended.
// Re-importing events already stored (by eventId; every stored event has one)
// is a no-op. Returns kNotFound if the file is missing, kInvalidArgument for a
// directory, kCancelled if interrupted (nothing written), kAborted if another
// writer moved the head meanwhile (nothing written).
absl::StatusOr<ImportSummary> ImportCommand(EventStore& store,
                                            const ImportOptions& options,
                                            std::ostream& out,
                                            std::ostream& err);

// Appends one event given as JSON; `expected_version`, if set, overrides the
// event's. Writes "position P (STREAM version V)" to `out`, or notes a
// duplicate; kJson: {"position","stream","version","duplicate"}. A stale
// expected version is kAborted.
absl::Status AppendCommand(EventStore& store, const std::string& json,
                           std::optional<uint32_t> expected_version,
                           std::ostream& out,
                           OutputFormat format = OutputFormat::kText);

struct ExportOptions {
  std::string case_id;  // only this case's events, if set
  std::string
      agency_id;  // only this agency's events (its own and its cases'), if set
};

// Writes the stored events as JSON Lines, with recordedAt, version and
// position, in position order. kNotFound for an agency not registered.
absl::Status ExportCommand(EventStore& store, const ExportOptions& options,
                           std::ostream& out);

// Writes the case's timeline for a person (text) or as JSON, with its
// compliance flags as judged on `judge`. Returns kNotFound for an unknown case.
absl::Status HistoryCommand(EventStore& store, const std::string& case_id,
                            OutputFormat format, PersonalData personal_data,
                            const Judge& judge, std::ostream& out);

// Writes events, cases, agencies, the head position and link, events by payload
// and size on disk.
absl::Status StatsCommand(EventStore& store, OutputFormat format,
                          std::ostream& out);

// The report index's file in the store `db` (RocksDB leaves files it does
// not own alone); it is derived, so deleting it only costs a rebuild.
std::string ReportIndexPath(const std::string& db);

// Brings the report index at `index_path` up to the head of the log and saves
// it (`ogi reindex`; commands that only read catch it up in memory), then
// writes its position and how many events were folded.
absl::Status ReindexCommand(EventStore& store, const std::string& index_path,
                            std::ostream& out);

// Writes the year's report (tables, or the whole document in md/html).
// kNotFound for an unknown agency.
absl::Status ReportCommand(EventStore& store, const ReportOptions& options,
                           std::ostream& out);

// Writes the cases behind one cell of part 三 or part 四: `row` is a part 三
// row code or a part 四 group code, `column` a column code; from the report
// index's cell table when `index` names a caught-up one.
absl::Status CasesCommand(EventStore& store, ReportRequest request,
                          const std::string& row, const std::string& column,
                          std::ostream& out,
                          OutputFormat format = OutputFormat::kText,
                          const ReportOptions& index = {});

// Runs the consistency checks on the year's report and the year before it.
// Writes the findings; returns kFailedPrecondition if any is an error.
// `index` gives the index's path, saving and notes as for ReportCommand; the
// compliance flags are judged on `judge`.
absl::Status CheckCommand(EventStore& store, ReportRequest request,
                          const ReportOptions& index, const Judge& judge,
                          std::ostream& out,
                          OutputFormat format = OutputFormat::kText);

// Runs the same checks on a typed table in the CSV contract.
absl::Status CheckTableCommand(const std::string& path, std::ostream& out,
                               OutputFormat format = OutputFormat::kText);

// Builds the demo store: the seed agency (乌拉特中旗教育局) with the log behind
// its 2023 report, and a generated multi-agency, multi-year log; then writes
// the seed agency's 2023 report and the generated city's roll-up. The store
// must hold no event yet (kFailedPrecondition otherwise): the sample never
// mixes into a real log.
absl::Status DemoCommand(EventStore& store, std::ostream& out);

// A point of the log: its position and the chain link there, which is a
// digest of every event up to it.
struct Digest {
  uint64_t position = 0;
  std::string link;  // kLinkSize bytes
};

// Parses "POSITION:HASH" (HASH in hex), as DigestCommand writes it.
absl::StatusOr<Digest> ParseDigest(absl::string_view text);

// Writes the head as "POSITION:HASH".
absl::Status DigestCommand(EventStore& store, std::ostream& out);

struct VerifyOptions {
  uint64_t from = 1;
  // Also prove that the log still extends exactly this digest (e.g. the one a
  // published report carries). Needs from = 1.
  std::optional<Digest> digest;
  // The report index to check against the log (from = 1 only); empty: none.
  std::string report_index_path;
};

// Runs EventStore::Verify, checks the report index, and the digest if given.
// Writes what was checked and the head; the first problem is the returned
// kDataLoss, naming the position and case.
absl::Status VerifyCommand(EventStore& store, const VerifyOptions& options,
                           std::ostream& out);

// Backs the store up into `dest` (EventStore::Backup) and writes the head it
// holds at least; then, if `keep` > 0, deletes all but the `keep` newest
// backups there.
absl::Status BackupCommand(EventStore& store, const std::string& dest,
                           uint32_t keep, std::ostream& out);

// Writes the backups in `dest`, oldest first: id, when, size, files, head.
absl::Status BackupListCommand(const std::string& dest, std::ostream& out);

// Restores backup `backup_id` (0: the latest) in `backup_dir` into the new
// directory `db_dir`, opens and verifies it, and writes the head. Needs no
// open store. Its phases (checking, restoring, verifying) are reported to
// `progress` if not null.
absl::Status RestoreCommand(const std::string& backup_dir,
                            const std::string& db_dir, uint32_t backup_id,
                            std::ostream& out,
                            ProgressSink* progress = nullptr);

struct EraseOptions {
  std::string case_id;    // this case's applicant, or
  std::string applicant;  // every case whose applicant has this ID number
                          // (or, without one, this name)
  std::string reason;     // recorded in the event
  std::string actor;      // who erased it, recorded in the event
  absl::CivilDay today;   // the event's occurredOn
};

// Destroys the personal-data key of each case (one personalDataErased event
// per case, appended atomically), then purges the destroyed keys from disk.
// Cases already erased are listed and skipped. kNotFound for an unknown case
// or an applicant no case has; the message never repeats the applicant value.
absl::Status ErasePersonalDataCommand(EventStore& store,
                                      const EraseOptions& options,
                                      std::ostream& out);

// Writes the deadline: JSON (caseId, dayZero, dueOn, calendarKnown, status,
// concludedOn, overdue, workingDaysLeft/-Overdue, waitingFor, derivation,
// flags, calendarYears), or text a clerk can read aloud.
absl::Status DeadlineCommand(EventStore& store, const std::string& case_id,
                             const Calendar& calendar, absl::CivilDay today,
                             OutputFormat format, std::ostream& out);

// Writes the open cases ordered by due date, with working days left or
// overdue and what each waits for: the daily work list.
absl::Status DueCommand(EventStore& store, const DueOptions& options,
                        const Calendar& calendar, std::ostream& out,
                        OutputFormat format = OutputFormat::kText);

// Writes the fee quote and its derivation.
absl::Status FeeQuoteCommand(EventStore& store, const std::string& case_id,
                             FeeMethod method, std::optional<int64_t> pages,
                             std::ostream& out);

}  // namespace ogi

#endif  // OGI_CLI_COMMANDS_H_
