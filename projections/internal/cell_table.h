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
// Every change is also kept in the change log (cell_postings.h): at which
// log position a posting appeared, disappeared or changed its version. Read
// with the postings, it gives the table as it was at any earlier position
// (ChangesAfter). A table written by a binary without the log (no format key,
// or another one) is emptied when opened for writing, so the index folds the
// log again, and is not used when opened for reading.
//
// Thread-compatible.
#ifndef OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_
#define OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_

#include <cstdint>
#include <map>
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
  // (each sorted by key), made by the event at log position `position`.
  // kWrite only.
  absl::Status Change(const std::vector<CellPosting>& before,
                      const std::vector<CellPosting>& after, uint64_t position);

  // Writes what is queued and `checkpoint`, and flushes it to table files.
  absl::Status Commit(uint64_t checkpoint);

  // Calls visit(key, version) for each posting with begin <= key < end, in
  // key order.
  absl::Status Scan(
      absl::string_view begin, absl::string_view end,
      absl::FunctionRef<void(absl::string_view, uint32_t)> visit) const;

  // A posting across the changes after a position: whether it was there (and
  // its version) at that position, and now.
  struct Then {
    bool was = false;
    uint32_t was_version = 0;
    bool is = false;
    uint32_t is_version = 0;
    uint64_t first_change = 0;  // the log position of its first change
  };
  // The postings of one kind and year of `agency` that changed after log
  // position `at`, by the rest of their key (case 0x00 detail).
  absl::StatusOr<std::map<std::string, Then>> ChangesAfter(
      absl::string_view agency, CellKind kind, int year, uint64_t at) const;

 private:
  CellTable(std::unique_ptr<rocksdb::DB> db, Mode mode);
  absl::Status WriteQueued();
  absl::Status Queue(absl::string_view key, absl::string_view value);

  std::unique_ptr<rocksdb::DB> db_;
  const Mode mode_;
  std::unique_ptr<rocksdb::WriteBatch> queued_;
  uint64_t checkpoint_ = 0;
};

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_CELL_TABLE_H_
