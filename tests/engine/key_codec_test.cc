#include "engine/key_codec.h"

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

}  // namespace
}  // namespace ogi
