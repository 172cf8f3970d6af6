// The RocksDB event store's class, shared by the files that implement it:
// event_store.cc (open, append, read), store_verify.cc (verify, links) and
// store_backup.cc (backup, restore). Layout: engine/key_codec.h.
#ifndef OGI_ENGINE_INTERNAL_ROCKS_STORE_H_
#define OGI_ENGINE_INTERNAL_ROCKS_STORE_H_

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/internal/decider.h"
#include "engine/payload.h"
#include "engine/personal_data.h"

namespace ogi::engine_internal {

inline rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
inline absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

class RocksEventStore;

// A case's "k" entry in the "keys" family: its personal-data key and the
// blind tokens of its applicants (store_personal.cc).
struct KeyEntry {
  PersonalKey key;
  std::vector<std::string> tokens;
  bool changed = false;  // to be written with the batch
  bool erased = false;   // to be deleted with the batch
};

// The value of a case's "k" entry: key id, key, then its tokens.
std::string EncodeKeyEntry(const KeyEntry& entry);

// The key entries an import staged, read before the store's (a staged import
// cannot read its own entries back from RocksDB). nullopt: no key.
struct KeyOverlay {
  using Map = absl::node_hash_map<std::string, std::optional<KeyEntry>>;
  Map entries;
  // Where entries moved out of `entries` went (a bounded import), as
  // EncodeKeyEntry's bytes, or "" for no key; read before the store's.
  ScratchStore* scratch = nullptr;
};

// What a staged import hands the store to make visible (store_import.cc).
struct StagedFiles {
  std::vector<std::pair<int, std::vector<std::string>>> families;
  uint64_t base_head;  // the head the import was staged on
  uint64_t head;
  std::string head_link;
  absl::Time recorded_at;
  uint64_t cases;
  uint64_t agencies;
};

// Reads stored state straight from RocksDB.
class DbSource : public StateSource {
 public:
  explicit DbSource(RocksEventStore& store) : store_(store) {}
  absl::StatusOr<CaseState> LoadCase(const std::string& case_id) override;
  absl::StatusOr<AgencyState> LoadAgency(const std::string& agency_id) override;
  absl::StatusOr<std::optional<v1::Event>> LoadByEventId(
      const std::string& agency_id, const std::string& event_id) override;

 protected:
  RocksEventStore& store_;
};

class RocksEventStore final : public EventStore {
 public:
  // `behind_writer`: `db` is a secondary instance of a store another process
  // writes.
  RocksEventStore(Options options, std::unique_ptr<rocksdb::DB> db,
                  std::vector<rocksdb::ColumnFamilyHandle*> handles,
                  bool behind_writer = false)
      : options_(std::move(options)),
        db_(std::move(db)),
        handles_(std::move(handles)),
        behind_writer_(behind_writer),
        db_source_(*this) {}

  ~RocksEventStore() override {
    for (auto* handle : handles_)
      (void)db_->DestroyColumnFamilyHandle(
          handle);  // only fails on a bad handle
  }

  absl::Status Load();
  // store_migrate.cc. Re-keys the "event_ids" family of a format-1 store by
  // agency (EventIdKeyOf) from the log, then writes the format key; safe to
  // run again after a crash part way. REQUIRES: open for writing.
  absl::Status MigrateEventIds();
  // kFailedPrecondition if the "event_ids" family is still in format 1 (a
  // store of that format opened for reading), saying how to migrate it.
  absl::Status CheckEventIdsScoped() const;
  // store_personal.cc. Reads (or creates) the pepper of the blind tokens.
  absl::Status LoadPepper();
  absl::StatusOr<std::vector<AppendedEvent>> Append(
      absl::Span<const v1::Event> events) override;
  std::unique_ptr<DryRun> NewDryRun(size_t expected_events) override;
  absl::StatusOr<std::unique_ptr<StagedImport>> BeginImport(
      size_t expected_events) override;
  absl::StatusOr<std::vector<v1::Event>> ReadStream(
      const StreamId& stream) override;
  absl::StatusOr<std::vector<std::string>> AgencyIds() override;
  using EventStore::ScanLog;
  absl::Status ScanLog(uint64_t from,
                       absl::FunctionRef<absl::Status(const v1::Event&)> visit,
                       ChainCheck check, PersonalData personal_data) override;
  absl::Status ScanRecords(
      uint64_t from, absl::FunctionRef<absl::Status(const StoredRecord&)> visit,
      ChainCheck check) override;
  absl::StatusOr<std::optional<v1::Event>> FindByEventId(
      absl::string_view agency_id, absl::string_view event_id) override;
  absl::StatusOr<std::optional<v1::Event>> FindRetryOf(
      const v1::Event& event) override;
  bool Migrated() const override { return migrated_; }
  uint64_t HeadPosition() override {
    absl::MutexLock lock(&head_mu_);
    return head_position_;
  }
  absl::StatusOr<StoreStats> Stats() override;
  absl::StatusOr<std::string> LinkAt(uint64_t position) override;
  absl::StatusOr<VerifyResult> Verify(uint64_t from) override;
  absl::StatusOr<std::vector<std::string>> CasesOfApplicant(
      absl::string_view id_number_or_name) override;
  absl::Status PurgeErasedKeys() override;
  absl::StatusOr<BackupResult> Backup(const std::string& dest) override;
  bool ReadsBehindWriter() const override { return behind_writer_; }
  absl::Status CatchUpWithWriter() override;

  Clock& clock() { return *options_.clock; }

  // store_import.cc. Deletes what crashed imports left in the staging folder.
  // REQUIRES: the store is open for writing (it holds RocksDB's lock).
  absl::Status RemoveStaging();
  // Ingests `staged` into the store atomically if the head is still
  // staged.base_head; see StagedImport::Commit.
  absl::Status IngestStaged(const StagedFiles& staged);
  // Seals the applicants of `events` like SealPersonalData, reading and
  // updating `overlay` first: for a staged import.
  absl::Status SealStaged(absl::Span<v1::Event* const> events,
                          rocksdb::WriteBatch& batch, KeyOverlay& overlay) {
    return SealPersonalData(events, batch, &overlay);
  }

 private:
  struct Writer {
    explicit Writer(absl::Span<const v1::Event> e) : events(e) {}
    absl::Span<const v1::Event> events;
    absl::StatusOr<std::vector<AppendedEvent>> result;
    bool done = false;
    absl::CondVar cv;
  };

  // Reads the leader's cache first, then RocksDB. Only the commit leader uses
  // it.
  class CachedSource : public DbSource {
   public:
    explicit CachedSource(RocksEventStore& store) : DbSource(store) {}
    absl::StatusOr<CaseState> LoadCase(const std::string& case_id) override {
      if (auto it = store_.case_cache_.find(case_id);
          it != store_.case_cache_.end())
        return it->second;
      return DbSource::LoadCase(case_id);
    }
    absl::StatusOr<AgencyState> LoadAgency(
        const std::string& agency_id) override {
      if (auto it = store_.agency_cache_.find(agency_id);
          it != store_.agency_cache_.end())
        return it->second;
      return DbSource::LoadAgency(agency_id);
    }
  };

  rocksdb::ColumnFamilyHandle* family(int i) { return handles_[i]; }
  // kFailedPrecondition for a store opened with Access::kRead.
  absl::Status CheckWritable() const;
  // Returns a snapshot for a consistent multi-read, or nullptr for a store
  // opened for reading, whose view never moves between catch-ups (and whose
  // secondary instance supports no snapshots).
  const rocksdb::Snapshot* ReadSnapshot() {
    return options_.access == Access::kRead ? nullptr : db_->GetSnapshot();
  }
  // Backup for a store opened for reading: an entry-by-entry copy.
  absl::StatusOr<BackupResult> BackupByCopy(const std::string& dest);
  void CommitGroup(absl::Span<Writer* const> group);
  // Returns the chain link of position - 1 (zeros for position 1); kDataLoss if
  // that entry is missing.
  absl::StatusOr<std::string> LinkBefore(uint64_t position);
  // The one scan of the log behind ScanLog and ScanRecords: checks positions
  // and (kVerify) chain links, calling `before_link` before each record's link
  // is checked and `visit` after.
  absl::Status ScanStored(
      uint64_t from, ChainCheck check,
      absl::FunctionRef<absl::Status(const StoredRecord&)> before_link,
      absl::FunctionRef<absl::Status(const StoredRecord&)> visit);
  // Verify's second pass, once the index digests disagree with the log:
  // returns kDataLoss naming the first entry that is wrong.
  absl::Status IndexMismatch(const rocksdb::ReadOptions& read, uint64_t head);

  // Seals the applicants of `events` (about to be stored) and adds the key
  // entries they need, and the deletions personalDataErased events make, to
  // `batch`. Only the commit leader calls it.
  absl::Status SealPersonalData(absl::Span<v1::Event* const> events,
                                rocksdb::WriteBatch& batch,
                                KeyOverlay* overlay = nullptr);
  // Decrypts the applicant of a stored event, or marks it erased.
  absl::Status RevealPersonalData(v1::Event& event,
                                  const rocksdb::ReadOptions& read);

  friend class DbSource;
  friend class RocksStagedImport;
  static constexpr int kDefault = 0, kLog = 1, kStreams = 2, kEventIds = 3,
                       kKeys = 4;

  const Options options_;
  const std::unique_ptr<rocksdb::DB> db_;
  const std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const bool behind_writer_;
  DbSource db_source_;

  absl::Mutex mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  // Held by the commit leader and by an import's ingestion: one changes the
  // head at a time, and the caches below are theirs.
  absl::Mutex commit_mu_;
  uint64_t imports_started_ = 0;  // names staging folders; under commit_mu_

  absl::Mutex head_mu_;
  uint64_t head_position_ ABSL_GUARDED_BY(head_mu_) = 0;
  absl::Time last_recorded_at_ ABSL_GUARDED_BY(head_mu_) = absl::InfinitePast();
  std::string head_link_ ABSL_GUARDED_BY(head_mu_) = std::string(kLinkSize,
                                                                 '\0');
  uint64_t case_count_ ABSL_GUARDED_BY(head_mu_) = 0;
  uint64_t agency_count_ ABSL_GUARDED_BY(head_mu_) = 0;
  absl::Status sticky_error_ ABSL_GUARDED_BY(head_mu_);
  std::string pepper_;  // set by Load, then read-only
  // Set by Load: the store is of format 1 and opened for reading, so its
  // "event_ids" keys are bare eventIds (a writing open migrates them).
  std::atomic<bool> unscoped_event_ids_{false};
  bool migrated_ = false;  // set by Load

  // Owned by the commit leader (one at a time, serialised by the writer queue).
  absl::flat_hash_map<std::string, CaseState> case_cache_;
  absl::flat_hash_map<std::string, AgencyState> agency_cache_;
};

}  // namespace ogi::engine_internal

#endif  // OGI_ENGINE_INTERNAL_ROCKS_STORE_H_
