// The RocksDB event store and its group commit; see event_store.h and
// key_codec.h.
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

// A commit group never grows past this many events, so one leader's batch stays
// bounded.
constexpr size_t kMaxGroupEvents = 50000;

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

absl::Status WithIndex(const absl::Status& status, size_t index, size_t count) {
  if (count == 1) return status;
  return absl::Status(
      status.code(),
      absl::StrCat("event ", index + 1, " of ", count, ": ", status.message()));
}

// RocksDB's info log, discarded: a reader writes no file.
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

class RocksDryRun final : public DryRun {
 public:
  RocksDryRun(StateSource& source, absl::CivilDay today, uint64_t head,
              size_t expected_events)
      : decider_(source, today), head_(head) {
    decider_.Reserve(expected_events);
  }
  absl::StatusOr<AppendedEvent> Check(const v1::Event& event) override {
    OGI_ASSIGN_OR_RETURN(Decision d, decider_.Decide(event));
    if (d.kind == Decision::Kind::kDuplicate) {
      const uint64_t position = d.duplicate_of_accepted
                                    ? head_ + *d.duplicate_of_accepted + 1
                                    : d.duplicate_position;
      return AppendedEvent{AppendedEvent::Outcome::kDuplicate, position,
                           d.version};
    }
    return AppendedEvent{AppendedEvent::Outcome::kAppended,
                         head_ + decider_.accepted(), d.version};
  }

 private:
  Decider decider_;
  uint64_t head_;
};

}  // namespace

namespace engine_internal {

absl::StatusOr<CaseState> DbSource::LoadCase(const std::string& case_id) {
  return LoadCaseState(store_, case_id);
}

absl::StatusOr<AgencyState> DbSource::LoadAgency(const std::string& agency_id) {
  return LoadAgencyState(store_, agency_id);
}

absl::StatusOr<std::optional<v1::Event>> DbSource::LoadByEventId(
    const std::string& event_id) {
  return store_.FindByEventId(event_id);
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
        return absl::DataLossError(absl::StrCat(
            options_.path,
            " holds data but no format key: it is not an ogi store"));
      }
    }
    // Only a command that may create a store writes the key; for the others
    // an empty database (e.g. one whose creation was cut short) is no store.
    if (options_.access != Access::kCreate) {
      return absl::NotFoundError(
          absl::StrCat("no ogi store at ", options_.path));
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    OGI_RETURN_IF_ERROR(
        FromRocksDb(db_->Put(sync, family(kDefault), kFormatKey, kFormatValue),
                    "writing format"));
  } else if (!s.ok()) {
    return FromRocksDb(s, "reading format");
  } else if (format != kFormatValue) {
    return absl::DataLossError(absl::StrCat(
        options_.path, " is not an ogi store of format ", kFormatValue));
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

absl::Status RocksEventStore::CheckWritable() const {
  if (options_.access != Access::kRead) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("store ", options_.path, " is open for reading only"));
}

absl::StatusOr<std::vector<AppendedEvent>> RocksEventStore::Append(
    absl::Span<const v1::Event> events) {
  OGI_RETURN_IF_ERROR(CheckWritable());
  if (events.empty()) return std::vector<AppendedEvent>();
  Writer w(events);
  absl::MutexLock lock(&mu_);
  writers_.push_back(&w);
  while (!w.done && writers_.front() != &w) w.cv.Wait(&mu_);
  if (w.done) return std::move(w.result);

  // This writer leads: it commits every writer queued now, up to
  // kMaxGroupEvents.
  std::vector<Writer*> group;
  size_t group_events = 0;
  for (Writer* writer : writers_) {
    if (!group.empty() &&
        group_events + writer->events.size() > kMaxGroupEvents)
      break;
    group.push_back(writer);
    group_events += writer->events.size();
  }
  mu_.Unlock();
  CommitGroup(group);
  mu_.Lock();
  for (size_t i = 0; i < group.size(); ++i) {
    Writer* done = writers_.front();
    writers_.pop_front();
    done->done = true;
    if (done != &w) done->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  return std::move(w.result);
}

void RocksEventStore::CommitGroup(absl::Span<Writer* const> group) {
  absl::MutexLock commit(&commit_mu_);
  uint64_t head;
  std::string link;
  {
    absl::MutexLock lock(&head_mu_);
    if (!sticky_error_.ok()) {
      for (Writer* w : group) w->result = sticky_error_;
      return;
    }
    head = head_position_;
    link = head_link_;
  }
  if (case_cache_.size() > options_.case_cache_capacity) case_cache_.clear();

  // recordedAt never decreases along the log, even if the clock steps back,
  // so "recorded by instant T" is always a prefix of the log (reports as of T).
  absl::Time now = clock().Now();
  {
    absl::MutexLock lock(&head_mu_);
    now = std::max(now, last_recorded_at_);
  }
  CachedSource source(*this);
  Decider decider(source, AgencyDay(now));
  std::vector<std::vector<Decision>> decisions(group.size());
  for (size_t g = 0; g < group.size(); ++g) {
    Writer* w = group[g];
    decider.BeginRequest();
    for (size_t i = 0; i < w->events.size(); ++i) {
      absl::StatusOr<Decision> d = decider.Decide(w->events[i]);
      if (!d.ok()) {
        decider.AbortRequest();
        decisions[g].clear();
        w->result = WithIndex(d.status(), i, w->events.size());
        break;
      }
      decisions[g].push_back(*std::move(d));
    }
  }

  google::protobuf::Timestamp recorded_at;
  recorded_at.set_seconds(absl::ToUnixSeconds(now));
  recorded_at.set_nanos(static_cast<int32_t>(
      (now - absl::FromUnixSeconds(recorded_at.seconds())) /
      absl::Nanoseconds(1)));
  rocksdb::WriteBatch batch;
  {
    // Personal data is sealed before the events are hashed (the chain covers
    // the ciphertext, so destroying a key leaves it intact).
    std::vector<v1::Event*> appended;
    for (std::vector<Decision>& ds : decisions) {
      for (Decision& d : ds) {
        if (d.kind == Decision::Kind::kAppend) appended.push_back(&d.event);
      }
    }
    const absl::Status sealed = SealPersonalData(appended, batch);
    if (!sealed.ok()) {
      for (size_t g = 0; g < group.size(); ++g) {
        if (!decisions[g].empty()) group[g]->result = sealed;
      }
      return;
    }
  }
  uint64_t position = head;
  uint64_t new_cases = 0, new_agencies = 0;
  std::string record;
  for (size_t g = 0; g < group.size(); ++g) {
    for (Decision& d : decisions[g]) {
      if (d.kind != Decision::Kind::kAppend) continue;
      ++position;
      d.event.set_version(d.version);
      d.event.set_position(position);
      *d.event.mutable_recorded_at() = recorded_at;
      record.clear();
      (void)d.event.SerializeToString(
          &record);  // fails only for >2 GiB messages; validate.cc bounds sizes
      link = ChainLink(link, record);
      const std::string key = EncodePosition(position);
      (void)batch.Put(family(kLog), key, ToSlice(EncodeLogValue(link, record)));
      (void)batch.Put(family(kStreams), EncodeStreamKey(d.stream, d.version),
                      key);
      if (!d.event.event_id().empty())
        (void)batch.Put(family(kEventIds), d.event.event_id(), key);
      if (d.version == 1)
        ++(d.stream.kind == StreamId::Kind::kCase ? new_cases : new_agencies);
    }
  }

  if (position > head) {
    uint64_t cases, agencies;
    {
      absl::MutexLock lock(&head_mu_);
      cases = case_count_ + new_cases;
      agencies = agency_count_ + new_agencies;
    }
    (void)batch.Put(family(kDefault), kCaseCountKey, EncodePosition(cases));
    (void)batch.Put(family(kDefault), kAgencyCountKey,
                    EncodePosition(agencies));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    absl::Status written =
        FromRocksDb(db_->Write(sync, &batch), "appending to the log");
    if (!written.ok()) {
      // What reached the disk is unknown: refuse every later write rather than
      // risk a fork in the chain.
      written = absl::UnavailableError(absl::StrCat(
          written.message(), "; the store accepts no more appends"));
      absl::MutexLock lock(&head_mu_);
      sticky_error_ = written;
      for (size_t g = 0; g < group.size(); ++g) {
        if (!decisions[g].empty()) group[g]->result = written;
      }
      case_cache_.clear();
      return;
    }
    absl::MutexLock lock(&head_mu_);
    head_position_ = position;
    head_link_ = link;
    last_recorded_at_ = now;
    case_count_ = cases;
    agency_count_ = agencies;
  }
  for (auto& [id, state] : decider.cases()) case_cache_[id] = std::move(state);
  for (auto& [id, state] : decider.agencies())
    agency_cache_[id] = std::move(state);

  for (size_t g = 0; g < group.size(); ++g) {
    if (decisions[g].empty() && !group[g]->events.empty())
      continue;  // refused; result already set
    std::vector<AppendedEvent> out;
    out.reserve(decisions[g].size());
    for (const Decision& d : decisions[g]) {
      if (d.kind == Decision::Kind::kAppend) {
        out.push_back(
            {AppendedEvent::Outcome::kAppended, d.event.position(), d.version});
      } else {
        const uint64_t pos = d.duplicate_of_accepted
                                 ? head + *d.duplicate_of_accepted + 1
                                 : d.duplicate_position;
        out.push_back({AppendedEvent::Outcome::kDuplicate, pos, d.version});
      }
    }
    group[g]->result = std::move(out);
  }
}

std::unique_ptr<DryRun> RocksEventStore::NewDryRun(size_t expected_events) {
  return std::make_unique<RocksDryRun>(db_source_, AgencyDay(clock().Now()),
                                       HeadPosition(), expected_events);
}

absl::StatusOr<std::vector<v1::Event>> RocksEventStore::ReadStream(
    const StreamId& stream) {
  const std::string prefix = EncodeStreamPrefix(stream);
  std::vector<std::string> keys;
  {
    rocksdb::ReadOptions read;
    read.prefix_same_as_start = true;  // one stream: prefix filters apply
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, family(kStreams)));
    uint32_t expected = 1;
    // Seek to a whole key (version 0, before any event) so the extractor
    // sees the stream's prefix.
    for (it->Seek(EncodeStreamKey(stream, 0));
         it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
      OGI_ASSIGN_OR_RETURN(DecodedStreamKey key,
                           DecodeStreamKey(ToView(it->key())));
      if (key.version != expected++) {
        return absl::DataLossError(
            absl::StrCat("stream ", stream.id, ": version ", expected - 1,
                         " is missing from the stream index"));
      }
      keys.emplace_back(ToView(it->value()));
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), absl::StrCat("reading stream ", stream.id)));
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), family(kLog));
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      db_->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  std::vector<v1::Event> events(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(keys[i]));
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(
          absl::StrCat("stream ", stream.id, ": position ", position,
                       " is indexed but missing from the log"));
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(statuses[i], absl::StrCat("reading position ", position)));
    OGI_RETURN_IF_ERROR(DecodeStored(values[i], position, events[i]));
    FillEventId(events[i]);
    if (!InStream(events[i], stream)) {
      return absl::DataLossError(absl::StrCat(
          "stream ", stream.id, ": position ", position,
          " is indexed for it but holds an event of another stream"));
    }
    if (events[i].version() != i + 1) {
      return absl::DataLossError(absl::StrCat(
          "stream ", stream.id, ": position ", position, " holds version ",
          events[i].version(), ", the index says ", i + 1));
    }
    OGI_RETURN_IF_ERROR(RevealPersonalData(events[i], rocksdb::ReadOptions()));
  }
  return events;
}

absl::Status RocksEventStore::ScanLog(
    uint64_t from, absl::FunctionRef<absl::Status(const v1::Event&)> visit,
    ChainCheck check, PersonalData personal_data) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
  v1::Event
      event;  // reused: parsing into one message saves most of the allocation
  // The scan checks that positions have no gap and that every record matches
  // its chain link, so a deleted entry or a record changed in a way that still
  // parses is reported, not skipped or returned.
  from = std::max<uint64_t>(from, 1);
  uint64_t expected = from;
  std::string link;
  for (it->Seek(ToSlice(EncodePosition(from))); it->Valid(); it->Next()) {
    OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(ToView(it->key())));
    if (position != expected) {
      return absl::DataLossError(
          absl::StrCat("position ", expected, " is missing from the log"));
    }
    ++expected;
    event.Clear();
    OGI_RETURN_IF_ERROR(DecodeStored(ToView(it->value()), position, event));
    FillEventId(event);
    if (check == ChainCheck::kVerify) {
      if (position == from) {
        OGI_ASSIGN_OR_RETURN(link, LinkBefore(position));
      }
      OGI_ASSIGN_OR_RETURN(absl::string_view next_link,
                           CheckLink(link, ToView(it->value()), position));
      link.assign(next_link.data(), next_link.size());
    }
    if (personal_data == PersonalData::kReveal)
      OGI_RETURN_IF_ERROR(RevealPersonalData(event, rocksdb::ReadOptions()));
    OGI_RETURN_IF_ERROR(visit(event));
  }
  return FromRocksDb(it->status(), "scanning the log");
}

absl::Status RocksEventStore::ScanRecords(
    uint64_t from, absl::FunctionRef<absl::Status(const StoredRecord&)> visit,
    ChainCheck check) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
  from = std::max<uint64_t>(from, 1);
  uint64_t expected = from;
  std::string link;
  for (it->Seek(ToSlice(EncodePosition(from))); it->Valid(); it->Next()) {
    OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(ToView(it->key())));
    if (position != expected) {
      return absl::DataLossError(
          absl::StrCat("position ", expected, " is missing from the log"));
    }
    ++expected;
    const absl::string_view value = ToView(it->value());
    absl::StatusOr<LogValue> parts = DecodeLogValue(value);
    if (!parts.ok()) {
      return absl::DataLossError(
          absl::StrCat("position ", position, ": ", parts.status().message()));
    }
    if (check == ChainCheck::kVerify) {
      if (position == from) {
        OGI_ASSIGN_OR_RETURN(link, LinkBefore(position));
      }
      OGI_ASSIGN_OR_RETURN(absl::string_view next_link,
                           CheckLink(link, value, position));
      link.assign(next_link.data(), next_link.size());
    }
    OGI_RETURN_IF_ERROR(visit(StoredRecord{position, parts->record}));
  }
  return FromRocksDb(it->status(), "scanning the log");
}

absl::StatusOr<std::string> RocksEventStore::LinkBefore(uint64_t position) {
  if (position <= 1) return std::string(kLinkSize, '\0');
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(kLog),
                               EncodePosition(position - 1), &value);
  if (s.IsNotFound())
    return absl::DataLossError(
        absl::StrCat("position ", position - 1, " is missing from the log"));
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position - 1)));
  auto parts = DecodeLogValue(value);
  if (!parts.ok()) {
    return absl::DataLossError(absl::StrCat("position ", position - 1, ": ",
                                            parts.status().message()));
  }
  return std::string(parts->link);
}

absl::StatusOr<std::optional<v1::Event>> RocksEventStore::FindByEventId(
    absl::string_view event_id) {
  std::string key;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(kEventIds),
                               ToSlice(event_id), &key);
  const bool by_stream = s.IsNotFound();
  if (by_stream) {
    // An event stored before ids were assigned has none in its record and no
    // index entry; its assigned id still names it (event_id.h).
    const std::optional<NamedEvent> named = ParseAssignedEventId(event_id);
    if (!named) return std::optional<v1::Event>();
    s = db_->Get(rocksdb::ReadOptions(), family(kStreams),
                 EncodeStreamKey(named->stream, named->version), &key);
    if (s.IsNotFound()) return std::optional<v1::Event>();
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the stream index"));
  } else {
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the eventId index"));
  }
  OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(key));
  std::string value;
  s = db_->Get(rocksdb::ReadOptions(), family(kLog), key, &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(absl::StrCat(
        "position ", position, " is indexed by eventId but missing"));
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position)));
  v1::Event event;
  OGI_RETURN_IF_ERROR(DecodeStored(value, position, event));
  // Found by stream: the id names this event only if it has none of its own.
  if (by_stream && !event.event_id().empty()) return std::optional<v1::Event>();
  FillEventId(event);
  if (event.event_id() != event_id) {
    return absl::DataLossError(
        absl::StrCat("eventId ", event_id, " is indexed at position ", position,
                     ", which holds eventId ", event.event_id()));
  }
  // A retry is answered from this event: check its record against the chain, as
  // a scan would.
  OGI_ASSIGN_OR_RETURN(std::string prev_link, LinkBefore(position));
  OGI_RETURN_IF_ERROR(CheckLink(prev_link, value, position).status());
  OGI_RETURN_IF_ERROR(RevealPersonalData(event, rocksdb::ReadOptions()));
  return std::optional<v1::Event>(std::move(event));
}

absl::StatusOr<StoreStats> RocksEventStore::Stats() {
  StoreStats stats;
  {
    absl::MutexLock lock(&head_mu_);
    stats.events = head_position_;
    stats.cases = case_count_;
    stats.agencies = agency_count_;
    stats.head_link = head_link_;
  }
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(options_.path, ec)) {
    if (entry.is_regular_file(ec)) stats.bytes_on_disk += entry.file_size(ec);
  }
  return stats;
}

}  // namespace engine_internal

namespace {

// Returns kUnavailable naming the process that holds the store's lock file
// (RocksDB locks it with fcntl, so F_GETLK tells the holder), and what to do.
absl::Status StoreInUse(const std::string& path) {
  std::string holder = "another process";
  const std::string lock_file = path + "/LOCK";
  const int fd = open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &lock) == 0) {
      if (lock.l_type == F_UNLCK) {
        holder = "this process (the store is open twice)";
      } else {
        std::ifstream comm(absl::StrCat("/proc/", lock.l_pid, "/comm"));
        std::string name;
        std::getline(comm, name);
        holder = name.empty()
                     ? absl::StrCat("process ", lock.l_pid)
                     : absl::StrCat("process ", lock.l_pid, " (", name, ")");
      }
    }
    close(fd);
  }
  return absl::UnavailableError(absl::StrCat(
      "the store ", path, " is in use by ", holder,
      ": wait for it to finish (an import, a report) or stop it (ogi serve), "
      "then try again"));
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
    return absl::NotFoundError(absl::StrCat("no ogi store at ", options.path));
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
