// The RocksDB layout of the event store: column families, key encodings and
// stored values.
//
// Grammar (all integers big-endian, so byte order is numeric order):
//
// clang-format off
//   column family "default"
//     "format"                        -> "ogi-store-2", written when the store is created
//                                        ("ogi-store-1": eventIds unscoped; migrated on a
//                                        writing open, docs/STORAGE.md)
//     "count/cases", "count/agencies" -> u64 streams created so far (same batch as the events)
//   column family "log"               the global log, one entry per event, in commit order
//     position:u64                    -> LogValue
//     LogValue := format:u8 (=1) link:32 bytes record
//     record   := the serialized ogi.v1.Event as stored (engine fields set, expected_version
//                 cleared, the applicant's personal data sealed: engine/personal_data.h)
//     link     := SHA-256(link of position-1 || record); before position 1: 32 zero bytes
//   column family "streams"           one entry per event, per stream, in version order
//     kind:u8 ('a' agency | 'c' case) stream_id 0x00 version:u32 -> position:u64
//   column family "event_ids"         producers' idempotency keys, one namespace per agency
//     agency_id 0x00 event_id         -> position:u64   (the agency the event's stream
//                                        belongs to: EventIdKeyOf, engine/event_id.h)
//   column family "keys"              personal-data keys, apart from the log
//     "p"                             -> pepper:32 (HMAC key of the blind tokens)
//     "k" case_id                     -> key_id:8 key:32 token:32*   (the case's applicant
//                                        tokens, so erasure can drop them)
//     "t" token:32 case_id            -> ""   (find an applicant's cases)
// clang-format on
//
// Positions start at 1 and are gap-free; versions start at 1 within each
// stream. Stream ids never contain 0x00 (validate.cc allows only
// [A-Za-z0-9._:/-]), so the 0x00 separator makes one stream's keys a contiguous
// range that no other stream's keys fall inside; likewise one agency's
// eventIds (an eventId has no control characters, so a format-1 key, the bare
// eventId, never contains 0x00 and a format-2 key always does).
//
// Every append writes all of its entries, in all column families, in one
// WriteBatch with the WAL synced, so a crash leaves either all of an append or
// none of it. With WALRecoveryMode::kPointInTimeRecovery, a torn WAL tail (an
// append that never returned success) is dropped on reopen; everything
// acknowledged is kept. The log column family is the source of truth: "streams"
// and "event_ids" are indexes over it and can be checked against it (and, with
// the links, the log can be checked against itself).
#ifndef OGI_ENGINE_KEY_CODEC_H_
#define OGI_ENGINE_KEY_CODEC_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "proto/event.pb.h"

namespace ogi {

inline constexpr char kFormatKey[] = "format";
inline constexpr char kFormatValue[] = "ogi-store-2";
// The format before eventIds were scoped by agency: the "event_ids" key was the
// bare eventId. A writing open migrates it (store_migrate.cc).
inline constexpr char kFormatUnscopedEventIds[] = "ogi-store-1";
inline constexpr char kCaseCountKey[] = "count/cases";
inline constexpr char kAgencyCountKey[] = "count/agencies";
inline constexpr char kLogFamily[] = "log";
inline constexpr char kStreamsFamily[] = "streams";
inline constexpr char kEventIdsFamily[] = "event_ids";
inline constexpr char kKeysFamily[] = "keys";

inline constexpr size_t kLinkSize = 32;
inline constexpr uint8_t kLogValueFormat = 1;

// A stream: one case or one agency.
struct StreamId {
  enum class Kind : char { kAgency = 'a', kCase = 'c' };
  Kind kind;
  std::string id;

  friend bool operator==(const StreamId&, const StreamId&) = default;
};

// Returns the 8-byte big-endian encoding of `position`.
std::string EncodePosition(uint64_t position);

// Returns the position encoded by EncodePosition; kDataLoss if `bytes` is not 8
// bytes long.
absl::StatusOr<uint64_t> DecodePosition(absl::string_view bytes);

// Returns the key of `stream`'s event at `version` in the "streams" family.
std::string EncodeStreamKey(const StreamId& stream, uint32_t version);

// Returns the prefix shared by every key of `stream` (kind, id and the 0x00
// separator).
std::string EncodeStreamPrefix(const StreamId& stream);

struct DecodedStreamKey {
  StreamId stream;
  uint32_t version;
};

// Returns the stream and version of a "streams" key; kDataLoss if the key is
// malformed.
absl::StatusOr<DecodedStreamKey> DecodeStreamKey(absl::string_view key);

// Returns the "event_ids" key of `event_id` in the namespace of agency
// `agency_id`. Use EventIdKeyOf (engine/event_id.h) for an event.
std::string EncodeEventIdKey(absl::string_view agency_id,
                             absl::string_view event_id);
// The same, into `out` (cleared first), for verifying millions of events.
void EncodeEventIdKey(absl::string_view agency_id, absl::string_view event_id,
                      std::string& out);

struct DecodedEventIdKey {
  absl::string_view agency_id;  // views into the key
  absl::string_view event_id;
};

// Returns the parts of an "event_ids" key; kDataLoss if it has no 0x00
// separator (e.g. a format-1 key).
absl::StatusOr<DecodedEventIdKey> DecodeEventIdKey(absl::string_view key);

// The parts of a "log" value. The views point into the decoded value, which
// must outlive them.
struct LogValue {
  absl::string_view link;
  absl::string_view record;
};

// Returns the "log" value for `record` with chain `link` (kLinkSize bytes).
std::string EncodeLogValue(absl::string_view link, absl::string_view record);

// Returns the parts of a "log" value; kDataLoss if it is too short or of an
// unknown format.
absl::StatusOr<LogValue> DecodeLogValue(absl::string_view value);

// Returns the chain link SHA-256(prev_link || record) (kLinkSize bytes).
std::string ChainLink(absl::string_view prev_link, absl::string_view record);

// The same, without allocating: for verifying millions of links.
using Link = std::array<char, kLinkSize>;
Link ComputeLink(absl::string_view prev_link, absl::string_view record);

// Parses the "log" value stored at `position` into `event`. kDataLoss unless
// it decodes, says it is at `position` and has a payload. Any bytes give a
// status, never a crash (fuzzed: tests/fuzz).
absl::Status DecodeStored(absl::string_view value, uint64_t position,
                          v1::Event& event);

// Like DecodeStored, for the record part of a "log" value (DecodeLogValue).
absl::Status DecodeRecord(absl::string_view record, uint64_t position,
                          v1::Event& event);

// Checks the chain link of the "log" value stored at `position` against
// `prev_link`, the link of position - 1, and returns it. kDataLoss if the
// record or the link was changed (or the value does not decode).
absl::StatusOr<absl::string_view> CheckLink(absl::string_view prev_link,
                                            absl::string_view value,
                                            uint64_t position);

}  // namespace ogi

#endif  // OGI_ENGINE_KEY_CODEC_H_
