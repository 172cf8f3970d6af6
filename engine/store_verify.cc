// RocksEventStore::Verify and LinkAt: the log checked against itself (chain
// links, positions) and against its indexes.
//
// From the start of the log, the indexes are compared with the log as sets:
// each side adds up a keyed hash of its entries (stream key + position, eventId
// + position) and the sums must agree, which costs one sequential pass over
// each column family instead of a point lookup per event. Only when the sums
// disagree does a second pass look each entry up, to name the first one wrong.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"

#include "engine/internal/rocks_store.h"
#include "engine/key_codec.h"
#include "engine/payload.h"
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

StreamId StreamOf(const v1::Event& event) {
  if (IsAgencyPayload(event.payload_case()))
    return {StreamId::Kind::kAgency, event.agency_id()};
  return {StreamId::Kind::kCase, event.case_id()};
}

std::string Describe(const StreamId& stream) {
  return absl::StrCat(
      stream.kind == StreamId::Kind::kCase ? "case " : "agency ", stream.id);
}

// Reads position `position` of the log on `read`'s snapshot into `event`;
// kDataLoss if it is missing or does not decode.
absl::Status ReadPosition(rocksdb::DB& db, const rocksdb::ReadOptions& read,
                          rocksdb::ColumnFamilyHandle* log, uint64_t position,
                          v1::Event& event) {
  std::string value;
  rocksdb::Status s = db.Get(read, log, EncodePosition(position), &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(
        absl::StrCat("position ", position, " is missing from the log"));
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
    return absl::DataLossError(absl::StrCat(
        "position ", event.position(), " (", Describe(stream), ", version ",
        event.version(), ") is not in the streams index"));
  }
  if (event.event_id().empty()) return absl::OkStatus();
  s = db.Get(point, event_ids, event.event_id(), &indexed);
  if (!s.ok() || indexed != key) {
    OGI_RETURN_IF_ERROR(FromRocksDb(s.IsNotFound() ? rocksdb::Status() : s,
                                    "reading the eventId index"));
    return absl::DataLossError(
        absl::StrCat("position ", event.position(), " (", Describe(stream),
                     "): its eventId is not indexed at it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RocksEventStore::LinkAt(uint64_t position) {
  if (position == 0) return std::string(kLinkSize, '\0');
  if (position > HeadPosition()) {
    return absl::OutOfRangeError(absl::StrCat(
        "position ", position, " is past the head ", HeadPosition()));
  }
  return LinkBefore(position + 1);
}

absl::StatusOr<EventStore::VerifyResult> RocksEventStore::Verify(
    uint64_t from) {
  from = std::max<uint64_t>(from, 1);
  if (from > 1 && from > HeadPosition()) {
    return absl::OutOfRangeError(
        absl::StrCat("position ", from, " is past the head ", HeadPosition()));
  }
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::DB& db;
    const rocksdb::Snapshot* snapshot;
    ~Release() { db.ReleaseSnapshot(snapshot); }
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
      return absl::DataLossError(
          absl::StrCat("position ", from - 1, " is missing from the log"));
    }
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the log"));
    auto parts = DecodeLogValue(value);
    if (!parts.ok()) {
      return absl::DataLossError(
          absl::StrCat("position ", from - 1, ": ", parts.status().message()));
    }
    link = std::string(parts->link);
  }

  // 1. The log, in order: positions, decoding, chain links; the digests of
  // the index entries each event should have.
  SetDigest expected_streams, expected_ids;
  uint64_t new_cases = 0, new_agencies = 0;
  v1::Event event;
  uint64_t position = from - 1;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(kLog)));
    for (it->Seek(EncodePosition(from)); it->Valid(); it->Next()) {
      OGI_ASSIGN_OR_RETURN(const uint64_t at,
                           DecodePosition(ToView(it->key())));
      if (at != position + 1) {
        return absl::DataLossError(absl::StrCat(
            "position ", position + 1, " is missing from the log (the next ",
            "entry is position ", at, ")"));
      }
      position = at;
      event.Clear();
      OGI_RETURN_IF_ERROR(DecodeStored(ToView(it->value()), at, event));
      const StreamId stream = StreamOf(event);
      absl::StatusOr<absl::string_view> next =
          CheckLink(link, ToView(it->value()), at);
      if (!next.ok()) {
        return absl::DataLossError(absl::StrCat(
            next.status().message(), " (", Describe(stream), ", version ",
            event.version(), "): the event or an earlier one was altered"));
      }
      link.assign(next->data(), next->size());
      const std::string key = EncodePosition(at);
      if (whole_log) {
        expected_streams.Add(EncodeStreamKey(stream, event.version()), key);
        if (!event.event_id().empty()) expected_ids.Add(event.event_id(), key);
        if (event.version() == 1)
          ++(stream.kind == StreamId::Kind::kCase ? new_cases : new_agencies);
        continue;
      }
      // A partial check looks each index entry up.
      OGI_RETURN_IF_ERROR(CheckIndexed(*db_, point, family(kStreams),
                                       family(kEventIds), event));
    }
    OGI_RETURN_IF_ERROR(FromRocksDb(it->status(), "scanning the log"));
  }
  result.events = position - (from - 1);
  result.head_position = position;
  result.head_link = link;
  if (!whole_log) return result;

  // 2. The indexes, each as a set, against what the log says they hold.
  SetDigest streams, ids;
  for (const auto& [f, digest, what] :
       {std::tuple{kStreams, &streams, "streams"},
        std::tuple{kEventIds, &ids, "eventId"}}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family(f)));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      digest->Add(ToView(it->key()), ToView(it->value()));
    OGI_RETURN_IF_ERROR(FromRocksDb(
        it->status(), absl::StrCat("scanning the ", what, " index")));
  }
  if (!(streams == expected_streams) || !(ids == expected_ids)) {
    return IndexMismatch(read, position);
  }

  // 3. The stream counts kept beside the log.
  for (auto [key, expected, what] :
       {std::tuple{kCaseCountKey, new_cases, "cases"},
        std::tuple{kAgencyCountKey, new_agencies, "agencies"}}) {
    std::string value;
    rocksdb::Status s = db_->Get(point, family(kDefault), key, &value);
    uint64_t stored = 0;
    if (!s.IsNotFound()) {
      OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the stream counts"));
      OGI_ASSIGN_OR_RETURN(stored, DecodePosition(value));
    }
    if (stored != expected) {
      return absl::DataLossError(absl::StrCat("the store counts ", stored, " ",
                                              what, ", the log holds ",
                                              expected));
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
        return absl::DataLossError(
            absl::StrCat("streams index: malformed key ",
                         absl::CHexEscape(ToView(it->key()))));
      }
      auto at = DecodePosition(ToView(it->value()));
      if (!at.ok() || *at == 0 || *at > head ||
          !ReadPosition(*db_, point, family(kLog), *at, event).ok() ||
          !(StreamOf(event) == key->stream) ||
          event.version() != key->version) {
        return absl::DataLossError(
            absl::StrCat("streams index: ", Describe(key->stream), " version ",
                         key->version, " points to no such event in the log"));
      }
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), "scanning the streams index"));
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, family(kEventIds)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto at = DecodePosition(ToView(it->value()));
      if (!at.ok() || *at == 0 || *at > head ||
          !ReadPosition(*db_, point, family(kLog), *at, event).ok() ||
          event.event_id() != ToView(it->key())) {
        return absl::DataLossError(
            absl::StrCat("eventId index: an entry points to no event with its "
                         "eventId (",
                         at.ok() ? absl::StrCat("position ", *at)
                                 : std::string("malformed position"),
                         ")"));
      }
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), "scanning the eventId index"));
  }
  return absl::DataLossError(
      "the indexes disagree with the log, but no single entry could be named");
}

}  // namespace ogi::engine_internal
