// Key and value encodings of the event store; the layout is documented in
// key_codec.h.
#include "engine/key_codec.h"

#include <limits>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/str_cat.h"

#include "engine/messages.h"

namespace ogi {
namespace {

constexpr size_t kPositionSize = 8;
constexpr size_t kVersionSize = 4;
static_assert(kLinkSize == SHA256_DIGEST_LENGTH,
              "the chain link is one SHA-256 digest");

void StoreBigEndian(char* out, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    out[size - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

uint64_t LoadBigEndian(const char* in, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value = (value << 8) | static_cast<uint8_t>(in[i]);
  return value;
}

}  // namespace

std::string EncodePosition(uint64_t position) {
  std::string out(kPositionSize, '\0');
  StoreBigEndian(out.data(), position, kPositionSize);
  return out;
}

absl::StatusOr<uint64_t> DecodePosition(absl::string_view bytes) {
  if (bytes.size() != kPositionSize) {
    return absl::DataLossError(Text(Msg::kStoredPositionSize, bytes.size()));
  }
  return LoadBigEndian(bytes.data(), kPositionSize);
}

std::string EncodeStreamPrefix(const StreamId& stream) {
  std::string out;
  out.reserve(stream.id.size() + 2 + kVersionSize);
  out.push_back(static_cast<char>(stream.kind));
  out.append(stream.id);
  out.push_back('\0');
  return out;
}

std::string EncodeStreamKey(const StreamId& stream, uint32_t version) {
  std::string out = EncodeStreamPrefix(stream);
  char buf[kVersionSize];
  StoreBigEndian(buf, version, kVersionSize);
  out.append(buf, kVersionSize);
  return out;
}

absl::StatusOr<DecodedStreamKey> DecodeStreamKey(absl::string_view key) {
  if (key.size() < 2 + kVersionSize ||
      key[key.size() - kVersionSize - 1] != '\0' ||
      (key[0] != static_cast<char>(StreamId::Kind::kAgency) &&
       key[0] != static_cast<char>(StreamId::Kind::kCase))) {
    return absl::DataLossError(Text(Msg::kStreamKeyMalformed));
  }
  DecodedStreamKey out;
  out.stream.kind = static_cast<StreamId::Kind>(key[0]);
  out.stream.id = std::string(key.substr(1, key.size() - 2 - kVersionSize));
  out.version = static_cast<uint32_t>(
      LoadBigEndian(key.data() + key.size() - kVersionSize, kVersionSize));
  return out;
}

void EncodeEventIdKey(absl::string_view agency_id, absl::string_view event_id,
                      std::string& out) {
  out.clear();
  out.reserve(agency_id.size() + 1 + event_id.size());
  out.append(agency_id.data(), agency_id.size());
  out.push_back('\0');
  out.append(event_id.data(), event_id.size());
}

std::string EncodeEventIdKey(absl::string_view agency_id,
                             absl::string_view event_id) {
  std::string out;
  EncodeEventIdKey(agency_id, event_id, out);
  return out;
}

absl::StatusOr<DecodedEventIdKey> DecodeEventIdKey(absl::string_view key) {
  const size_t separator = key.find('\0');
  if (separator == absl::string_view::npos)
    return absl::DataLossError(Text(Msg::kEventIdKeyMalformed));
  return DecodedEventIdKey{key.substr(0, separator), key.substr(separator + 1)};
}

std::string EncodeLogValue(absl::string_view link, absl::string_view record) {
  std::string out;
  out.reserve(1 + link.size() + record.size());
  out.push_back(static_cast<char>(kLogValueFormat));
  out.append(link.data(), link.size());
  out.append(record.data(), record.size());
  return out;
}

absl::StatusOr<LogValue> DecodeLogValue(absl::string_view value) {
  if (value.size() < 1 + kLinkSize) {
    return absl::DataLossError(Text(Msg::kStoredEventShort, value.size()));
  }
  if (static_cast<uint8_t>(value[0]) != kLogValueFormat) {
    return absl::DataLossError(
        Text(Msg::kStoredEventFormat,
             static_cast<int>(static_cast<uint8_t>(value[0]))));
  }
  return LogValue{value.substr(1, kLinkSize), value.substr(1 + kLinkSize)};
}

Link ComputeLink(absl::string_view prev_link, absl::string_view record) {
  // One digest context per thread, reused, and SHA-256 fetched once: OpenSSL 3
  // would otherwise look the algorithm up on every EVP_DigestInit_ex.
  struct Context {
    Context()
        : ctx(EVP_MD_CTX_new()), md(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {}
    ~Context() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
    EVP_MD_CTX* ctx;
    EVP_MD* md;
  };
  thread_local Context context;
  Link out;
  unsigned int size = 0;
  // These calls fail only on allocation failure inside OpenSSL, which is not
  // recoverable here.
  (void)EVP_DigestInit_ex(
      context.ctx, context.md != nullptr ? context.md : EVP_sha256(), nullptr);
  (void)EVP_DigestUpdate(context.ctx, prev_link.data(), prev_link.size());
  (void)EVP_DigestUpdate(context.ctx, record.data(), record.size());
  (void)EVP_DigestFinal_ex(context.ctx,
                           reinterpret_cast<unsigned char*>(out.data()), &size);
  return out;
}

std::string ChainLink(absl::string_view prev_link, absl::string_view record) {
  const Link link = ComputeLink(prev_link, record);
  return std::string(link.data(), link.size());
}

// Parses the "log" value stored at `position` into `event`. kDataLoss unless it
// decodes, says it is at `position` and has a payload: a record cut short
// either fails to parse or loses its last fields, and the payload (field
// numbers 10 and up) is serialized after every envelope field.
absl::Status DecodeStored(absl::string_view value, uint64_t position,
                          v1::Event& event) {
  auto parts = DecodeLogValue(value);
  if (!parts.ok())
    return absl::DataLossError(
        Text(Msg::kAtPosition, position, parts.status().message()));
  return DecodeRecord(parts->record, position, event);
}

absl::Status DecodeRecord(absl::string_view record, uint64_t position,
                          v1::Event& event) {
  // protobuf takes the size as an int: a larger record would abort the process
  // (2-4 GiB) or be read only up to its size modulo 4 GiB. The engine never
  // writes one, so it is damage.
  if (record.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::DataLossError(
        Text(Msg::kStoredEventLong, position, record.size()));
  }
  if (!event.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return absl::DataLossError(Text(Msg::kStoredEventUndecodable, position));
  }
  if (event.position() != position) {
    return absl::DataLossError(
        Text(Msg::kStoredEventPosition, position, event.position()));
  }
  if (event.payload_case() == v1::Event::PAYLOAD_NOT_SET) {
    return absl::DataLossError(Text(Msg::kStoredEventNoPayload, position));
  }
  return absl::OkStatus();
}

// Checks the chain link of the "log" value stored at `position` against
// `prev_link`, the link of position - 1, and returns it. kDataLoss if the
// record or the link was changed (or the value does not decode).
absl::StatusOr<absl::string_view> CheckLink(absl::string_view prev_link,
                                            absl::string_view value,
                                            uint64_t position) {
  auto parts = DecodeLogValue(value);
  if (!parts.ok())
    return absl::DataLossError(
        Text(Msg::kAtPosition, position, parts.status().message()));
  const Link link = ComputeLink(prev_link, parts->record);
  if (absl::string_view(link.data(), link.size()) != parts->link) {
    return absl::DataLossError(Text(Msg::kStoredEventChain, position));
  }
  return parts->link;
}

}  // namespace ogi
