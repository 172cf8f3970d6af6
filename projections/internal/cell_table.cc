// The cell table; see cell_table.h.
#include "projections/internal/cell_table.h"

#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::projections_internal {
namespace {

// No agency id starts with 0xff (ids are ASCII): the checkpoint sorts after
// every posting.
constexpr char kCheckpointKey[] =
    "\xff"
    "checkpoint";
// The table's format: "2" holds the change log. A table without it is from a
// binary that wrote no change log.
constexpr char kFormatKey[] =
    "\xff"
    "format";
constexpr char kFormat[] = "2";
// A batch is written once it holds this many bytes.
constexpr size_t kBatchBytes = 8 << 20;

class NoLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

std::string Fixed(uint64_t value, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>(value >> (8 * i));
  return out;
}

uint64_t Unfixed(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

CellTable::CellTable(std::unique_ptr<rocksdb::DB> db, Mode mode)
    : db_(std::move(db)),
      mode_(mode),
      queued_(std::make_unique<rocksdb::WriteBatch>()) {}

CellTable::~CellTable() = default;

absl::StatusOr<std::unique_ptr<CellTable>> CellTable::Open(
    const std::string& dir, Mode mode) {
  rocksdb::Options options;
  options.keep_log_file_num = 2;
  options.max_background_jobs = 1;
  const std::string context = absl::StrCat("opening the cell table ", dir);
  rocksdb::DB* raw = nullptr;
  std::string value;
  if (mode == Mode::kWrite) {
    options.create_if_missing = true;
    OGI_RETURN_IF_ERROR(
        FromRocksDb(rocksdb::DB::Open(options, dir, &raw), context));
    std::unique_ptr<rocksdb::DB> db(raw);
    const rocksdb::Status format =
        db->Get(rocksdb::ReadOptions(), kFormatKey, &value);
    if (!format.ok() || value != kFormat) {
      // New, or written without the change log: start again from empty.
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions()));
      it->SeekToFirst();
      const bool empty = !it->Valid();
      OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), context));
      it.reset();
      if (!empty) {
        OGI_RETURN_IF_ERROR(FromRocksDb(db->Close(), context));
        db.reset();
        OGI_RETURN_IF_ERROR(
            FromRocksDb(rocksdb::DestroyDB(dir, options), context));
        OGI_RETURN_IF_ERROR(
            FromRocksDb(rocksdb::DB::Open(options, dir, &raw), context));
        db.reset(raw);
      }
      rocksdb::WriteOptions synced;
      synced.sync = true;
      OGI_RETURN_IF_ERROR(
          FromRocksDb(db->Put(synced, kFormatKey, kFormat), context));
    }
    raw = db.release();
  } else {
    if (!std::filesystem::exists(dir + "/CURRENT"))
      return absl::NotFoundError(absl::StrCat("no cell table at ", dir));
    // A reader writes nothing, and keeps every file open from the start, so
    // a file a writer compacts away meanwhile stays readable.
    options.info_log = std::make_shared<NoLogger>();
    options.max_open_files = -1;
    OGI_RETURN_IF_ERROR(
        FromRocksDb(rocksdb::DB::OpenForReadOnly(options, dir, &raw), context));
  }
  std::unique_ptr<CellTable> table(
      new CellTable(std::unique_ptr<rocksdb::DB>(raw), mode));
  if (mode == Mode::kRead) {
    const rocksdb::Status format =
        table->db_->Get(rocksdb::ReadOptions(), kFormatKey, &value);
    if (!format.ok() || value != kFormat)
      return absl::NotFoundError(
          absl::StrCat("the cell table at ", dir, " has no change log"));
  }
  const rocksdb::Status got =
      table->db_->Get(rocksdb::ReadOptions(), kCheckpointKey, &value);
  if (!got.IsNotFound()) {
    OGI_RETURN_IF_ERROR(FromRocksDb(got, context));
    table->checkpoint_ = Unfixed(value);
  }
  return table;
}

absl::Status CellTable::Queue(absl::string_view key, absl::string_view value) {
  return FromRocksDb(queued_->Put(rocksdb::Slice(key.data(), key.size()),
                                  rocksdb::Slice(value.data(), value.size())),
                     "the cell table");
}

absl::Status CellTable::Change(const std::vector<CellPosting>& before,
                               const std::vector<CellPosting>& after,
                               uint64_t position) {
  if (mode_ != Mode::kWrite)
    return absl::FailedPreconditionError("the cell table is open for reading");
  std::string log_key;
  // One change of a posting, into the change log: flags (1: it was there, 2:
  // it is there), then the version it had and the one it has.
  auto log = [&](const std::string& key, const CellPosting* was,
                 const CellPosting* is) -> absl::Status {
    if (!ChangeKeyOf(key, position, log_key))
      return absl::InternalError("a cell posting without its prefix");
    const char flags =
        static_cast<char>((was != nullptr ? 1 : 0) | (is != nullptr ? 2 : 0));
    return Queue(log_key, absl::StrCat(absl::string_view(&flags, 1),
                                       Fixed(was ? was->version : 0, 4),
                                       Fixed(is ? is->version : 0, 4)));
  };
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() ||
        (i < before.size() && before[i].key < after[j].key)) {
      OGI_RETURN_IF_ERROR(
          FromRocksDb(queued_->Delete(before[i].key), "the cell table"));
      OGI_RETURN_IF_ERROR(log(before[i].key, &before[i], nullptr));
      ++i;
    } else if (i == before.size() || after[j].key < before[i].key) {
      OGI_RETURN_IF_ERROR(Queue(after[j].key, Fixed(after[j].version, 4)));
      OGI_RETURN_IF_ERROR(log(after[j].key, nullptr, &after[j]));
      ++j;
    } else {
      if (before[i].version != after[j].version) {
        OGI_RETURN_IF_ERROR(Queue(after[j].key, Fixed(after[j].version, 4)));
        OGI_RETURN_IF_ERROR(log(after[j].key, &before[i], &after[j]));
      }
      ++i;
      ++j;
    }
  }
  if (queued_->GetDataSize() >= kBatchBytes) return WriteQueued();
  return absl::OkStatus();
}

absl::Status CellTable::WriteQueued() {
  rocksdb::WriteOptions options;
  options.disableWAL = true;  // Commit flushes instead
  OGI_RETURN_IF_ERROR(FromRocksDb(db_->Write(options, queued_.get()),
                                  "writing the cell table"));
  queued_->Clear();
  return absl::OkStatus();
}

absl::Status CellTable::Commit(uint64_t checkpoint) {
  if (mode_ != Mode::kWrite)
    return absl::FailedPreconditionError("the cell table is open for reading");
  OGI_RETURN_IF_ERROR(FromRocksDb(
      queued_->Put(kCheckpointKey, Fixed(checkpoint, 8)), "the cell table"));
  OGI_RETURN_IF_ERROR(WriteQueued());
  rocksdb::FlushOptions flush;
  flush.wait = true;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(db_->Flush(flush), "flushing the cell table"));
  checkpoint_ = checkpoint;
  return absl::OkStatus();
}

absl::Status CellTable::Scan(
    absl::string_view begin, absl::string_view end,
    absl::FunctionRef<void(absl::string_view, uint32_t)> visit) const {
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper(end.data(), end.size());
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid();
       it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    visit(absl::string_view(key.data(), key.size()),
          static_cast<uint32_t>(
              Unfixed(absl::string_view(value.data(), value.size()))));
  }
  return FromRocksDb(it->status(), "reading the cell table");
}

absl::StatusOr<std::map<std::string, CellTable::Then>> CellTable::ChangesAfter(
    absl::string_view agency, CellKind kind, int year, uint64_t at) const {
  std::map<std::string, Then> out;
  const std::string begin = ChangePrefix(agency, kind, year, at + 1);
  const std::string end = ChangePrefix(agency, kind, year + 1);
  const size_t prefix = begin.size();
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper(end);
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(begin); it->Valid(); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const absl::string_view value(it->value().data(), it->value().size());
    if (key.size() <= prefix || value.size() != 9)
      return absl::DataLossError(
          "the cell table's change log holds a malformed entry");
    // In position order: the first change of a posting says what it was at
    // `at`, the last what it is now.
    const auto [entry, first] =
        out.try_emplace(std::string(key.substr(prefix)));
    Then& then = entry->second;
    const int flags = static_cast<unsigned char>(value[0]);
    if (first) {
      then.was = (flags & 1) != 0;
      then.was_version = static_cast<uint32_t>(Unfixed(value.substr(1, 4)));
      for (const char c : key.substr(prefix - 8, 8))
        then.first_change =
            (then.first_change << 8) | static_cast<unsigned char>(c);
    }
    then.is = (flags & 2) != 0;
    then.is_version = static_cast<uint32_t>(Unfixed(value.substr(5, 4)));
  }
  OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the cell table"));
  return out;
}

}  // namespace ogi::projections_internal
