// The reads of the RocksDB event store: streams, the log scans (one loop,
// ScanStored, behind ScanLog and ScanRecords), chain links, event ids and
// statistics; see event_store.h.
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
#include "engine/event_store.h"
#include "engine/internal/decider.h"
#include "engine/internal/rocks_store.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {

absl::StatusOr<std::vector<std::string>> RocksEventStore::AgencyIds() {
  const StreamId none{StreamId::Kind::kAgency, ""};
  const std::string first = EncodeStreamPrefix(none).substr(0, 1);
  const std::string end(1, static_cast<char>(first[0] + 1));
  rocksdb::ReadOptions read;
  read.total_order_seek = true;  // across streams: no prefix filter
  const rocksdb::Slice upper(end);
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read, family(kStreams)));
  std::vector<std::string> ids;
  for (it->Seek(first); it->Valid();) {
    OGI_ASSIGN_OR_RETURN(DecodedStreamKey key,
                         DecodeStreamKey(ToView(it->key())));
    // Past this agency's versions: ids hold no byte below '-'.
    std::string next = EncodeStreamPrefix(key.stream);
    next.back() = '\x01';
    ids.push_back(std::move(key.stream.id));
    it->Seek(next);
  }
  OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "listing the agencies"));
  return ids;
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
            Text(Msg::kStreamVersionMissing, stream.id, expected - 1));
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
          Text(Msg::kStreamPositionMissing, stream.id, position));
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(statuses[i], absl::StrCat("reading position ", position)));
    OGI_RETURN_IF_ERROR(DecodeStored(values[i], position, events[i]));
    FillEventId(events[i]);
    if (!InStream(events[i], stream)) {
      return absl::DataLossError(
          Text(Msg::kStreamPositionOther, stream.id, position));
    }
    if (events[i].version() != i + 1) {
      return absl::DataLossError(Text(Msg::kStreamVersionDiffers, stream.id,
                                      position, events[i].version(), i + 1));
    }
    OGI_RETURN_IF_ERROR(RevealPersonalData(events[i], rocksdb::ReadOptions()));
  }
  return events;
}

absl::Status RocksEventStore::ScanLog(
    uint64_t from, absl::FunctionRef<absl::Status(const v1::Event&)> visit,
    ChainCheck check, PersonalData personal_data) {
  v1::Event
      event;  // reused: parsing into one message saves most of the allocation
  return ScanStored(
      from, check,
      // Decoded before its link is checked, so a record that does not parse is
      // reported as such.
      [&](const StoredRecord& r) {
        event.Clear();
        return DecodeRecord(r.record, r.position, event);
      },
      [&](const StoredRecord&) -> absl::Status {
        FillEventId(event);
        if (personal_data == PersonalData::kReveal)
          OGI_RETURN_IF_ERROR(
              RevealPersonalData(event, rocksdb::ReadOptions()));
        return visit(event);
      });
}

absl::Status RocksEventStore::ScanRecords(
    uint64_t from, absl::FunctionRef<absl::Status(const StoredRecord&)> visit,
    ChainCheck check) {
  return ScanStored(
      from, check, [](const StoredRecord&) { return absl::OkStatus(); }, visit);
}

absl::Status RocksEventStore::ScanStored(
    uint64_t from, ChainCheck check,
    absl::FunctionRef<absl::Status(const StoredRecord&)> before_link,
    absl::FunctionRef<absl::Status(const StoredRecord&)> visit) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
  // The scan checks that positions have no gap and that every record matches
  // its chain link, so a deleted entry or a record changed in a way that still
  // parses is reported, not skipped or returned.
  from = std::max<uint64_t>(from, 1);
  uint64_t expected = from;
  std::string link;
  for (it->Seek(ToSlice(EncodePosition(from))); it->Valid(); it->Next()) {
    OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(ToView(it->key())));
    if (position != expected) {
      return absl::DataLossError(Text(Msg::kPositionMissing, expected));
    }
    ++expected;
    const absl::string_view value = ToView(it->value());
    absl::StatusOr<LogValue> parts = DecodeLogValue(value);
    if (!parts.ok()) {
      return absl::DataLossError(
          Text(Msg::kAtPosition, position, parts.status().message()));
    }
    const StoredRecord record{position, parts->record};
    OGI_RETURN_IF_ERROR(before_link(record));
    if (check == ChainCheck::kVerify) {
      if (position == from) {
        OGI_ASSIGN_OR_RETURN(link, LinkBefore(position));
      }
      OGI_ASSIGN_OR_RETURN(absl::string_view next_link,
                           CheckLink(link, value, position));
      link.assign(next_link.data(), next_link.size());
    }
    OGI_RETURN_IF_ERROR(visit(record));
  }
  return FromRocksDb(it->status(), "scanning the log");
}

absl::StatusOr<std::string> RocksEventStore::LinkBefore(uint64_t position) {
  if (position <= 1) return std::string(kLinkSize, '\0');
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(kLog),
                               EncodePosition(position - 1), &value);
  if (s.IsNotFound())
    return absl::DataLossError(Text(Msg::kPositionMissing, position - 1));
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position - 1)));
  auto parts = DecodeLogValue(value);
  if (!parts.ok()) {
    return absl::DataLossError(
        Text(Msg::kAtPosition, position - 1, parts.status().message()));
  }
  return std::string(parts->link);
}

absl::StatusOr<std::optional<v1::Event>> RocksEventStore::FindByEventId(
    absl::string_view agency_id, absl::string_view event_id) {
  OGI_RETURN_IF_ERROR(CheckEventIdsScoped());
  std::string key;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family(kEventIds),
               ToSlice(EncodeEventIdKey(agency_id, event_id)), &key);
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
    return absl::DataLossError(Text(Msg::kPositionEventIdMissing, position));
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position)));
  v1::Event event;
  OGI_RETURN_IF_ERROR(DecodeStored(value, position, event));
  // Found by stream: the id names this event only if it has none of its own,
  // and only in its own agency's namespace.
  if (by_stream &&
      (!event.event_id().empty() || event.agency_id() != agency_id))
    return std::optional<v1::Event>();
  FillEventId(event);
  if (event.event_id() != event_id || event.agency_id() != agency_id) {
    return absl::DataLossError(Text(Msg::kEventIdIndexedElsewhere, event_id,
                                    agency_id, position, event.event_id(),
                                    event.agency_id()));
  }
  // A retry is answered from this event: check its record against the chain, as
  // a scan would.
  OGI_ASSIGN_OR_RETURN(std::string prev_link, LinkBefore(position));
  OGI_RETURN_IF_ERROR(CheckLink(prev_link, value, position).status());
  OGI_RETURN_IF_ERROR(RevealPersonalData(event, rocksdb::ReadOptions()));
  return std::optional<v1::Event>(std::move(event));
}

absl::StatusOr<std::optional<v1::Event>> RocksEventStore::FindRetryOf(
    const v1::Event& event) {
  if (event.event_id().empty()) return std::optional<v1::Event>();
  if (NamesItsEventIdAgency(event))
    return FindByEventId(event.agency_id(), event.event_id());
  // The case's agency, from its first event (cases never change agency).
  std::string key;
  rocksdb::Status s = db_->Get(
      rocksdb::ReadOptions(), family(kStreams),
      EncodeStreamKey({StreamId::Kind::kCase, event.case_id()}, 1), &key);
  if (s.IsNotFound()) return std::optional<v1::Event>();  // no such case
  OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the stream index"));
  OGI_ASSIGN_OR_RETURN(uint64_t position, DecodePosition(key));
  std::string value;
  s = db_->Get(rocksdb::ReadOptions(), family(kLog), key, &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(Text(Msg::kPositionStreamMissing, position));
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position)));
  v1::Event first;
  OGI_RETURN_IF_ERROR(DecodeStored(value, position, first));
  return FindByEventId(first.agency_id(), event.event_id());
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

}  // namespace ogi::engine_internal
