// A staged import's scratch store: what the import decided so far but may not
// keep in memory (case states, accepted eventIds, personal-data key entries),
// moved to a private RocksDB database inside the import's staging folder once
// the held amount passes a bound, and read back on a miss. It is scratch, not
// data: no WAL and no sync (a crash loses the whole staging folder anyway, and
// the next open deletes it), and nothing in it is ever ingested.
//
// Keys: one byte naming the kind (kCaseState, kEventId, kKeyEntry), then the
// holder's own key.
//
// Not thread-safe.
#ifndef OGI_ENGINE_INTERNAL_SCRATCH_STORE_H_
#define OGI_ENGINE_INTERNAL_SCRATCH_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace ogi::engine_internal {

class ScratchStore {
 public:
  enum Kind : char { kCaseState = 'c', kEventId = 'i', kKeyEntry = 'k' };

  // Creates an empty scratch database in `dir` (which must not exist) with
  // `env`'s files (nullptr: the default).
  static absl::StatusOr<std::unique_ptr<ScratchStore>> Create(
      const std::string& dir, rocksdb::Env* env);
  ~ScratchStore();

  // Adds `kind` + `key` → `value` to the entries Write writes; writes them
  // itself every 65,536 entries, so that what waits stays small. A key must
  // not be added twice before a Write.
  absl::Status Put(Kind kind, absl::string_view key, absl::string_view value);
  // Writes the entries added since the last Write, in key order (a skip list
  // takes ordered inserts several times faster).
  absl::Status Write();

  // Returns the value under `kind` + `key`, or nullopt if none was written
  // (without a read while no entry of `kind` was put).
  absl::StatusOr<std::optional<std::string>> Get(Kind kind,
                                                 absl::string_view key);

 private:
  explicit ScratchStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
  std::unique_ptr<rocksdb::DB> db_;
  static int IndexOf(Kind kind);
  bool put_[3] = {false, false, false};
  std::vector<std::pair<std::string, std::string>> pending_;
  rocksdb::WriteBatch batch_;
  std::string key_;  // scratch for Get
};

}  // namespace ogi::engine_internal

#endif  // OGI_ENGINE_INTERNAL_SCRATCH_STORE_H_
