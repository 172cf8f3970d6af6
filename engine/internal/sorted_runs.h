// Writing an import's entries as SST files for RocksDB's IngestExternalFiles
// (engine/store_import.cc). SstOutput writes entries that arrive in key order
// (the log: positions only grow) into files of bounded size; SortedRuns takes
// entries in any order (the indexes: streams, eventIds, personal-data keys),
// sorts them in a bounded buffer, spills each full buffer to disk as a sorted
// run, and merges the runs into SstOutput at the end, so memory stays bounded
// whatever the size of the import. Files go into the staging folder the caller
// gives; they are the caller's to delete.
//
// Not thread-safe.
#ifndef OGI_ENGINE_INTERNAL_SORTED_RUNS_H_
#define OGI_ENGINE_INTERNAL_SORTED_RUNS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"

namespace ogi::engine_internal {

enum class EntryOp : char { kPut = 'P', kDelete = 'D' };

// Writes entries in strictly increasing key order into SST files of about
// `file_bytes` each, named `prefix`-N.sst.
class SstOutput {
 public:
  // `options` are the target column family's (its table format, compression
  // and filters) with the store's Env; `family` may be nullptr.
  SstOutput(std::string prefix, const rocksdb::Options& options,
            rocksdb::ColumnFamilyHandle* family, uint64_t file_bytes);
  SstOutput(const SstOutput&) = delete;
  SstOutput& operator=(const SstOutput&) = delete;

  // Adds one entry. kInternal if `key` is not past the previous key;
  // kUnavailable on I/O failure.
  absl::Status Add(absl::string_view key, absl::string_view value, EntryOp op);

  // Finishes the last file; returns every file written (none if no entry).
  absl::StatusOr<std::vector<std::string>> Finish();

 private:
  const std::string prefix_;
  const rocksdb::Options options_;
  rocksdb::ColumnFamilyHandle* const family_;
  const uint64_t file_bytes_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::vector<std::string> files_;
};

// Takes entries in any order; a later entry for a key replaces an earlier one.
class SortedRuns {
 public:
  // Runs spill once `buffer_bytes` of entries are buffered; their files are
  // named `prefix`-run-N.sst, the output's `prefix`-N.sst.
  SortedRuns(std::string prefix, const rocksdb::Options& options,
             rocksdb::ColumnFamilyHandle* family, size_t buffer_bytes);
  SortedRuns(const SortedRuns&) = delete;
  SortedRuns& operator=(const SortedRuns&) = delete;

  // Adds an entry; kUnavailable if a spill fails.
  absl::Status Add(absl::string_view key, absl::string_view value, EntryOp op);

  // Sorts and merges everything into the output; returns its files.
  absl::StatusOr<std::vector<std::string>> Finish(uint64_t file_bytes);

 private:
  struct Entry {
    uint64_t offset;  // into arena_: op, key, value
    uint32_t key_size;
    uint32_t value_size;
  };
  // Sorts the buffer by key, keeping the last entry of each key, and calls
  // `emit` with each in order.
  template <typename Emit>
  absl::Status Drain(Emit emit);
  absl::Status Spill();

  const std::string prefix_;
  const rocksdb::Options options_;
  rocksdb::ColumnFamilyHandle* const family_;
  const size_t buffer_bytes_;
  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<std::string> runs_;
};

}  // namespace ogi::engine_internal

#endif  // OGI_ENGINE_INTERNAL_SORTED_RUNS_H_
