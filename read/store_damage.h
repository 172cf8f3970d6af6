// What a damaged store's files (a RocksDB block that fails its checksum, a
// missing file) mean for the log: which positions can no longer be read.
#ifndef OGI_READ_STORE_DAMAGE_H_
#define OGI_READ_STORE_DAMAGE_H_

#include "absl/status/status.h"

#include "engine/event_store.h"

namespace ogi {

// Reads every record of the log without decoding it (no chain check): OK if
// each can be read, else ExplainDamage of the failure. Cheaper than a replay;
// for answers (a report from the report index) that do not read the log.
absl::Status CheckLogReadable(EventStore& store);

// `error` (from reading `store`) as an auditor needs it: when it is RocksDB's
// text about a damaged file rather than a finding that names a position,
// kDataLoss naming the positions that cannot be read ("the log reads up to
// position N of H; positions N+1-H cannot be read"), with RocksDB's text
// after it and what to do. Any other status is returned as it is.
absl::Status ExplainDamage(EventStore& store, const absl::Status& error);

}  // namespace ogi

#endif  // OGI_READ_STORE_DAMAGE_H_
