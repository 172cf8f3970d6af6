#include "engine/key_codec.h"

#include <cstring>
#include <string>
#include <sys/mman.h>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;

TEST(KeyCodecTest, PositionsSortNumerically) {
  EXPECT_LT(EncodePosition(255), EncodePosition(256));
  EXPECT_LT(EncodePosition(1), EncodePosition(uint64_t{1} << 40));
  ASSERT_OK_AND_ASSIGN(uint64_t back,
                       DecodePosition(EncodePosition(0x0102030405060708)));
  EXPECT_EQ(back, 0x0102030405060708u);
  EXPECT_THAT(DecodePosition("short"), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(KeyCodecTest, StreamKeysRoundTripAndStayInsideTheirPrefix) {
  const StreamId a{StreamId::Kind::kCase, "WLT-1"};
  const StreamId b{StreamId::Kind::kCase, "WLT-10"};
  const std::string key = EncodeStreamKey(a, 7);
  ASSERT_OK_AND_ASSIGN(DecodedStreamKey decoded, DecodeStreamKey(key));
  EXPECT_EQ(decoded.stream, a);
  EXPECT_EQ(decoded.version, 7u);
  // "WLT-1" must not see "WLT-10"'s keys under its prefix.
  EXPECT_NE(EncodeStreamKey(b, 1).rfind(EncodeStreamPrefix(a), 0), 0u);
  EXPECT_LT(EncodeStreamKey(a, 255), EncodeStreamKey(a, 256));
  EXPECT_THAT(DecodeStreamKey("x"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeStreamKey(std::string("zABC\0\0\0\0\1", 9)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(KeyCodecTest, LogValueRoundTripsAndRejectsDamage) {
  const std::string link(kLinkSize, 'L');
  const std::string value = EncodeLogValue(link, "record-bytes");
  ASSERT_OK_AND_ASSIGN(LogValue parts, DecodeLogValue(value));
  EXPECT_EQ(parts.link, link);
  EXPECT_EQ(parts.record, "record-bytes");
  EXPECT_THAT(DecodeLogValue(value.substr(0, 10)),
              StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_format = value;
  bad_format[0] = 9;
  EXPECT_THAT(DecodeLogValue(bad_format),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(KeyCodecTest, ChainLinkIsSha256OfPreviousLinkAndRecord) {
  // SHA-256("abc") with an empty previous link is the FIPS 180-2 test vector.
  EXPECT_EQ(absl::BytesToHexString(ChainLink("", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string zero(kLinkSize, '\0');
  EXPECT_NE(ChainLink(zero, "a"), ChainLink(ChainLink(zero, "b"), "a"));
}

// protobuf parses at most INT_MAX bytes: a larger stored record used to abort
// the process (2-4 GiB) or be read modulo 4 GiB, so a record of 4 GiB + n
// bytes decoded as its first n. The pages past the first are only reserved,
// never touched.
TEST(KeyCodecTest, DecodeStoredRefusesARecordTooLongForProtobuf) {
  v1::Event event;
  event.set_case_id("C1");
  event.set_position(1);
  event.mutable_archived();
  const std::string record = event.SerializeAsString();
  const std::string value =
      EncodeLogValue(ChainLink(std::string(kLinkSize, '\0'), record), record);
  for (const size_t size :
       {(size_t{1} << 31) + 100, (size_t{1} << 32) + value.size()}) {
    SCOPED_TRACE(size);
    void* pages = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (pages == MAP_FAILED) GTEST_SKIP() << "cannot reserve " << size;
    std::memcpy(pages, value.data(), value.size());
    v1::Event decoded;
    EXPECT_THAT(
        DecodeStored(absl::string_view(static_cast<const char*>(pages), size),
                     1, decoded),
        StatusIs(absl::StatusCode::kDataLoss, "too long"));
    munmap(pages, size);
  }
}

}  // namespace
}  // namespace ogi
