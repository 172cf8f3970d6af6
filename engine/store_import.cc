// Staged imports: an import's records and index entries written as sorted SST
// files in a staging folder inside the store, then ingested into every column
// family in one step (RocksDB's IngestExternalFiles records all of them in one
// MANIFEST edit). Design and crash argument: docs/STORAGE.md, "Imports".
//
// Staging folder: <store>/ogi-import-staging/<n>/, with, per family,
// <family>-N.sst (the files to ingest) and <family>-run-N.sst (sorted runs
// spilled while staging). RocksDB never looks inside it; Open deletes it.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "engine/civil_date.h"
#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/internal/decider.h"
#include "engine/internal/rocks_store.h"
#include "engine/internal/scratch_store.h"
#include "engine/internal/sorted_runs.h"
#include "engine/key_codec.h"
#include "engine/messages.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

namespace fs = std::filesystem;

constexpr char kStagingFolder[] = "ogi-import-staging";
// Accepted events are sealed and encoded in chunks (SealPersonalData reads the
// keys of a chunk's cases together).
constexpr size_t kChunkEvents = 4096;
constexpr uint64_t kLogFileBytes = 256 << 20;
constexpr uint64_t kIndexFileBytes = 64 << 20;

// Routes the "keys" entries SealPersonalData puts in a batch to a sorter.
class KeysToRuns final : public rocksdb::WriteBatch::Handler {
 public:
  explicit KeysToRuns(SortedRuns& runs) : runs_(runs) {}
  rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Keep(runs_.Add(ToView(key), ToView(value), EntryOp::kPut));
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice& key) override {
    return Keep(runs_.Add(ToView(key), "", EntryOp::kDelete));
  }
  const absl::Status& status() const { return status_; }

 private:
  rocksdb::Status Keep(absl::Status s) {
    if (s.ok()) return rocksdb::Status::OK();
    status_ = std::move(s);
    return rocksdb::Status::Aborted();
  }
  SortedRuns& runs_;
  absl::Status status_;
};

// The state of a store with no event: an import into an empty store (the
// common first load) decides without a RocksDB read per new case and eventId.
class EmptySource final : public StateSource {
 public:
  absl::StatusOr<CaseState> LoadCase(const std::string&) override {
    return CaseState();
  }
  absl::StatusOr<AgencyState> LoadAgency(const std::string&) override {
    return AgencyState();
  }
  absl::StatusOr<std::optional<v1::Event>> LoadByEventId(
      const std::string&, const std::string&) override {
    return std::nullopt;
  }
};

StateSource& SourceFor(uint64_t head, StateSource& store) {
  static EmptySource empty;
  return head == 0 ? empty : store;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) /
                                    absl::Nanoseconds(1)));
  return ts;
}

}  // namespace

class RocksStagedImport final : public StagedImport {
 public:
  struct Base {
    uint64_t head;
    std::string link;
    absl::Time now;
    uint64_t cases;
    uint64_t agencies;
  };

  RocksStagedImport(RocksEventStore& store, std::string dir, Base base,
                    size_t expected_events)
      : store_(store),
        dir_(std::move(dir)),
        base_(std::move(base)),
        link_(base_.link),
        recorded_at_(ToTimestamp(base_.now)),
        decider_(SourceFor(base_.head, store.db_source_), AgencyDay(base_.now)),
        log_(dir_ + "/log", Options(RocksEventStore::kLog),
             store.family(RocksEventStore::kLog), kLogFileBytes),
        streams_(dir_ + "/streams", Options(RocksEventStore::kStreams),
                 store.family(RocksEventStore::kStreams),
                 store.options_.import_sort_bytes * 2 / 5),
        event_ids_(dir_ + "/event_ids", Options(RocksEventStore::kEventIds),
                   store.family(RocksEventStore::kEventIds),
                   store.options_.import_sort_bytes * 2 / 5),
        keys_(dir_ + "/keys", Options(RocksEventStore::kKeys),
              store.family(RocksEventStore::kKeys),
              store.options_.import_sort_bytes / 5) {
    decider_.Reserve(std::min(expected_events, HeldIds()));
  }

  ~RocksStagedImport() override {
    scratch_.reset();  // closed before its folder goes
    std::error_code ec;
    fs::remove_all(dir_, ec);  // a leftover is deleted at the next open
    fs::remove(fs::path(dir_).parent_path(), ec);  // only if empty
  }

  absl::StatusOr<AppendedEvent> Add(const v1::Event& event) override {
    OGI_RETURN_IF_ERROR(failed_);
    absl::StatusOr<Decision> d = decider_.Decide(event);
    if (!d.ok()) {
      refused_ = true;
      return d.status();
    }
    if (d->kind == Decision::Kind::kDuplicate) {
      const uint64_t position = d->duplicate_of_accepted
                                    ? base_.head + *d->duplicate_of_accepted + 1
                                    : d->duplicate_position;
      return AppendedEvent{AppendedEvent::Outcome::kDuplicate, position,
                           d->version};
    }
    const uint64_t position = base_.head + decider_.accepted();
    const uint32_t version = d->version;
    if (version == 1) {
      ++(d->stream.kind == StreamId::Kind::kCase ? new_cases_ : new_agencies_);
    }
    d->event.set_version(version);
    d->event.set_position(position);
    *d->event.mutable_recorded_at() = recorded_at_;
    chunk_.push_back(std::move(d->event));
    if (!refused_ && chunk_.size() >= ChunkEvents()) {
      absl::Status staged = StageChunk();
      if (staged.ok()) staged = Bound();
      if (!staged.ok()) {
        failed_ = staged;
        return staged;
      }
    }
    return AppendedEvent{AppendedEvent::Outcome::kAppended, position, version};
  }

  absl::StatusOr<uint64_t> Commit() override {
    if (refused_) {
      return absl::FailedPreconditionError(Text(Msg::kImportEventRefused));
    }
    OGI_RETURN_IF_ERROR(failed_);
    if (committed_)
      return absl::FailedPreconditionError(Text(Msg::kImportCommittedAlready));
    committed_ = true;
    absl::Status staged = StageChunk();
    if (!staged.ok()) {
      failed_ = staged;
      return staged;
    }
    const uint64_t head = base_.head + decider_.accepted();
    if (head == base_.head) return head;  // only duplicates: nothing to add
    StagedFiles files;
    files.base_head = base_.head;
    files.head = head;
    files.head_link = link_;
    files.recorded_at = base_.now;
    files.cases = base_.cases + new_cases_;
    files.agencies = base_.agencies + new_agencies_;
    absl::Status built = [&]() -> absl::Status {
      // The log first: a reader that sees the indexes of the import while
      // IngestExternalFiles runs (RocksDB does not hide that moment) must
      // find the log entries they point at.
      OGI_ASSIGN_OR_RETURN(std::vector<std::string> log, log_.Finish());
      files.families.emplace_back(RocksEventStore::kLog, std::move(log));
      for (auto [family, runs] :
           {std::pair{RocksEventStore::kStreams, &streams_},
            std::pair{RocksEventStore::kEventIds, &event_ids_},
            std::pair{RocksEventStore::kKeys, &keys_}}) {
        OGI_ASSIGN_OR_RETURN(std::vector<std::string> out,
                             runs->Finish(kIndexFileBytes));
        if (!out.empty()) files.families.emplace_back(family, std::move(out));
      }
      SstOutput counts(dir_ + "/default", Options(RocksEventStore::kDefault),
                       store_.family(RocksEventStore::kDefault), kLogFileBytes);
      // Key order: "count/agencies" < "count/cases".
      // (std::string_view: absl's checks its pointer for null, which UBSan
      // makes a non-constant expression.)
      static_assert(std::string_view(kAgencyCountKey) <
                    std::string_view(kCaseCountKey));
      OGI_RETURN_IF_ERROR(counts.Add(
          kAgencyCountKey, EncodePosition(files.agencies), EntryOp::kPut));
      OGI_RETURN_IF_ERROR(counts.Add(kCaseCountKey, EncodePosition(files.cases),
                                     EntryOp::kPut));
      OGI_ASSIGN_OR_RETURN(std::vector<std::string> out, counts.Finish());
      files.families.emplace_back(RocksEventStore::kDefault, std::move(out));
      return absl::OkStatus();
    }();
    if (!built.ok()) {
      failed_ = built;
      return built;
    }
    OGI_RETURN_IF_ERROR(store_.IngestStaged(files));
    return head;
  }

 private:
  rocksdb::Options Options(int family) {
    return store_.db_->GetOptions(store_.family(family));
  }

  size_t HeldCases() const {
    return std::max<size_t>(store_.options_.import_held_cases, 1);
  }
  // A chunk is also when the bounds are kept, so a small bound (a test's)
  // makes small chunks.
  size_t ChunkEvents() const {
    return std::clamp<size_t>(HeldCases() / 4, 1, kChunkEvents);
  }
  size_t HeldIds() const { return 4 * HeldCases(); }

  // Keeps the decider and the key overlay within their bounds: past them,
  // opens the scratch store (once) and moves what is held into it.
  absl::Status Bound() {
    if (scratch_ == nullptr) {
      if (decider_.cases().size() <= HeldCases() &&
          decider_.accepted() <= HeldIds() &&
          overlay_.entries.size() <= HeldCases()) {
        return absl::OkStatus();
      }
      OGI_ASSIGN_OR_RETURN(scratch_, ScratchStore::Create(dir_ + "/scratch",
                                                          store_.options_.env));
      decider_.HoldAtMost(*scratch_, HeldCases(), HeldIds());
      overlay_.scratch = scratch_.get();
    }
    OGI_RETURN_IF_ERROR(decider_.Trim());
    if (overlay_.entries.size() <= HeldCases()) return absl::OkStatus();
    // Every entry is as written to the keys runs (StageChunk sealed the chunk).
    for (const auto& [case_id, entry] : overlay_.entries) {
      OGI_RETURN_IF_ERROR(
          scratch_->Put(ScratchStore::kKeyEntry, case_id,
                        entry ? EncodeKeyEntry(*entry) : std::string()));
    }
    OGI_RETURN_IF_ERROR(scratch_->Write());
    overlay_.entries.clear();
    return absl::OkStatus();
  }

  // Seals, encodes and chains the buffered accepted events, and hands their
  // entries to the files.
  absl::Status StageChunk() {
    if (chunk_.empty()) return absl::OkStatus();
    std::vector<v1::Event*> events;
    events.reserve(chunk_.size());
    for (v1::Event& e : chunk_) events.push_back(&e);
    // One batch reused (Clear keeps its buffer): freeing a large buffer per
    // chunk made malloc consolidate its free lists every time.
    keys_batch_.Clear();
    OGI_RETURN_IF_ERROR(store_.SealStaged(events, keys_batch_, overlay_));
    KeysToRuns keys(keys_);
    (void)keys_batch_.Iterate(&keys);  // a failure is in keys.status()
    OGI_RETURN_IF_ERROR(keys.status());
    for (v1::Event& event : chunk_) {
      record_.clear();
      // Fails only for >2 GiB messages; validate.cc bounds sizes.
      (void)event.SerializeToString(&record_);
      const Link link = ComputeLink(link_, record_);
      link_.assign(link.data(), link.size());
      const std::string key = EncodePosition(event.position());
      OGI_RETURN_IF_ERROR(
          log_.Add(key, EncodeLogValue(link_, record_), EntryOp::kPut));
      OGI_RETURN_IF_ERROR(
          streams_.Add(EncodeStreamKey(StreamOf(event), event.version()), key,
                       EntryOp::kPut));
      // Every decided event has an id (the decider assigns one).
      EventIdKeyOf(event, id_key_);
      OGI_RETURN_IF_ERROR(event_ids_.Add(id_key_, key, EntryOp::kPut));
    }
    chunk_.clear();
    return absl::OkStatus();
  }

  RocksEventStore& store_;
  const std::string dir_;
  const Base base_;
  std::string link_;  // of the last staged event
  const google::protobuf::Timestamp recorded_at_;
  Decider decider_;
  SstOutput log_;
  SortedRuns streams_;
  SortedRuns event_ids_;
  SortedRuns keys_;
  KeyOverlay overlay_;
  std::unique_ptr<ScratchStore> scratch_;  // opened by Bound when needed
  rocksdb::WriteBatch keys_batch_;
  std::vector<v1::Event> chunk_;
  std::string record_;
  std::string id_key_;
  uint64_t new_cases_ = 0;
  uint64_t new_agencies_ = 0;
  bool refused_ = false;
  bool committed_ = false;
  absl::Status failed_;
};

absl::Status RocksEventStore::RemoveStaging() {
  std::error_code ec;
  fs::remove_all(fs::path(options_.path) / kStagingFolder, ec);
  if (ec) {
    return absl::UnavailableError(
        Text(Msg::kImportCannotDeleteStaging, options_.path, ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StagedImport>> RocksEventStore::BeginImport(
    size_t expected_events) {
  RocksStagedImport::Base base;
  uint64_t n;
  {
    absl::MutexLock commit(&commit_mu_);
    n = ++imports_started_;
  }
  {
    absl::MutexLock lock(&head_mu_);
    OGI_RETURN_IF_ERROR(sticky_error_);
    base.head = head_position_;
    base.link = head_link_;
    // recordedAt never decreases along the log; the head cannot move before
    // the commit (or the commit is refused), so neither can this bound.
    base.now = std::max(clock().Now(), last_recorded_at_);
    base.cases = case_count_;
    base.agencies = agency_count_;
  }
  const fs::path dir =
      fs::path(options_.path) / kStagingFolder / absl::StrCat(n);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(
        Text(Msg::kImportCannotCreateStaging, dir.string(), ec.message()));
  }
  return std::unique_ptr<StagedImport>(std::make_unique<RocksStagedImport>(
      *this, dir.string(), std::move(base), expected_events));
}

absl::Status RocksEventStore::IngestStaged(const StagedFiles& staged) {
  absl::MutexLock commit(&commit_mu_);
  {
    absl::MutexLock lock(&head_mu_);
    OGI_RETURN_IF_ERROR(sticky_error_);
    if (head_position_ != staged.base_head) {
      return absl::AbortedError(
          Text(Msg::kImportHeadMoved, staged.base_head, head_position_));
    }
  }
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [family_index, files] : staged.families) {
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = family(family_index);
    arg.external_files = files;
    // Hard links from the staging folder (same file system), no copy; no
    // rewrite of the files either: the sequence number goes in the MANIFEST.
    arg.options.move_files = true;
    arg.options.write_global_seqno = false;
    arg.options.allow_blocking_flush = true;
    args.push_back(std::move(arg));
  }
  absl::Status ingested = FromRocksDb(db_->IngestExternalFiles(args),
                                      "ingesting the staged import");
  if (!ingested.ok()) {
    // RocksDB promises none of it after a restart, but this process cannot
    // tell what its own view holds: as after a failed append, write no more.
    ingested = absl::UnavailableError(
        Text(Msg::kImportIngestFailed, ingested.message()));
    absl::MutexLock lock(&head_mu_);
    sticky_error_ = ingested;
    return ingested;
  }
  // The decided states of appends before are still true, but the import's
  // cases changed under them.
  case_cache_.clear();
  agency_cache_.clear();
  absl::MutexLock lock(&head_mu_);
  head_position_ = staged.head;
  head_link_ = staged.head_link;
  last_recorded_at_ = staged.recorded_at;
  case_count_ = staged.cases;
  agency_count_ = staged.agencies;
  return absl::OkStatus();
}

}  // namespace ogi::engine_internal
