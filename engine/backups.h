// The backups in a backup directory, as EventStore::Backup leaves them
// (RocksDB's BackupEngine layout): listing them and pruning old ones. Each
// backup records the head it holds at least, "POSITION:HASH" in hex, as its
// application metadata. Restoring one is EventStore::Restore.
//
// Thread-compatible: two processes must not prune or back up into one
// directory at once (BackupEngine's rule).
#ifndef OGI_ENGINE_BACKUPS_H_
#define OGI_ENGINE_BACKUPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ogi {

struct BackupInfo {
  uint32_t backup_id = 0;
  absl::Time created;  // when the backup was taken
  uint64_t bytes = 0;  // the backup's files, shared ones included
  uint32_t files = 0;  // its files
  std::string head;    // "POSITION:HASH" it holds at least; empty for a
                       // backup taken before heads were recorded
};

// Returns the backups of `backup_dir`, oldest first. kNotFound if the
// directory does not exist; writes nothing.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(
    const std::string& backup_dir);

// Deletes all but the `keep` newest backups of `backup_dir`, and the files
// only they used. kInvalidArgument for keep = 0; kNotFound for a missing
// directory.
absl::Status PruneBackups(const std::string& backup_dir, uint32_t keep);

}  // namespace ogi

#endif  // OGI_ENGINE_BACKUPS_H_
