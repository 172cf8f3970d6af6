// Store formats and the migration between them (docs/STORAGE.md, "Format
// versions"). Format 1 ("ogi-store-1") keyed the "event_ids" family by the
// bare eventId, one namespace for every agency; format 2 keys it by the agency
// of the event's stream and the eventId (EventIdKeyOf, engine/event_id.h).
//
// A writing open of a format-1 store migrates it before anything else runs:
// it walks the log once and, in batches, deletes each event's old entry and
// puts its new one, then writes the format key, synced. An old key (an
// eventId: no control characters) never contains 0x00 and a new key always
// does, so the two never collide, and a migration cut short (a crash, a full
// disk) leaves format 1 with some entries moved: the next writing open runs it
// again from the start, which puts and deletes the same entries. Until the
// format key says 2, a reader treats the index as format 1.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "engine/event_id.h"
#include "engine/internal/rocks_store.h"
#include "engine/key_codec.h"
#include "engine/messages.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

constexpr size_t kMigrationBatchEvents = 10000;

}  // namespace

absl::Status RocksEventStore::MigrateEventIds() {
  OGI_RETURN_IF_ERROR(CheckWritable());
  const std::string context = Text(Msg::kMigrating, options_.path,
                                   kFormatUnscopedEventIds, kFormatValue);
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions unsynced;  // the last write below syncs the WAL
  size_t in_batch = 0;
  v1::Event event;
  std::string key;
  auto flush = [&]() -> absl::Status {
    if (in_batch == 0) return absl::OkStatus();
    OGI_RETURN_IF_ERROR(
        FromRocksDb(db_->Write(unsynced, &batch),
                    absl::StrCat(context, "writing the eventId index")));
    batch.Clear();
    in_batch = 0;
    return absl::OkStatus();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<uint64_t> position = DecodePosition(ToView(it->key()));
    if (!position.ok()) {
      return absl::DataLossError(
          absl::StrCat(context, position.status().message()));
    }
    event.Clear();
    if (absl::Status s = DecodeStored(ToView(it->value()), *position, event);
        !s.ok()) {
      return absl::DataLossError(
          Text(Msg::kMigrateDamage, context, s.message()));
    }
    // Events stored before ids were assigned have no entry in either format.
    if (event.event_id().empty()) continue;
    (void)batch.Delete(family(kEventIds), ToSlice(event.event_id()));
    EventIdKeyOf(event, key);
    (void)batch.Put(family(kEventIds), ToSlice(key), it->key());
    if (++in_batch >= kMigrationBatchEvents) OGI_RETURN_IF_ERROR(flush());
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(it->status(), absl::StrCat(context, "scanning the log")));
  OGI_RETURN_IF_ERROR(flush());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocksDb(db_->Put(sync, family(kDefault), kFormatKey, kFormatValue),
                     absl::StrCat(context, "writing the format"));
}

absl::Status RocksEventStore::CheckEventIdsScoped() const {
  if (!unscoped_event_ids_) return absl::OkStatus();
  return absl::FailedPreconditionError(
      Text(Msg::kStoreNeedsMigration, options_.path, kFormatUnscopedEventIds));
}

}  // namespace ogi::engine_internal
