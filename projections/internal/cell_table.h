// The report index's cell table: every case's postings (cell_postings.h) in a
// RocksDB folder of its own beside the index file, so the cases behind a cell
// are one key range. It is derived data, like the index: deleting the folder
// costs a rebuild, and it never holds personal data (case and agency ids, and
// versions). Never included outside projections/.
//
// Writes are not logged: Commit flushes everything written and the
// checkpoint to table files, so after a crash the folder holds the postings
// of some prefix of the fold, and its checkpoint says no more than what is
// complete. Folding again from an earlier position converges on the same
// postings (a case's change puts its new postings and deletes the ones it
// left), which is why the index may start a catch-up at or before the
// table's checkpoint but never after it (report_index.cc).
//
// Thread-compatible.
#ifndef OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_
#define OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "projections/internal/cell_postings.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace ogi::projections_internal {

class CellTable {
 public:
  enum class Mode {
    kWrite,  // opens or creates the folder
    kRead,   // writes nothing; kNotFound if there is no table
  };
  static absl::StatusOr<std::unique_ptr<CellTable>> Open(const std::string& dir,
                                                         Mode mode);
  ~CellTable();
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;

  // The log position the table's postings are complete up to (0: none).
  uint64_t checkpoint() const { return checkpoint_; }

  // Queues the change of one case from the postings `before` to `after`
  // (each sorted by key). kWrite only.
  absl::Status Change(const std::vector<CellPosting>& before,
                      const std::vector<CellPosting>& after);

  // Writes what is queued and `checkpoint`, and flushes it to table files.
  absl::Status Commit(uint64_t checkpoint);

  // Calls visit(key, version) for each posting with begin <= key < end, in
  // key order.
  absl::Status Scan(
      absl::string_view begin, absl::string_view end,
      absl::FunctionRef<void(absl::string_view, uint32_t)> visit) const;

 private:
  CellTable(std::unique_ptr<rocksdb::DB> db, Mode mode);
  absl::Status WriteQueued();

  std::unique_ptr<rocksdb::DB> db_;
  const Mode mode_;
  std::unique_ptr<rocksdb::WriteBatch> queued_;
  uint64_t checkpoint_ = 0;
};

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_
