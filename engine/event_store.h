// The event store: the immutable, hash-chained log of every case and agency
// event, on RocksDB.
//
// Write path (one data path for every producer): Append → ValidateEvent →
// Decide (case_state.h / agency_state.h, against the state cache plus the
// events decided before in the same commit) → one atomic rocksdb::WriteBatch
// holding the log entries, stream and eventId index entries, with the WAL
// synced → success. Concurrent Append calls queue; the writer at the head of
// the queue commits the whole queue as one group (LevelDB's DBImpl::Write), so
// many threads share one fsync while positions stay gap-free and every version
// check sees the events committed before it. Each call stays atomic on its own:
// a refused call writes nothing and does not affect the others of its group.
//
// recordedAt is the commit instant from the injected clock, made non-decreasing
// along the log (the later of the clock and the previous event's), so the
// events recorded by any instant are a prefix of the log.
//
// Read path: streams in version order, the global log from a position, an event
// by eventId. Replay of a case after reopen goes through the same
// ApplyCaseChange as the live path. Layout: engine/key_codec.h.
//
// Thread-safe. One process may open a store for writing at a time (RocksDB's
// lock file); any number may open it for reading (Access::kRead), which writes
// nothing into the store's folder, even while it is written.
#ifndef OGI_ENGINE_EVENT_STORE_H_
#define OGI_ENGINE_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

#include "engine/clock.h"
#include "engine/key_codec.h"
#include "engine/progress.h"
#include "proto/event.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace ogi {

struct AppendedEvent {
  enum class Outcome { kAppended, kDuplicate };
  Outcome outcome;
  uint64_t
      position;  // the new event's, or for a duplicate the stored original's
  uint32_t version;
};

struct StoreStats {
  uint64_t events = 0;    // = head position
  uint64_t cases = 0;     // case streams
  uint64_t agencies = 0;  // agency streams
  std::string head_link;  // chain link of the head (kLinkSize bytes; zeros for
                          // an empty store)
  uint64_t bytes_on_disk = 0;
};

// A dry run of appends: decides events one at a time against the store plus the
// events it accepted before, and writes nothing. Not thread-safe. Must not
// outlive the store that made it.
class DryRun {
 public:
  virtual ~DryRun() = default;
  // Returns what Append would return for this one event after the events this
  // dry run accepted before; an accepted event is remembered, a refused one is
  // not.
  virtual absl::StatusOr<AppendedEvent> Check(const v1::Event& event) = 0;
};

// An import being staged (EventStore::BeginImport): events are decided one at
// a time, like a dry run, and the accepted ones are written, with their log
// records, chain links and index entries, into sorted files in a staging folder
// inside the store. Nothing is visible until Commit, which adds them all in one
// step; destroying an uncommitted import deletes what it staged, and a crash
// leaves only the staging folder, which the next open deletes
// (docs/STORAGE.md). Not thread-safe. Must not outlive the store that made it.
class StagedImport {
 public:
  virtual ~StagedImport() = default;

  // Returns what Append would return for this one event after the events
  // staged before it, and stages it if accepted. A refused event (the codes
  // of Append) is not staged and the import can no longer commit, but later
  // events are still decided, so a caller can report every refusal.
  // kUnavailable if staging fails (I/O, a full disk): nothing can commit.
  virtual absl::StatusOr<AppendedEvent> Add(const v1::Event& event) = 0;

  // Makes every staged event durable and visible at once, if no append or
  // import changed the head since BeginImport, and returns the new head.
  // Errors, each with nothing written: kFailedPrecondition (an event was
  // refused), kAborted (the head moved: stage again), kUnavailable (staging
  // or ingestion failed; after a failed ingestion the store refuses every
  // later write, as after a failed Append).
  virtual absl::StatusOr<uint64_t> Commit() = 0;
};

class EventStore {
 public:
  // How Open treats the store's folder.
  enum class Access {
    // Read and write; creates the store if the folder holds none.
    kCreate,
    // Read and write an existing store; kNotFound if the folder holds none.
    kWrite,
    // Read only, writing nothing into the folder (which may be read-only or on
    // a read-only mount); kNotFound if it holds no store. If another process
    // has the store open for writing (`ogi serve`), reads go through a
    // RocksDB secondary instance that catches up with the writer once, at
    // open: every read answers as of the head then, which holds every event
    // the writer acknowledged before the open. Append and PurgeErasedKeys
    // return kFailedPrecondition.
    kRead,
  };

  struct Options {
    std::string path;
    Access access = Access::kCreate;
    // The source of recordedAt and of the recording date. nullptr:
    // SystemClock(). Must outlive the store.
    Clock* clock = nullptr;
    // Case states kept in memory between appends; beyond it the cache is
    // emptied and refilled from the log.
    size_t case_cache_capacity = 100000;
    // RocksDB's environment (files, threads). nullptr: rocksdb::Env::Default().
    // Tests inject I/O failures through it. Must outlive the store.
    rocksdb::Env* env = nullptr;
    // Memory an import (BeginImport) may use to sort its index entries
    // before it spills a sorted run to its staging folder.
    size_t import_sort_bytes = size_t{80} << 20;
    // Case states an import keeps in memory (and personal-data key entries;
    // four times as many eventIds): beyond it, what it decided moves to a
    // scratch store in its staging folder, so memory is bounded by this and
    // not by the size of the file (docs/STORAGE.md, "Imports").
    size_t import_held_cases = 200000;
  };

  // Opens the store (creates it with kCreate). Returns kNotFound naming the
  // folder if it holds no store (kWrite, kRead), kUnavailable if it cannot be
  // opened (e.g. locked by another process, for kCreate and kWrite),
  // kDataLoss if it is not an ogi store or its head does not decode.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(
      const Options& options);

  // Returns whether the folder `path` holds a store (RocksDB's CURRENT file);
  // reads only.
  static bool Exists(const std::string& path);

  virtual ~EventStore() = default;

  // Where Verify, Backup and the report index's catch-up on this store say
  // how far they got (engine/progress.h); null (the default): nowhere. Set it
  // before starting the work; `sink` must outlive it.
  void set_progress(ProgressSink* sink) { progress_ = sink; }
  ProgressSink* progress() const { return progress_; }

  // Returns whether reads go through a secondary instance, because another
  // process writes the store (Access::kRead only).
  virtual bool ReadsBehindWriter() const = 0;

  // For a store read behind a writer: catches up with the writer's head (so
  // HeadPosition and every later read include what it acknowledged by now).
  // OK and nothing to do otherwise.
  virtual absl::Status CatchUpWithWriter() = 0;

  // Appends `events` atomically (all or none), to one or several streams, and
  // returns once they are durable (WAL synced), with one result per event in
  // order. Errors: kInvalidArgument (malformed), kNotFound (unknown case or
  // agency), kAlreadyExists (a second `received` or registration, a reused
  // eventId with other content), kFailedPrecondition (the lifecycle refuses the
  // step), kAborted (expectedVersion mismatch), kDataLoss (stored state does
  // not decode), kUnavailable (I/O: the store then refuses every later append,
  // since it cannot know what is durable). The message names the event's index
  // when there are several, its stream and field.
  virtual absl::StatusOr<std::vector<AppendedEvent>> Append(
      absl::Span<const v1::Event> events) = 0;

  // Returns a new dry run over the store's current state.
  // `expected_events`, if known, sizes its tables up front (a whole-file dry
  // run would otherwise pass through rehashes that hold two tables at once).
  virtual std::unique_ptr<DryRun> NewDryRun(size_t expected_events = 0) = 0;

  // Begins an import over the store's current head; see StagedImport.
  // `expected_events`, if known, sizes its tables. kUnavailable if the
  // staging folder cannot be created.
  virtual absl::StatusOr<std::unique_ptr<StagedImport>> BeginImport(
      size_t expected_events) = 0;

  // Returns the stream's events in version order (empty if it does not exist),
  // personal data revealed; kDataLoss if one does not decode.
  virtual absl::StatusOr<std::vector<v1::Event>> ReadStream(
      const StreamId& stream) = 0;

  // Returns the ids of the agencies that have a stream (every registered
  // one), in byte order, from the stream index: one seek per agency, however
  // long the log.
  virtual absl::StatusOr<std::vector<std::string>> AgencyIds() = 0;

  // Whether a scan recomputes each record's chain link (one SHA-256 per
  // event) and compares it with the stored link. Gaps and undecodable records
  // are always kDataLoss; kSkip is for projections that rebuild often, and
  // leaves detecting altered bytes to a verifying scan.
  enum class ChainCheck { kVerify, kSkip };

  // Whether reads decrypt applicants' personal data (engine/personal_data.h):
  // kReveal restores name, ID number and contact (or marks them erased);
  // kSealed leaves them sealed, for projections that never read them.
  enum class PersonalData { kReveal, kSealed };

  // Calls `visit` with each event from position `from` (1 = the start) in
  // position order, until the end of the log or the first non-OK status from
  // `visit`, which is returned. kDataLoss if a position is missing, a stored
  // event does not decode, or (kVerify) a record does not match its link.
  virtual absl::Status ScanLog(
      uint64_t from, absl::FunctionRef<absl::Status(const v1::Event&)> visit,
      ChainCheck check, PersonalData personal_data) = 0;
  absl::Status ScanLog(uint64_t from,
                       absl::FunctionRef<absl::Status(const v1::Event&)> visit,
                       ChainCheck check) {
    return ScanLog(from, visit, check, PersonalData::kReveal);
  }
  absl::Status ScanLog(
      uint64_t from, absl::FunctionRef<absl::Status(const v1::Event&)> visit) {
    return ScanLog(from, visit, ChainCheck::kVerify, PersonalData::kReveal);
  }

  // A log entry as stored: its position and its record (the serialized
  // v1::Event, personal data sealed). The view is valid during the visit only.
  struct StoredRecord {
    uint64_t position;
    absl::string_view record;
  };

  // Like ScanLog, for readers that decode only what they need
  // (engine/event_view.h): calls `visit` with each record from position
  // `from` in order, undecoded. kDataLoss if a position is missing, a value is
  // of an unknown format or too short, or (kVerify) a record does not match
  // its link; whether a record decodes, and says its position, is the
  // visitor's to check (DecodeRecord, DecodeEventView).
  virtual absl::Status ScanRecords(
      uint64_t from, absl::FunctionRef<absl::Status(const StoredRecord&)> visit,
      ChainCheck check) = 0;

  // Returns the stored event with eventId `event_id` in the namespace of
  // agency `agency_id` (eventIds are scoped by the agency of the event's
  // stream: engine/event_id.h), personal data revealed, or nullopt.
  // kFailedPrecondition on a store of format 1 opened for reading (its index
  // is not scoped yet: docs/STORAGE.md, "Format versions").
  virtual absl::StatusOr<std::optional<v1::Event>> FindByEventId(
      absl::string_view agency_id, absl::string_view event_id) = 0;

  // Returns the stored event that `event`, not yet appended, would be a retry
  // of: the one with its eventId in its stream's agency's namespace (for a
  // case event other than `received`, the case's stored agency, whatever
  // agency it claims), or nullopt (no eventId, or none stored).
  virtual absl::StatusOr<std::optional<v1::Event>> FindRetryOf(
      const v1::Event& event) = 0;

  // Returns whether this open migrated the store from an older format
  // (docs/STORAGE.md, "Format versions"): a writing open does it first.
  virtual bool Migrated() const = 0;

  // Returns the position of the last event (0 when empty).
  virtual uint64_t HeadPosition() = 0;

  // Returns the chain link stored at `position` (kLinkSize bytes; zeros for
  // position 0). kOutOfRange past the head, kDataLoss if the entry is missing
  // or does not decode. The link at P is a digest of the whole log up to P.
  virtual absl::StatusOr<std::string> LinkAt(uint64_t position) = 0;

  // Returns the cases whose applicant has this ID number or, for applicants
  // who gave none, this name (through blind tokens: engine/personal_data.h).
  // Cases whose personal data was erased are not found.
  virtual absl::StatusOr<std::vector<std::string>> CasesOfApplicant(
      absl::string_view id_number_or_name) = 0;

  // Makes erasures (personalDataErased events) final on disk: flushes every
  // column family, so no WAL file keeps a destroyed key, and compacts the
  // "keys" family so no SST file does. Slow; call after erasing.
  virtual absl::Status PurgeErasedKeys() = 0;

  struct BackupResult {
    uint32_t backup_id = 0;      // in the backup directory
    uint64_t head_position = 0;  // the head when the backup began: it holds
    std::string head_link;       // at least every event up to it
  };

  // Copies the store (every column family, consistently) into a new backup in
  // directory `dest` (created if missing), while appends continue, and checks
  // the copy's checksums. A store opened for writing is copied file by file
  // (backups in one directory share unchanged files); one opened with kRead
  // is copied entry by entry from its one view into a fresh database under
  // `dest`, which is then backed up and removed, so nothing is written into
  // the store's folder and a writer may run (engine/backups.h lists, prunes).
  virtual absl::StatusOr<BackupResult> Backup(const std::string& dest) = 0;

  // Restores backup `backup_id` (0: the latest) of `backup_dir` into
  // `db_dir`, which must not exist or be empty (kFailedPrecondition
  // otherwise), after checking the backup's checksums; returns the backup's
  // id. kNotFound for a missing directory or backup. Open and Verify the
  // result. Its phases are reported to `progress` if not null.
  static absl::StatusOr<uint32_t> Restore(const std::string& backup_dir,
                                          const std::string& db_dir,
                                          uint32_t backup_id = 0,
                                          ProgressSink* progress = nullptr);

  struct VerifyResult {
    uint64_t events = 0;         // events checked (from `from` to the head)
    uint64_t head_position = 0;  // the head on the snapshot verified
    std::string head_link;       // its chain link
  };

  // Checks the log against itself and its indexes, on one snapshot (appends
  // may continue meanwhile): every position from `from` (1 = the start) to the
  // head is present and in order; every stored event decodes, says its
  // position and matches its chain link (so a value altered, a key deleted or
  // events reordered are caught); every event has its "streams" entry (its
  // stream and version) and "event_ids" entry pointing back at it; from the
  // start, the indexes hold nothing else and the stream counts agree.
  // kDataLoss names the first position (and its case or agency) or index
  // entry that does not.
  virtual absl::StatusOr<VerifyResult> Verify(uint64_t from) = 0;

  virtual absl::StatusOr<StoreStats> Stats() = 0;

 private:
  ProgressSink* progress_ = nullptr;
};

}  // namespace ogi

#endif  // OGI_ENGINE_EVENT_STORE_H_
