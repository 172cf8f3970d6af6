// Converts RocksDB statuses at the storage edge; see rocksdb_status.h.
#include "engine/rocksdb_status.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "engine/messages.h"

namespace ogi {

absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = Text(Msg::kStorageFailed, context, status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsInvalidArgument() || status.IsNotSupported()) {
    return absl::InvalidArgumentError(message);
  }
  return absl::UnavailableError(message);
}

}  // namespace ogi
