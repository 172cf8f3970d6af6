// RocksEventStore::Verify and LinkAt: the log checked against itself (chain
// links, positions) and against its indexes.
//
// From the start of the log, the indexes are compared with the log as sets:
// each side adds up a keyed hash of its entries (stream key + position, eventId
// + position) and the sums must agree, which costs one sequential pass over
// each column family instead of a point lookup per event. Only when the sums
// disagree does a second pass look each entry up, to name the first one wrong.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"

#include "engine/event_id.h"
#include "engine/internal/rocks_store.h"
#include "engine/key_codec.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/record_batches.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

// Order-independent digest of a set of (key, value) entries. absl::Hash is
// seeded per process, so nobody can craft entries whose sums collide.
struct SetDigest {
  uint64_t sum = 0;
  uint64_t count = 0;
  void Add(absl::string_view key, absl::string_view value) {
    sum += absl::HashOf(key, value);
    ++count;
  }
  friend bool operator==(const SetDigest&, const SetDigest&) = default;
};

std::string Describe(const StreamId& stream) {
  return Text(stream.kind == StreamId::Kind::kCase ? Msg::kStreamCase
                                                   : Msg::kStreamAgency,
              stream.id);
}

// Reads position `position` of the log on `read`'s snapshot into `event`;
// kDataLoss if it is missing or does not decode.
absl::Status ReadPosition(rocksdb::DB& db, const rocksdb::ReadOptions& read,
                          rocksdb::ColumnFamilyHandle* log, uint64_t position,
                          v1::Event& event) {
  std::string value;
  rocksdb::Status s = db.Get(read, log, EncodePosition(position), &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(Text(Msg::kPositionMissing, position));
  }
  OGI_RETURN_IF_ERROR(
      FromRocksDb(s, absl::StrCat("reading position ", position)));
  return DecodeStored(value, position, event);
}

// Checks that stored `event` has its "streams" entry and, if it has an
// eventId, its "event_ids" entry, both pointing at its position; kDataLoss
// naming the position and stream otherwise.
absl::Status CheckIndexed(rocksdb::DB& db, const rocksdb::ReadOptions& point,
                          rocksdb::ColumnFamilyHandle* streams,
                          rocksdb::ColumnFamilyHandle* event_ids,
                          const v1::Event& event) {
  const StreamId stream = StreamOf(event);
  const std::string key = EncodePosition(event.position());
  std::string indexed;
  rocksdb::Status s = db.Get(
      point, streams, EncodeStreamKey(stream, event.version()), &indexed);
  if (!s.ok() || indexed != key) {
    OGI_RETURN_IF_ERROR(FromRocksDb(s.IsNotFound() ? rocksdb::Status() : s,
                                    "reading the streams index"));
    return absl::DataLossError(Text(Msg::kPositionNotInStreams,
                                    event.position(), Describe(stream),
                                    event.version()));
  }
  if (event.event_id().empty()) return absl::OkStatus();
  s = db.Get(point, event_ids, EventIdKeyOf(event), &indexed);
  if (!s.ok() || indexed != key) {
    OGI_RETURN_IF_ERROR(FromRocksDb(s.IsNotFound() ? rocksdb::Status() : s,
                                    "reading the eventId index"));
    return absl::DataLossError(Text(Msg::kPositionEventIdNotIndexed,
                                    event.position(), Describe(stream)));
  }
  return absl::OkStatus();
}

// The first failure found at a position, and whether, checked one event at a
// time, it would come before the chain link of that position (decoding) or
// after it (the index lookups of a partial check).
struct Failure {
  uint64_t position = UINT64_MAX;  // UINT64_MAX: none
  bool before_link = false;
  absl::Status status;
  bool failed() const { return position != UINT64_MAX; }
};

// Returns the failure a one-event-at-a-time check would have reported first.
const Failure& First(const Failure& a, const Failure& b) {
  if (a.position != b.position) return a.position < b.position ? a : b;
  return a.before_link ? a : b;
}

// Sets `out` to the "streams" key of stored `event` (EncodeStreamKey's
// layout, key_codec.h).
void StreamKeyOf(const v1::Event& event, std::string& out) {
  const bool agency = IsAgencyPayload(event.payload_case());
  const std::string& id = agency ? event.agency_id() : event.case_id();
  out.clear();
  out.push_back(static_cast<char>(agency ? StreamId::Kind::kAgency
                                         : StreamId::Kind::kCase));
  out.append(id);
  out.push_back('\0');
  const uint32_t version = event.version();
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((version >> shift) & 0xff));
}

}  // namespace

absl::StatusOr<std::string> RocksEventStore::LinkAt(uint64_t position) {
  if (position == 0) return std::string(kLinkSize, '\0');
  if (position > HeadPosition()) {
    return absl::OutOfRangeError(
        Text(Msg::kPositionPastHead, position, HeadPosition()));
  }
  return LinkBefore(position + 1);
}

absl::StatusOr<EventStore::VerifyResult> RocksEventStore::Verify(
    uint64_t from) {
  from = std::max<uint64_t>(from, 1);
  OGI_RETURN_IF_ERROR(CheckEventIdsScoped());
  if (from > 1 && from > HeadPosition()) {
    return absl::OutOfRangeError(
        Text(Msg::kPositionPastHead, from, HeadPosition()));
  }
  const rocksdb::Snapshot* snapshot = ReadSnapshot();
  struct Release {
    rocksdb::DB& db;
    const rocksdb::Snapshot* snapshot;
    ~Release() {
      if (snapshot != nullptr) db.ReleaseSnapshot(snapshot);
    }
  } release{*db_, snapshot};
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  rocksdb::ReadOptions point;  // lookups: through the block cache
  point.snapshot = snapshot;
  const bool whole_log = from == 1;

  VerifyResult result;
  std::string link(kLinkSize, '\0');
  if (!whole_log) {
    std::string value;
    rocksdb::Status s =
        db_->Get(point, family(kLog), EncodePosition(from - 1), &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(Text(Msg::kPositionMissing, from - 1));
    }
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the log"));
    auto parts = DecodeLogValue(value);
    if (!parts.ok()) {
      return absl::DataLossError(
          Text(Msg::kAtPosition, from - 1, parts.status().message()));
    }
    link = std::string(parts->link);
  }

  // Three threads, on the same snapshot: this one reads the log in order and
  // checks positions and chain links (each link depends on the one before);
  // `decoder` parses each event and sums the index entries it should have (or,
  // for a partial check, looks them up); `indexes` sums what the indexes hold.
  // The failure reported is the one a one-event-at-a-time check finds first.
  SetDigest expected_streams, expected_ids;
  uint64_t new_cases = 0, new_agencies = 0;
  RecordBatchQueue queue;
  std::atomic<bool> decoder_failed{false};
  Failure decoded;  // written by `decoder`, read after it is joined
  std::thread decoder([&] {
    v1::Event event;
    std::string stream_key, id_key;
    while (std::unique_ptr<RecordBatch> batch = queue.Next()) {
      for (size_t i = 0; i < batch->ends.size() && !decoded.failed(); ++i) {
        const uint64_t at = batch->positions[i];
        event.Clear();
        if (absl::Status s = DecodeStored(batch->Record(i), at, event);
            !s.ok()) {
          decoded = {at, true, s};
          break;
        }
        if (!whole_log) {
          if (absl::Status s = CheckIndexed(*db_, point, family(kStreams),
                                            family(kEventIds), event);
              !s.ok()) {
            decoded = {at, false, s};
            break;
          }
          continue;
        }
        const std::string key = EncodePosition(at);
        StreamKeyOf(event, stream_key);
        expected_streams.Add(stream_key, key);
        if (!event.event_id().empty()) {
          EventIdKeyOf(event, id_key);
          expected_ids.Add(id_key, key);
        }
        if (event.version() == 1) {
          ++(IsAgencyPayload(event.payload_case()) ? new_agencies : new_cases);
        }
      }
      if (decoded.failed()) decoder_failed.store(true);
      queue.GiveBack(std::move(batch));
    }
  });
  // 2. The indexes, each as a set (from the start only).
  SetDigest streams, ids;
  absl::Status indexes_scanned;
  std::thread indexes([&] {
    if (!whole_log) return;
    for (const auto& [f, digest, what] :
         {std::tuple{kStreams, &streams, "streams"},
          std::tuple{kEventIds, &ids, "eventId"}}) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(f)));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        digest->Add(ToView(it->key()), ToView(it->value()));
      indexes_scanned = FromRocksDb(
          it->status(), absl::StrCat("scanning the ", what, " index"));
      if (!indexes_scanned.ok()) return;
    }
  });

  // 1. The log, in order: positions and chain links.
  Failure chained;
  uint64_t position = from - 1;
  absl::string_view failed_value;  // the value whose link did not match
  std::string failed_value_copy;
  {
    // The head is read after the snapshot: the scan stops at or before it.
    const uint64_t head = HeadPosition();
    ProgressTicker ticker(progress(), Msg::kProgressVerifying,
                          head >= from ? head - from + 1 : 0);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
    std::unique_ptr<RecordBatch> batch = queue.TakeEmpty();
    for (it->Seek(EncodePosition(from)); it->Valid(); it->Next()) {
      if (decoder_failed.load(std::memory_order_relaxed)) break;
      absl::StatusOr<uint64_t> at = DecodePosition(ToView(it->key()));
      if (!at.ok()) {
        chained = {position + 1, false, at.status()};
        break;
      }
      if (*at != position + 1) {
        chained = {position + 1, false,
                   absl::DataLossError(
                       Text(Msg::kPositionMissingNext, position + 1, *at))};
        break;
      }
      position = *at;
      const absl::string_view value = ToView(it->value());
      batch->positions.push_back(position);
      batch->records.append(value.data(), value.size());
      batch->ends.push_back(batch->records.size());
      // A value too short for a link fails to decode: the decoder reports it.
      absl::StatusOr<LogValue> parts = DecodeLogValue(value);
      if (!parts.ok()) {
        chained = {position, false, parts.status()};
        break;
      }
      const Link next = ComputeLink(link, parts->record);
      if (absl::string_view(next.data(), next.size()) != parts->link) {
        failed_value_copy = std::string(value);
        failed_value = failed_value_copy;
        chained = {position, false,
                   absl::DataLossError(Text(Msg::kStoredEventChain, position))};
        break;
      }
      link.assign(next.data(), next.size());
      if (batch->ends.size() == RecordBatchQueue::kBatchRecords) {
        queue.Push(std::move(batch));
        batch = queue.TakeEmpty();
        ticker.Tick(position - from + 1);
      }
    }
    if (!chained.failed()) ticker.Finish();
    if (!chained.failed()) {
      chained.status = FromRocksDb(it->status(), "scanning the log");
      if (!chained.status.ok()) chained.position = position + 1;
    }
    queue.Push(std::move(batch));
    queue.Close();
  }
  decoder.join();
  indexes.join();
  if (decoded.failed() || chained.failed()) {
    const Failure& first = First(decoded, chained);
    if (&first == &decoded || failed_value.empty()) return first.status;
    // A link that does not match: name the event (it decodes, or the decoder
    // would have failed first).
    v1::Event event;
    OGI_RETURN_IF_ERROR(DecodeStored(failed_value, first.position, event));
    const StreamId stream = StreamOf(event);
    return absl::DataLossError(Text(Msg::kEventAltered, first.status.message(),
                                    Describe(stream), event.version()));
  }
  OGI_RETURN_IF_ERROR(indexes_scanned);
  result.events = position - (from - 1);
  result.head_position = position;
  result.head_link = link;
  if (!whole_log) return result;
  if (!(streams == expected_streams) || !(ids == expected_ids)) {
    return IndexMismatch(read, position);
  }

  // 3. The stream counts kept beside the log.
  for (auto [key, expected, what] :
       {std::tuple{kCaseCountKey, new_cases, Msg::kCountCases},
        std::tuple{kAgencyCountKey, new_agencies, Msg::kCountAgencies}}) {
    std::string value;
    rocksdb::Status s = db_->Get(point, family(kDefault), key, &value);
    uint64_t stored = 0;
    if (!s.IsNotFound()) {
      OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the stream counts"));
      OGI_ASSIGN_OR_RETURN(stored, DecodePosition(value));
    }
    if (stored != expected) {
      return absl::DataLossError(
          Text(Msg::kStoreCountDiffers, stored, Text(what), expected));
    }
  }
  return result;
}

absl::Status RocksEventStore::IndexMismatch(const rocksdb::ReadOptions& read,
                                            uint64_t head) {
  rocksdb::ReadOptions point;
  point.snapshot = read.snapshot;
  v1::Event event;
  // An event whose index entry is missing or points elsewhere.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
    std::string indexed;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      OGI_ASSIGN_OR_RETURN(const uint64_t at,
                           DecodePosition(ToView(it->key())));
      event.Clear();
      OGI_RETURN_IF_ERROR(DecodeStored(ToView(it->value()), at, event));
      OGI_RETURN_IF_ERROR(CheckIndexed(*db_, point, family(kStreams),
                                       family(kEventIds), event));
    }
    OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "scanning the log"));
  }
  // Otherwise an index entry no event accounts for.
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, family(kStreams)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto key = DecodeStreamKey(ToView(it->key()));
      if (!key.ok()) {
        return absl::DataLossError(Text(Msg::kStreamsIndexMalformed,
                                        absl::CHexEscape(ToView(it->key()))));
      }
      auto at = DecodePosition(ToView(it->value()));
      if (!at.ok() || *at == 0 || *at > head ||
          !ReadPosition(*db_, point, family(kLog), *at, event).ok() ||
          !(StreamOf(event) == key->stream) ||
          event.version() != key->version) {
        return absl::DataLossError(Text(Msg::kStreamsIndexDangling,
                                        Describe(key->stream), key->version));
      }
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), "scanning the streams index"));
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, family(kEventIds)));
    std::string id_key;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!DecodeEventIdKey(ToView(it->key())).ok()) {
        return absl::DataLossError(Text(Msg::kEventIdIndexMalformed,
                                        absl::CHexEscape(ToView(it->key()))));
      }
      auto at = DecodePosition(ToView(it->value()));
      bool matches = false;
      event.Clear();
      if (at.ok() && *at != 0 && *at <= head &&
          ReadPosition(*db_, point, family(kLog), *at, event).ok() &&
          !event.event_id().empty()) {
        EventIdKeyOf(event, id_key);
        matches = id_key == ToView(it->key());
      }
      if (!matches) {
        return absl::DataLossError(
            Text(Msg::kEventIdIndexDangling,
                 at.ok() ? Text(Msg::kStreamPositionShort, *at)
                         : Text(Msg::kMalformedPosition)));
      }
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), "scanning the eventId index"));
  }
  return absl::DataLossError(Text(Msg::kIndexesDisagree));
}

}  // namespace ogi::engine_internal
