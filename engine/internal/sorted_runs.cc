// Sorted SST output for staged imports; see sorted_runs.h.
#include "engine/internal/sorted_runs.h"

#include <algorithm>
#include <queue>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/sst_file_reader.h"
#include "rocksdb/table.h"

#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

// Options of the spilled runs: read once, in order, by this process.
rocksdb::Options RunOptions(const rocksdb::Options& target) {
  rocksdb::Options options;
  options.env = target.env;
  options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 * 1024;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

SstOutput::SstOutput(std::string prefix, const rocksdb::Options& options,
                     rocksdb::ColumnFamilyHandle* family, uint64_t file_bytes)
    : prefix_(std::move(prefix)),
      options_(options),
      family_(family),
      file_bytes_(file_bytes) {}

absl::Status SstOutput::Add(absl::string_view key, absl::string_view value,
                            EntryOp op) {
  if (writer_ != nullptr && writer_->FileSize() >= file_bytes_) {
    OGI_RETURN_IF_ERROR(FromRocksDb(writer_->Finish(),
                                    absl::StrCat("staging ", files_.back())));
    writer_.reset();
  }
  if (writer_ == nullptr) {
    files_.push_back(absl::StrCat(prefix_, "-", files_.size(), ".sst"));
    writer_ = std::make_unique<rocksdb::SstFileWriter>(
        rocksdb::EnvOptions(options_), options_, family_);
    OGI_RETURN_IF_ERROR(FromRocksDb(writer_->Open(files_.back()),
                                    absl::StrCat("staging ", files_.back())));
  }
  const rocksdb::Status s = op == EntryOp::kPut
                                ? writer_->Put(ToSlice(key), ToSlice(value))
                                : writer_->Delete(ToSlice(key));
  if (s.IsInvalidArgument()) {
    return absl::InternalError(
        absl::StrCat("staging ", files_.back(), ": ", s.ToString()));
  }
  return FromRocksDb(s, absl::StrCat("staging ", files_.back()));
}

absl::StatusOr<std::vector<std::string>> SstOutput::Finish() {
  if (writer_ != nullptr) {
    OGI_RETURN_IF_ERROR(FromRocksDb(writer_->Finish(),
                                    absl::StrCat("staging ", files_.back())));
    writer_.reset();
  }
  return files_;
}

SortedRuns::SortedRuns(std::string prefix, const rocksdb::Options& options,
                       rocksdb::ColumnFamilyHandle* family, size_t buffer_bytes)
    : prefix_(std::move(prefix)),
      options_(options),
      family_(family),
      buffer_bytes_(buffer_bytes) {}

absl::Status SortedRuns::Add(absl::string_view key, absl::string_view value,
                             EntryOp op) {
  if (arena_.capacity() == 0) {
    // Reserved once: growing by doubling would hold twice the budget, and
    // copy it, just before a spill.
    arena_.reserve(buffer_bytes_);
    entries_.reserve(buffer_bytes_ / 64);
  }
  entries_.push_back({arena_.size(), static_cast<uint32_t>(key.size()),
                      static_cast<uint32_t>(value.size())});
  arena_.push_back(static_cast<char>(op));
  arena_.append(key.data(), key.size());
  arena_.append(value.data(), value.size());
  if (arena_.size() + entries_.size() * sizeof(Entry) >= buffer_bytes_)
    return Spill();
  return absl::OkStatus();
}

template <typename Emit>
absl::Status SortedRuns::Drain(Emit emit) {
  const char* base = arena_.data();
  auto key_of = [base](const Entry& e) {
    return absl::string_view(base + e.offset + 1, e.key_size);
  };
  // Stable: among equal keys the later entry stays later, and wins.
  std::stable_sort(
      entries_.begin(), entries_.end(),
      [&](const Entry& a, const Entry& b) { return key_of(a) < key_of(b); });
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i + 1 < entries_.size() &&
        key_of(entries_[i]) == key_of(entries_[i + 1]))
      continue;
    const Entry& e = entries_[i];
    OGI_RETURN_IF_ERROR(
        emit(key_of(e),
             absl::string_view(base + e.offset + 1 + e.key_size, e.value_size),
             static_cast<EntryOp>(base[e.offset])));
  }
  entries_.clear();  // capacity kept for the next run
  arena_.clear();
  return absl::OkStatus();
}

absl::Status SortedRuns::Spill() {
  if (entries_.empty()) return absl::OkStatus();
  const std::string path = absl::StrCat(prefix_, "-run-", runs_.size(), ".sst");
  const rocksdb::Options options = RunOptions(options_);
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options);
  OGI_RETURN_IF_ERROR(
      FromRocksDb(writer.Open(path), absl::StrCat("staging ", path)));
  runs_.push_back(path);
  std::string tagged;
  OGI_RETURN_IF_ERROR(Drain([&](absl::string_view key, absl::string_view value,
                                EntryOp op) -> absl::Status {
    // The run keeps the operation in the value: a reader hides deletions.
    tagged.assign(1, static_cast<char>(op));
    tagged.append(value.data(), value.size());
    return FromRocksDb(writer.Put(ToSlice(key), tagged),
                       absl::StrCat("staging ", path));
  }));
  return FromRocksDb(writer.Finish(), absl::StrCat("staging ", path));
}

absl::StatusOr<std::vector<std::string>> SortedRuns::Finish(
    uint64_t file_bytes) {
  SstOutput output(prefix_, options_, family_, file_bytes);
  if (runs_.empty()) {
    OGI_RETURN_IF_ERROR(
        Drain([&](absl::string_view key, absl::string_view value, EntryOp op) {
          return output.Add(key, value, op);
        }));
    return output.Finish();
  }
  OGI_RETURN_IF_ERROR(Spill());
  const rocksdb::Options options = RunOptions(options_);
  std::vector<std::unique_ptr<rocksdb::SstFileReader>> readers;
  std::vector<std::unique_ptr<rocksdb::Iterator>> its;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 1 << 20;
  for (const std::string& run : runs_) {
    readers.push_back(std::make_unique<rocksdb::SstFileReader>(options));
    OGI_RETURN_IF_ERROR(
        FromRocksDb(readers.back()->Open(run), absl::StrCat("reading ", run)));
    its.emplace_back(readers.back()->NewIterator(read));
    its.back()->SeekToFirst();
    OGI_RETURN_IF_ERROR(
        FromRocksDb(its.back()->status(), absl::StrCat("reading ", run)));
  }
  // A min-heap of runs by current key; for equal keys the later run first,
  // since its entry replaces the earlier runs'.
  auto later = [&](size_t a, size_t b) {
    const int c = its[a]->key().compare(its[b]->key());
    return c != 0 ? c > 0 : a < b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < its.size(); ++i) {
    if (its[i]->Valid()) heap.push(i);
  }
  std::string last_key;
  bool have_last = false;
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    const absl::string_view key = ToView(its[i]->key());
    if (!have_last || key != last_key) {
      const absl::string_view tagged = ToView(its[i]->value());
      if (tagged.empty())
        return absl::InternalError("staging: a sorted run lost its tag");
      OGI_RETURN_IF_ERROR(
          output.Add(key, tagged.substr(1), static_cast<EntryOp>(tagged[0])));
      last_key.assign(key.data(), key.size());
      have_last = true;
    }
    its[i]->Next();
    OGI_RETURN_IF_ERROR(
        FromRocksDb(its[i]->status(), absl::StrCat("reading ", runs_[i])));
    if (its[i]->Valid()) heap.push(i);
  }
  return output.Finish();
}

}  // namespace ogi::engine_internal
