// The wire-format reader of stored events; see event_view.h.
#include "engine/event_view.h"

#include <cstring>

namespace ogi {
namespace {

static_assert(v1::Event::kReceived == 10 &&
                  v1::Event::kPersonalDataErased == 27 &&
                  v1::Event::kAgencyRegistered == 40 &&
                  v1::Event::kNarrativeSet == 47,
              "payload cases are the envelope's field numbers (event.proto)");

enum WireType { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

// A cursor over serialized protobuf fields. Every read checks bounds.
class Wire {
 public:
  explicit Wire(absl::string_view bytes)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 70 && p_ < end_; shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(*p_++);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return true;
    }
    return false;  // truncated, or longer than 10 bytes
  }

  // Reads a tag; false at a malformed one (field 0, or past 2^29 - 1).
  bool Tag(uint32_t& field, uint32_t& type) {
    uint64_t tag;
    if (!Varint(tag) || tag > UINT32_MAX) return false;
    field = static_cast<uint32_t>(tag >> 3);
    type = static_cast<uint32_t>(tag & 7);
    return field != 0;
  }

  bool Bytes(absl::string_view& out) {
    uint64_t size;
    if (!Varint(size) || size > static_cast<uint64_t>(end_ - p_)) return false;
    out = absl::string_view(p_, size);
    p_ += size;
    return true;
  }

  // Skips a value of wire type `type`; false for groups (the engine writes
  // none) and malformed values.
  bool Skip(uint32_t type) {
    uint64_t unused;
    absl::string_view bytes;
    switch (type) {
      case kVarint:
        return Varint(unused);
      case kFixed64:
        return Advance(8);
      case kBytes:
        return Bytes(bytes);
      case kFixed32:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
};

bool IsPayloadField(uint32_t field) {
  return (field >= v1::Event::kReceived &&
          field <= v1::Event::kPersonalDataErased) ||
         (field >= v1::Event::kAgencyRegistered &&
          field <= v1::Event::kNarrativeSet);
}

// google.protobuf.Timestamp: seconds = 1 (int64), nanos = 2 (int32).
bool ReadTimestamp(absl::string_view bytes, EventView& view) {
  Wire wire(bytes);
  bool seen[3] = {};
  while (!wire.done()) {
    uint32_t field, type;
    if (!wire.Tag(field, type)) return false;
    if (field <= 2) {
      uint64_t value;
      if (type != kVarint || seen[field] || !wire.Varint(value)) return false;
      seen[field] = true;
      if (field == 1) {
        view.recorded_seconds = static_cast<int64_t>(value);
      } else {
        view.recorded_nanos = static_cast<int32_t>(value);
      }
    } else if (!wire.Skip(type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsAscii(absl::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if ((word & 0x8080808080808080ull) != 0) return false;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<uint8_t>(text[i]) >= 0x80) return false;
  }
  return true;
}

bool DecodeEventView(absl::string_view record, EventView& view) {
  view = EventView();
  Wire wire(record);
  uint32_t seen = 0;  // bit per envelope field 1..9
  while (!wire.done()) {
    uint32_t field, type;
    if (!wire.Tag(field, type)) return false;
    if (field <= 9) {
      if ((seen & (1u << field)) != 0) return false;  // repeated: merge rules
      seen |= 1u << field;
    }
    switch (field) {
      case 1:    // event_id
      case 2:    // case_id
      case 3:    // agency_id
      case 4: {  // occurred_on
        absl::string_view text;
        if (type != kBytes || !wire.Bytes(text)) return false;
        // A full parse checks UTF-8; ASCII needs no check, anything else is
        // left to it.
        if (!IsAscii(text)) return false;
        (field == 1   ? view.event_id
         : field == 2 ? view.case_id
         : field == 3 ? view.agency_id
                      : view.occurred_on) = text;
        break;
      }
      case 5:  // actor: not read
        if (type != kBytes || !wire.Skip(type)) return false;
        break;
      case 6:  // expected_version: never stored, not read
        if (type != kVarint || !wire.Skip(type)) return false;
        break;
      case 7: {  // recorded_at
        absl::string_view bytes;
        if (type != kBytes || !wire.Bytes(bytes) ||
            !ReadTimestamp(bytes, view)) {
          return false;
        }
        break;
      }
      case 8:    // version
      case 9: {  // position
        uint64_t value;
        if (type != kVarint || !wire.Varint(value)) return false;
        if (field == 8) {
          view.version = static_cast<uint32_t>(value);
        } else {
          view.position = value;
        }
        break;
      }
      default:
        if (IsPayloadField(field)) {
          // A second payload field (even the same one) has merge or
          // last-one-wins rules: left to the full parse.
          if (view.payload != v1::Event::PAYLOAD_NOT_SET || type != kBytes ||
              !wire.Bytes(view.payload_bytes)) {
            return false;
          }
          view.payload = static_cast<PayloadCase>(field);
        } else if (!wire.Skip(type)) {  // an unknown field
          return false;
        }
        break;
    }
  }
  return view.payload != v1::Event::PAYLOAD_NOT_SET;
}

EventView ViewOf(const v1::Event& event) {
  EventView view;
  view.position = event.position();
  view.version = event.version();
  view.payload = event.payload_case();
  view.event_id = event.event_id();
  view.case_id = event.case_id();
  view.agency_id = event.agency_id();
  view.occurred_on = event.occurred_on();
  view.recorded_seconds = event.recorded_at().seconds();
  view.recorded_nanos = event.recorded_at().nanos();
  return view;
}

bool ReadPayloadFields(absl::string_view message, PayloadFields& fields) {
  fields = PayloadFields();
  Wire wire(message);
  while (!wire.done()) {
    uint32_t field, type;
    if (!wire.Tag(field, type)) return false;
    if (field > PayloadFields::kMaxField) {
      if (!wire.Skip(type)) return false;
      continue;
    }
    if (fields.type[field] != PayloadFields::Type::kAbsent) return false;
    switch (type) {
      case kVarint:
        fields.type[field] = PayloadFields::Type::kVarint;
        if (!wire.Varint(fields.varint[field])) return false;
        break;
      case kBytes:
        fields.type[field] = PayloadFields::Type::kBytes;
        if (!wire.Bytes(fields.bytes[field])) return false;
        break;
      default:
        fields.type[field] = PayloadFields::Type::kOther;
        if (!wire.Skip(type)) return false;
        break;
    }
  }
  return true;
}

}  // namespace ogi
