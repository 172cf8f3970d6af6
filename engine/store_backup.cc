// RocksEventStore::Backup, EventStore::Restore and engine/backups.h, on
// RocksDB's BackupEngine: a backup is a consistent copy of every column family
// (the log, its indexes and the personal-data keys) taken while appends
// continue. A writer's backups into one directory share their unchanged SST
// files; a reader (Access::kRead, perhaps behind `ogi serve`) copies its view
// entry by entry into a staging database under the backup directory and backs
// that up, so it writes nothing into the store's folder.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/utilities/backup_engine.h"

#include "engine/backups.h"
#include "engine/internal/rocks_store.h"
#include "engine/messages.h"
#include "engine/progress.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi {
namespace engine_internal {

namespace {

// The head a backup holds at least, as its application metadata.
std::string HeadMetadata(const EventStore::BackupResult& result) {
  return absl::StrCat(result.head_position, ":",
                      absl::BytesToHexString(result.head_link));
}

// Removes a directory tree when it goes out of scope.
struct RemoveOnExit {
  std::string path;
  ~RemoveOnExit() {
    std::error_code ignored;  // best effort: a leftover is removed next time
    std::filesystem::remove_all(path, ignored);
  }
};

// The bytes of the SST and WAL files a backup of `db` copies, at most (a
// file already in the backup directory is not copied again): the total of
// the progress display's "writing the backup" phase.
uint64_t FilesBytes(rocksdb::DB& db) {
  std::vector<rocksdb::LiveFileStorageInfo> files;
  if (!db.GetLiveFilesStorageInfo(rocksdb::LiveFilesStorageInfoOptions(),
                                  &files)
           .ok()) {
    return 0;
  }
  uint64_t bytes = 0;
  for (const rocksdb::LiveFileStorageInfo& f : files) bytes += f.size;
  return bytes;
}

// Creates the backup, reporting the bytes copied to `progress` (if set).
rocksdb::Status CreateBackup(rocksdb::BackupEngine& engine,
                             rocksdb::CreateBackupOptions options,
                             rocksdb::DB* db, const std::string& metadata,
                             rocksdb::BackupID* id, ProgressSink* progress) {
  // BackupEngineOptions' callback_trigger_interval_size: 4 MiB per call.
  constexpr uint64_t kBytesPerCall = 4 << 20;
  const uint64_t total = progress != nullptr ? FilesBytes(*db) : 0;
  ProgressTicker ticker(progress, Msg::kProgressBackingUp, total, 1);
  uint64_t copied = 0;
  options.progress_callback = [&] {
    copied = std::min(total, copied + kBytesPerCall);
    ticker.Tick(copied);
  };
  rocksdb::Status s =
      engine.CreateNewBackupWithMetadata(options, db, metadata, id);
  if (s.ok()) ticker.Finish();
  return s;
}

// Checks the backup's checksums, as one phase of unknown size.
rocksdb::Status CheckBackup(rocksdb::BackupEngineReadOnlyBase& engine,
                            rocksdb::BackupID id, ProgressSink* progress) {
  ProgressTicker ticker(progress, Msg::kProgressCheckingBackup, 1);
  rocksdb::Status s = engine.VerifyBackup(id, true);
  if (s.ok()) ticker.Finish();
  return s;
}

}  // namespace

absl::StatusOr<EventStore::BackupResult> RocksEventStore::BackupByCopy(
    const std::string& dest) {
  BackupResult result;
  {
    absl::MutexLock lock(&head_mu_);
    result.head_position = head_position_;
    result.head_link = head_link_;
  }
  const std::string staging =
      absl::StrCat(dest, "/.ogi-staging-", static_cast<int64_t>(::getpid()));
  std::error_code error;
  std::filesystem::remove_all(staging, error);
  std::filesystem::create_directories(dest, error);
  if (error) {
    return absl::UnavailableError(
        Text(Msg::kCannotCreate, dest, error.message()));
  }
  RemoveOnExit remove{staging};
  OGI_ASSIGN_OR_RETURN(
      std::unique_ptr<EventStore> opened,
      EventStore::Open({.path = staging, .access = Access::kCreate}));
  auto& copy = static_cast<RocksEventStore&>(*opened);
  // The view does not move (no catch-up runs meanwhile), so the families,
  // read one after the other, are one consistent cut at result.head_position.
  rocksdb::WriteOptions unlogged;  // the staging copy is flushed below
  unlogged.disableWAL = true;
  // Counted in entries: the log, its stream and eventId entries dominate.
  ProgressTicker ticker(progress(), Msg::kProgressCopying,
                        3 * result.head_position);
  uint64_t copied = 0;
  for (int f : {kDefault, kLog, kStreams, kEventIds, kKeys}) {
    rocksdb::ReadOptions read;
    read.fill_cache = false;
    read.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(f)));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      (void)batch.Put(copy.family(f), it->key(), it->value());
      ticker.Tick(++copied);
      if (batch.GetDataSize() >= (4 << 20)) {
        OGI_RETURN_IF_ERROR(FromRocksDb(copy.db_->Write(unlogged, &batch),
                                        "copying into the staging store"));
        batch.Clear();
      }
    }
    OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the store"));
    OGI_RETURN_IF_ERROR(FromRocksDb(copy.db_->Write(unlogged, &batch),
                                    "copying into the staging store"));
  }
  ticker.Finish();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  OGI_RETURN_IF_ERROR(FromRocksDb(copy.db_->Flush(flush, copy.handles_),
                                  "flushing the staging store"));
  rocksdb::BackupEngine* raw = nullptr;
  OGI_RETURN_IF_ERROR(FromRocksDb(
      rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(dest),
                                  rocksdb::Env::Default(), &raw),
      absl::StrCat("opening the backup directory ", dest)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::BackupID id = 0;
  OGI_RETURN_IF_ERROR(FromRocksDb(
      CreateBackup(*engine, rocksdb::CreateBackupOptions(), copy.db_.get(),
                   HeadMetadata(result), &id, progress()),
      absl::StrCat("backing up to ", dest)));
  OGI_RETURN_IF_ERROR(FromRocksDb(CheckBackup(*engine, id, progress()),
                                  absl::StrCat("checking backup ", id)));
  result.backup_id = id;
  return result;
}

absl::StatusOr<EventStore::BackupResult> RocksEventStore::Backup(
    const std::string& dest) {
  if (options_.access == Access::kRead) return BackupByCopy(dest);
  BackupResult result;
  {
    absl::MutexLock lock(&head_mu_);
    result.head_position = head_position_;
    result.head_link = head_link_;
  }
  rocksdb::BackupEngine* raw = nullptr;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::BackupEngine::Open(
                      rocksdb::BackupEngineOptions(dest), db_->GetEnv(), &raw),
                  absl::StrCat("opening the backup directory ", dest)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  // The live WAL is copied with the SST files, so no flush is needed to take
  // every acknowledged append; flushing first keeps the copy small.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(CreateBackup(*engine, options, db_.get(),
                               HeadMetadata(result), &id, progress()),
                  absl::StrCat("backing up to ", dest)));
  OGI_RETURN_IF_ERROR(FromRocksDb(CheckBackup(*engine, id, progress()),
                                  absl::StrCat("checking backup ", id)));
  result.backup_id = id;
  return result;
}

}  // namespace engine_internal

namespace {

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackups(
    const std::string& backup_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(backup_dir, ec)) {
    return absl::NotFoundError(Text(Msg::kNoBackupDirectory, backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::BackupEngineReadOnly::Open(
                      rocksdb::BackupEngineOptions(backup_dir),
                      rocksdb::Env::Default(), &raw),
                  absl::StrCat("opening the backup directory ", backup_dir)));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

}  // namespace

absl::StatusOr<uint32_t> EventStore::Restore(const std::string& backup_dir,
                                             const std::string& db_dir,
                                             uint32_t backup_id,
                                             ProgressSink* progress) {
  std::error_code ec;
  if (std::filesystem::exists(db_dir, ec) &&
      !std::filesystem::is_empty(db_dir, ec)) {
    return absl::FailedPreconditionError(Text(Msg::kRestoreNotEmpty, db_dir));
  }
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine,
                       OpenBackups(backup_dir));
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  if (backups.empty())
    return absl::NotFoundError(Text(Msg::kNoBackups, backup_dir));
  rocksdb::BackupID chosen = backups.back().backup_id;
  if (backup_id != 0) {
    bool found = false;
    for (const rocksdb::BackupInfo& b : backups)
      found |= b.backup_id == backup_id;
    if (!found) {
      return absl::NotFoundError(
          Text(Msg::kNoSuchBackup, backup_dir, backup_id));
    }
    chosen = backup_id;
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(engine_internal::CheckBackup(*engine, chosen, progress),
                  absl::StrCat("checking backup ", chosen)));
  ProgressTicker restoring(progress, Msg::kProgressRestoring, 1);
  OGI_RETURN_IF_ERROR(
      FromRocksDb(engine->RestoreDBFromBackup(chosen, db_dir, db_dir),
                  absl::StrCat("restoring backup ", chosen, " into ", db_dir)));
  restoring.Finish();
  return chosen;
}

absl::StatusOr<std::vector<BackupInfo>> ListBackups(
    const std::string& backup_dir) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine,
                       OpenBackups(backup_dir));
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& b : backups) {
    out.push_back({.backup_id = b.backup_id,
                   .created = absl::FromUnixSeconds(b.timestamp),
                   .bytes = b.size,
                   .files = b.number_files,
                   .head = b.app_metadata});
  }
  return out;
}

absl::Status PruneBackups(const std::string& backup_dir, uint32_t keep) {
  if (keep == 0) {
    return absl::InvalidArgumentError(Text(Msg::kKeepAtLeastOne));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(backup_dir, ec)) {
    return absl::NotFoundError(Text(Msg::kNoBackupDirectory, backup_dir));
  }
  rocksdb::BackupEngine* raw = nullptr;
  OGI_RETURN_IF_ERROR(FromRocksDb(
      rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                  rocksdb::Env::Default(), &raw),
      absl::StrCat("opening the backup directory ", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  return FromRocksDb(engine->PurgeOldBackups(keep),
                     absl::StrCat("pruning ", backup_dir));
}

}  // namespace ogi
