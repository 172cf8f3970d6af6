// The one place where RocksDB's Status becomes an absl::Status.
#ifndef OGI_ENGINE_ROCKSDB_STATUS_H_
#define OGI_ENGINE_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace ogi {

// Returns OK for an OK status; otherwise a status whose message starts with
// `context`: corruption → kDataLoss, not found → kNotFound, invalid argument /
// not supported → kInvalidArgument, everything else (I/O errors, a locked or
// busy store) → kUnavailable.
absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context);

}  // namespace ogi

#endif  // OGI_ENGINE_ROCKSDB_STATUS_H_
