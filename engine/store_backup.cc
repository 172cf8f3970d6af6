// RocksEventStore::Backup and EventStore::Restore, on RocksDB's BackupEngine:
// a backup is a consistent copy of every column family (the log, its indexes
// and the personal-data keys) taken while appends continue; backups into one
// directory share their unchanged SST files.
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "rocksdb/utilities/backup_engine.h"

#include "engine/internal/rocks_store.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi {
namespace engine_internal {

absl::StatusOr<EventStore::BackupResult> RocksEventStore::Backup(
    const std::string& dest) {
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
      FromRocksDb(engine->CreateNewBackup(options, db_.get(), &id),
                  absl::StrCat("backing up to ", dest)));
  OGI_RETURN_IF_ERROR(FromRocksDb(engine->VerifyBackup(id, true),
                                  absl::StrCat("checking backup ", id)));
  result.backup_id = id;
  return result;
}

}  // namespace engine_internal

absl::StatusOr<uint32_t> EventStore::Restore(const std::string& backup_dir,
                                             const std::string& db_dir) {
  std::error_code ec;
  if (std::filesystem::exists(db_dir, ec) &&
      !std::filesystem::is_empty(db_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        db_dir,
        " is not empty: restore only into a new directory (move the "
        "old store away first)"));
  }
  if (!std::filesystem::exists(backup_dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("no backup directory ", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::BackupEngineReadOnly::Open(
                      rocksdb::BackupEngineOptions(backup_dir),
                      rocksdb::Env::Default(), &raw),
                  absl::StrCat("opening the backup directory ", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  if (backups.empty())
    return absl::NotFoundError(absl::StrCat(backup_dir, " holds no backup"));
  const rocksdb::BackupID latest = backups.back().backup_id;
  OGI_RETURN_IF_ERROR(FromRocksDb(engine->VerifyBackup(latest, true),
                                  absl::StrCat("checking backup ", latest)));
  OGI_RETURN_IF_ERROR(
      FromRocksDb(engine->RestoreDBFromBackup(latest, db_dir, db_dir),
                  absl::StrCat("restoring backup ", latest, " into ", db_dir)));
  return latest;
}

}  // namespace ogi
