// Opening the RocksDB event store: options, the column families, the state
// loaded at open; see event_store.h and key_codec.h. Appends and the group
// commit are in store_commit.cc, reads in store_read.cc.
#include "engine/event_store.h"

#include <algorithm>
#include <cstdarg>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

#include "engine/civil_date.h"
#include "engine/event_id.h"
#include "engine/internal/decider.h"
#include "engine/internal/rocks_store.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

using engine_internal::DbSource;
using engine_internal::Decider;
using engine_internal::Decision;
using engine_internal::RocksEventStore;
using engine_internal::StateSource;

rocksdb::CompressionType BestCompression() {
  for (const auto type : rocksdb::GetSupportedCompressions()) {
    if (type == rocksdb::kLZ4Compression) return type;
  }
  return rocksdb::kSnappyCompression;
}

// The prefix of a "streams" key: everything but the version, i.e. one stream
// (key_codec.h). Lets a stream read use prefix filters, so reading a stream
// that does not exist yet (every new case) costs no SST seeks.
class StreamPrefixTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ogi.StreamPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - kVersionBytes);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > kVersionBytes + 1;
  }

 private:
  static constexpr size_t kVersionBytes = 4;
};

enum class Lookups { kScans, kPointLookups, kStreamReads };

rocksdb::ColumnFamilyOptions FamilyOptions(Lookups lookups, size_t block_size) {
  rocksdb::ColumnFamilyOptions options;
  options.compression = BestCompression();
  rocksdb::BlockBasedTableOptions table;
  table.block_size = block_size;
  if (lookups != Lookups::kScans) {
    // Lookups (does this eventId / case exist?) mostly miss: answer them from
    // filters, in the SST files and in the memtable too.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.memtable_prefix_bloom_size_ratio = 0.05;
    options.memtable_whole_key_filtering = true;
    // Index keys arrive in random order: smaller memtables keep skiplist
    // inserts in cache, and flushing them is cheap.
    options.write_buffer_size = 16 << 20;
  }
  if (lookups == Lookups::kStreamReads) {
    options.prefix_extractor = std::make_shared<StreamPrefixTransform>();
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// The personal-data keys: point lookups, and little data (one entry per case
// with personal data, and its tokens), so a small memtable keeps an import's
// peak memory where it was before keys existed.
rocksdb::ColumnFamilyOptions KeysFamilyOptions() {
  rocksdb::ColumnFamilyOptions options =
      FamilyOptions(Lookups::kPointLookups, 4 * 1024);
  options.write_buffer_size = 4 << 20;
  return options;
}

class NoLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

enum class ReadOpen { kReadOnly, kSecondary };

// Returns how to read the store at `path`: kSecondary if a process holds a
// write lock on its LOCK file (a writer: RocksDB locks it with fcntl for as
// long as the store is open for writing), else kReadOnly. It reads
// /proc/locks rather than asking fcntl, because closing any descriptor of the
// file would drop a lock this process itself holds (POSIX record locks). A
// lock of this very process counts too. When in doubt (no /proc/locks), a
// secondary: it is correct with or without a writer, only slower to open.
ReadOpen HowToRead(const std::string& path) {
  struct stat lock_file;
  if (::stat((path + "/LOCK").c_str(), &lock_file) != 0)
    return ReadOpen::kReadOnly;  // never opened for writing here
  std::ifstream locks("/proc/locks");
  if (!locks) return ReadOpen::kSecondary;
  const std::string inode = absl::StrCat(":", lock_file.st_ino);
  std::string line;
  while (std::getline(locks, line)) {
    // "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"; a waiter's line
    // has "->" after the number.
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() > 1 && fields[1] == "->")
      fields.erase(fields.begin() + 1);
    if (fields.size() < 6 || fields[3] != "WRITE") continue;
    if (absl::EndsWith(fields[5], inode)) return ReadOpen::kSecondary;
  }
  return ReadOpen::kReadOnly;
}

}  // namespace

namespace engine_internal {

absl::StatusOr<CaseState> DbSource::LoadCase(const std::string& case_id) {
  return LoadCaseState(store_, case_id);
}

absl::StatusOr<AgencyState> DbSource::LoadAgency(const std::string& agency_id) {
  return LoadAgencyState(store_, agency_id);
}

absl::StatusOr<std::optional<v1::Event>> DbSource::LoadByEventId(
    const std::string& agency_id, const std::string& event_id) {
  return store_.FindByEventId(agency_id, event_id);
}

absl::Status RocksEventStore::Load() {
  std::string format;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family(kDefault), kFormatKey, &format);
  if (s.IsNotFound()) {
    // A new store, unless the database already holds data: another
    // application's, or a store that lost its format key. Adopting either would
    // mix foreign keys into the log or its indexes.
    for (int f : {kDefault, kLog, kStreams, kEventIds}) {
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), family(f)));
      it->SeekToFirst();
      OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the store"));
      if (it->Valid()) {
        return absl::DataLossError(
            Text(Msg::kNotAStoreNoFormat, options_.path));
      }
    }
    // Only a command that may create a store writes the key; for the others
    // an empty database (e.g. one whose creation was cut short) is no store.
    if (options_.access != Access::kCreate) {
      return absl::NotFoundError(Text(Msg::kNoStoreAt, options_.path));
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    OGI_RETURN_IF_ERROR(
        FromRocksDb(db_->Put(sync, family(kDefault), kFormatKey, kFormatValue),
                    "writing format"));
  } else if (!s.ok()) {
    return FromRocksDb(s, "reading format");
  } else if (format == kFormatUnscopedEventIds) {
    // Format 1: a writer migrates it now; a reader reads it as it is, all but
    // the eventId index (FindByEventId, Verify refuse, saying how to migrate).
    if (options_.access == Access::kRead) {
      unscoped_event_ids_ = true;
    } else {
      OGI_RETURN_IF_ERROR(MigrateEventIds());
      migrated_ = true;
    }
  } else if (format != kFormatValue) {
    return absl::DataLossError(Text(Msg::kNotAStoreFormat, options_.path,
                                    kFormatValue, kFormatUnscopedEventIds));
  } else {
    unscoped_event_ids_ = false;  // a writer migrated it since (catch-up)
  }
  absl::MutexLock lock(&head_mu_);
  for (auto [key, count] : {std::pair{kCaseCountKey, &case_count_},
                            std::pair{kAgencyCountKey, &agency_count_}}) {
    std::string value;
    s = db_->Get(rocksdb::ReadOptions(), family(kDefault), key, &value);
    if (s.IsNotFound()) continue;
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading counts"));
    OGI_ASSIGN_OR_RETURN(*count, DecodePosition(value));
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kLog)));
  it->SeekToLast();
  OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the log head"));
  if (it->Valid()) {
    OGI_ASSIGN_OR_RETURN(head_position_, DecodePosition(ToView(it->key())));
    OGI_ASSIGN_OR_RETURN(LogValue value, DecodeLogValue(ToView(it->value())));
    head_link_ = std::string(value.link);
    v1::Event head;
    OGI_RETURN_IF_ERROR(
        DecodeStored(ToView(it->value()), head_position_, head));
    last_recorded_at_ = absl::FromUnixSeconds(head.recorded_at().seconds()) +
                        absl::Nanoseconds(head.recorded_at().nanos());
  }
  return absl::OkStatus();
}

absl::Status RocksEventStore::CatchUpWithWriter() {
  if (!behind_writer_) return absl::OkStatus();
  OGI_RETURN_IF_ERROR(FromRocksDb(db_->TryCatchUpWithPrimary(),
                                  "catching up with the store's writer"));
  return Load();
}

}  // namespace engine_internal

namespace {

// Returns kUnavailable naming the process that holds the store's lock file
// (RocksDB locks it with fcntl, so F_GETLK tells the holder), and what to do.
absl::Status StoreInUse(const std::string& path) {
  std::string holder = Text(Msg::kHolderAnother);
  const std::string lock_file = path + "/LOCK";
  const int fd = open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &lock) == 0) {
      if (lock.l_type == F_UNLCK) {
        holder = Text(Msg::kHolderThisProcess);
      } else {
        std::ifstream comm(absl::StrCat("/proc/", lock.l_pid, "/comm"));
        std::string name;
        std::getline(comm, name);
        holder = name.empty()
                     ? Text(Msg::kHolderProcess, lock.l_pid)
                     : Text(Msg::kHolderProcessNamed, lock.l_pid, name);
      }
    }
    close(fd);
  }
  return absl::UnavailableError(Text(Msg::kStoreInUse, path, holder));
}

}  // namespace

bool EventStore::Exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(
      std::filesystem::path(path) / "CURRENT", error);
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(
    const Options& given) {
  Options options = given;
  if (options.clock == nullptr) options.clock = &SystemClock();
  const bool read = options.access == Access::kRead;
  if (options.access != Access::kCreate && !Exists(options.path)) {
    return absl::NotFoundError(Text(Msg::kNoStoreAt, options.path));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.access == Access::kCreate;
  if (options.env != nullptr) db_options.env = options.env;
  db_options.create_missing_column_families = !read;
  // A torn WAL tail can only be an append that never returned success: drop it,
  // keep everything before it.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_background_jobs = 2;
  // Each writing open starts a new info log and renames the old one; keep a
  // few, not RocksDB's 1000.
  db_options.keep_log_file_num = 4;
  // Opening must not cost in proportion to the store: with RocksDB's default
  // (-1, every table file open at once) DB::Open reads the index and filter
  // blocks of every SST file before a command can start, 150-300 ms and 80 MiB
  // on a 20M-event store (89 files), most of a cold `ogi report`. A bounded
  // table cache opens a file at its first read instead (RocksDB 7.8 opens at
  // most 16 per column family up front). 512 holds every file of a store
  // several times that size, so a serving process keeps each file open once it
  // has read it, and it stays under the common 1024-descriptor limit with room
  // for sockets. Measured in docs/PERFORMANCE.md (issue 6, latency work).
  db_options.max_open_files = 512;
  // Open would otherwise read the properties of up to 20 table files to seed
  // compaction's deletion estimates; only personal-data keys are ever deleted,
  // so the estimates matter little, and reading them delays the first command.
  db_options.skip_stats_update_on_db_open = true;
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kLogFamily, FamilyOptions(Lookups::kScans, 16 * 1024)},
      {kStreamsFamily, FamilyOptions(Lookups::kStreamReads, 4 * 1024)},
      {kEventIdsFamily, FamilyOptions(Lookups::kPointLookups, 4 * 1024)},
      {kKeysFamily, KeysFamilyOptions()},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  bool behind_writer = false;
  const std::string context = absl::StrCat("opening store ", options.path);
  if (!read) {
    const rocksdb::Status opened =
        rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
    if (opened.IsIOError() && absl::StrContains(opened.ToString(), "lock"))
      return StoreInUse(options.path);
    OGI_RETURN_IF_ERROR(FromRocksDb(opened, context));
  } else {
    behind_writer = HowToRead(options.path) == ReadOpen::kSecondary;
    // A reader writes nothing: no info log, no lock, no new files.
    db_options.info_log = std::make_shared<NoLogger>();
    if (behind_writer) {
      // The writer deletes table files that compaction made obsolete; a
      // secondary keeps every table file open from the start, so a file
      // deleted meanwhile stays readable (RocksDB's advice for secondaries).
      db_options.max_open_files = -1;
      // The secondary's own folder holds only its info log, which NoLogger
      // replaces: nothing is written there. The open reads the writer's
      // MANIFEST, then its WAL files; one catch-up more picks up a flush
      // that retired a WAL in between. A writer that moves files under the
      // open can make it fail: it is tried again.
      rocksdb::Status opened;
      for (int attempt = 0; attempt < 3; ++attempt) {
        opened = rocksdb::DB::OpenAsSecondary(db_options, options.path,
                                              options.path + "/.ogi-secondary",
                                              families, &handles, &raw);
        if (!opened.ok()) continue;
        opened = raw->TryCatchUpWithPrimary();
        if (opened.ok()) break;
        for (auto* handle : handles) {
          (void)raw->DestroyColumnFamilyHandle(handle);  // fails on bad ones
        }
        handles.clear();
        std::unique_ptr<rocksdb::DB>(raw).reset();  // closes it
        raw = nullptr;
      }
      OGI_RETURN_IF_ERROR(FromRocksDb(opened, context));
    } else {
      OGI_RETURN_IF_ERROR(
          FromRocksDb(rocksdb::DB::OpenForReadOnly(db_options, options.path,
                                                   families, &handles, &raw),
                      context));
    }
  }
  auto store = std::make_unique<RocksEventStore>(
      options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles),
      behind_writer);
  // A writer cleans what an interrupted import left (docs/STORAGE.md); a
  // reader leaves the folder as it is.
  if (!read) OGI_RETURN_IF_ERROR(store->RemoveStaging());
  OGI_RETURN_IF_ERROR(store->Load());
  OGI_RETURN_IF_ERROR(store->LoadPepper());
  return store;
}

}  // namespace ogi
