// A staged import's scratch store; see scratch_store.h.
#include "engine/internal/scratch_store.h"

#include <algorithm>
#include <utility>

#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

constexpr size_t kWriteEvery = 65536;

}  // namespace

absl::StatusOr<std::unique_ptr<ScratchStore>> ScratchStore::Create(
    const std::string& dir, rocksdb::Env* env) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  if (env != nullptr) options.env = env;
  // Bounded memory: one 32 MiB memtable being filled and one being flushed,
  // a small block cache, and whole-key blooms so that the common miss (a new
  // case, a new eventId) rarely reads a block.
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 2;
  options.max_open_files = 256;
  options.keep_log_file_num = 1;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(16 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = false;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kNoCompression;
  options.memtable_prefix_bloom_size_ratio = 0.1;
  options.memtable_whole_key_filtering = true;
  // Closing writes nothing: the folder is deleted right after.
  options.avoid_flush_during_shutdown = true;
  rocksdb::DB* raw = nullptr;
  OGI_RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(options, dir, &raw),
                                  "opening the import's scratch store"));
  return std::unique_ptr<ScratchStore>(
      new ScratchStore(std::unique_ptr<rocksdb::DB>(raw)));
}

ScratchStore::~ScratchStore() { (void)db_->Close(); }

int ScratchStore::IndexOf(Kind kind) {
  switch (kind) {
    case kCaseState:
      return 0;
    case kEventId:
      return 1;
    case kKeyEntry:
      return 2;
  }
  return 0;
}

absl::Status ScratchStore::Put(Kind kind, absl::string_view key,
                               absl::string_view value) {
  put_[IndexOf(kind)] = true;
  std::string k(1, static_cast<char>(kind));
  k.append(key.data(), key.size());
  pending_.emplace_back(std::move(k), std::string(value));
  if (pending_.size() < kWriteEvery) return absl::OkStatus();
  return Write();
}

absl::Status ScratchStore::Write() {
  if (pending_.empty()) return absl::OkStatus();
  std::sort(pending_.begin(), pending_.end());
  batch_.Clear();
  for (const auto& [key, value] : pending_) (void)batch_.Put(key, value);
  pending_.clear();
  rocksdb::WriteOptions write;
  write.disableWAL = true;  // scratch: see the header
  absl::Status written = FromRocksDb(db_->Write(write, &batch_),
                                     "writing the import's scratch store");
  batch_.Clear();
  return written;
}

absl::StatusOr<std::optional<std::string>> ScratchStore::Get(
    Kind kind, absl::string_view key) {
  if (!put_[IndexOf(kind)]) return std::nullopt;
  key_.assign(1, static_cast<char>(kind));
  key_.append(key.data(), key.size());
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key_, &value);
  if (s.IsNotFound()) return std::nullopt;
  OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the import's scratch store"));
  return value;
}

}  // namespace ogi::engine_internal
