#include "read/store_damage.h"

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/messages.h"

namespace ogi {
namespace {

// Whether `error` is RocksDB's own account of damaged files, which names a
// file and an offset but no position of the log.
bool IsFileDamage(const absl::Status& error) {
  const absl::string_view message = error.message();
  return absl::StrContains(message, "Corruption:") ||
         absl::StrContains(message, "block checksum mismatch") ||
         absl::StrContains(message, ".sst");
}

}  // namespace

// Whether the record at `position` can be read (a scan from it reaches it).
bool Readable(EventStore& store, uint64_t position) {
  bool read = false;
  (void)store.ScanRecords(
      position,
      [&](const EventStore::StoredRecord&) {
        read = true;
        return absl::CancelledError("");  // one record is enough
      },
      EventStore::ChainCheck::kSkip);
  return read;
}

absl::Status ExplainDamage(EventStore& store, const absl::Status& error) {
  if (error.ok() || !IsFileDamage(error)) return error;
  const uint64_t head = store.HeadPosition();
  uint64_t last_read = 0;
  (void)store.ScanRecords(
      1,
      [&](const EventStore::StoredRecord& record) {
        last_read = record.position;
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kSkip);
  std::string unreadable;
  if (last_read >= head) {
    unreadable = Text(Msg::kDamageIndexOnly);
  } else {
    // The first readable position after the damage: probe forward at
    // doubling steps, then bisect.
    uint64_t bad = last_read + 1, step = 1, good = head + 1;
    while (bad + step <= head) {
      if (Readable(store, bad + step)) {
        good = bad + step;
        break;
      }
      bad += step;
      step *= 2;
    }
    while (good - bad > 1) {
      const uint64_t mid = bad + (good - bad) / 2;
      (Readable(store, mid) ? good : bad) = mid;
    }
    unreadable = Text(Msg::kDamageUnreadable, last_read + 1, good - 1);
    if (good <= head) {
      absl::StrAppend(&unreadable, Text(Msg::kDamageReadsAgain, good));
    }
  }
  return absl::DataLossError(
      Text(Msg::kStoreDamaged, last_read, head, unreadable, error.message()));
}

absl::Status CheckLogReadable(EventStore& store) {
  absl::Status scanned = store.ScanRecords(
      1, [](const EventStore::StoredRecord&) { return absl::OkStatus(); },
      EventStore::ChainCheck::kSkip);
  return ExplainDamage(store, scanned);
}

}  // namespace ogi
