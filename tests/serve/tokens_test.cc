#include "serve/tokens.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::ogi::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1750000000);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TokensTest, CreatedTokenAuthenticatesAndIsStoredOnlyAsItsHash) {
  TempDir dir;
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city-a", TokenReach::kSubtree,
                    static_cast<uint32_t>(TokenScope::kAppend), kNow));
  EXPECT_EQ(token.size(), 56u);
  EXPECT_THAT(ReadAll(dir.Sub("ogi-tokens")), Not(HasSubstr(token)));
  EXPECT_THAT(ReadAll(dir.Sub("ogi-tokens")),
              Not(HasSubstr(token.substr(13))));  // nor the secret alone

  ASSERT_OK_AND_ASSIGN(TokenInfo info, tokens.Authenticate(token));
  EXPECT_EQ(info.name, "portal");
  EXPECT_EQ(info.agency_id, "city-a");
  EXPECT_EQ(info.reach, TokenReach::kSubtree);
  EXPECT_TRUE(info.Has(TokenScope::kAppend));
  EXPECT_FALSE(info.Has(TokenScope::kRead));
}

TEST(TokensTest, WrongMalformedAndRevokedTokensAreRefusedAlike) {
  TempDir dir;
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city", TokenReach::kAgency, 7, kNow));
  std::string altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(), std::string("ogi_"), altered, token + "x",
        token.substr(0, 12) + "_" + std::string(43, 'A')}) {
    EXPECT_THAT(tokens.Authenticate(bad),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         "the token is missing, malformed, unknown or "
                         "revoked"));
  }
  ASSERT_OK(tokens.Revoke("portal", kNow));
  EXPECT_THAT(tokens.Authenticate(token),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(tokens.Revoke("portal", kNow),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(TokensTest, AnotherProcessRevokingIsSeenAtTheNextCall) {
  TempDir dir;
  TokenFile service_side(dir.Sub("ogi-tokens"));
  TokenFile command_side(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      command_side.Create("desk", "city", TokenReach::kAgency, 1, kNow));
  ASSERT_OK(service_side.Authenticate(token).status());
  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> list, command_side.List());
  ASSERT_EQ(list.size(), 1u);
  ASSERT_OK(command_side.Revoke(list[0].id, kNow));
  EXPECT_THAT(service_side.Authenticate(token),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // A new token under the same name works; the revoked one stays listed.
  ASSERT_OK_AND_ASSIGN(
      std::string again,
      command_side.Create("desk", "city", TokenReach::kAgency, 1, kNow));
  EXPECT_OK(service_side.Authenticate(again).status());
  ASSERT_OK_AND_ASSIGN(list, command_side.List());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_FALSE(list[0].in_force());
  EXPECT_TRUE(list[1].in_force());
}

TEST(TokensTest, NamesInForceAreUniqueAndArgumentsChecked) {
  TempDir dir;
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK(
      tokens.Create("portal", "city", TokenReach::kAgency, 1, kNow).status());
  EXPECT_THAT(tokens.Create("portal", "city", TokenReach::kAgency, 1, kNow),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(tokens.Create("a b", "city", TokenReach::kAgency, 1, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, "--name"));
  EXPECT_THAT(tokens.Create("x", "", TokenReach::kAgency, 1, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A name never looks like an id, so revoke can tell them apart.
  EXPECT_THAT(tokens.Create("deadbeef", "city", TokenReach::kAgency, 1, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ParseScopes("append,delete"),
      StatusIs(absl::StatusCode::kInvalidArgument, "unknown scope \"delete\""));
  ASSERT_OK_AND_ASSIGN(uint32_t scopes, ParseScopes("report,append"));
  EXPECT_EQ(ScopesToString(scopes), "append,report");
  // Issue 13: erasure is a scope of its own, kept in the file like the others.
  ASSERT_OK_AND_ASSIGN(uint32_t erase, ParseScopes("erase"));
  EXPECT_EQ(erase, static_cast<uint32_t>(TokenScope::kErase));
  EXPECT_EQ(ScopesToString(erase | 1), "append,erase");
  ASSERT_OK(tokens.Create("dpo", "city", TokenReach::kAgency, erase, kNow));
  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> listed, tokens.List());
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed.back().scopes, erase);
}

TEST(TokensTest, AHandEditedFileStillReadsAndABrokenOneSaysNothing) {
  TempDir dir;
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city", TokenReach::kAgency, 1, kNow));
  std::string text = ReadAll(dir.Sub("ogi-tokens"));
  std::string crlf;
  for (char c : text)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::ofstream(dir.Sub("ogi-tokens"), std::ios::trunc) << crlf;
  TokenFile service_side(dir.Sub("ogi-tokens"));
  EXPECT_OK(service_side.Authenticate(token).status());
  std::ofstream(dir.Sub("ogi-tokens"), std::ios::app) << "garbage line\n";
  absl::StatusOr<TokenInfo> broken = service_side.Authenticate(token);
  EXPECT_THAT(broken, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(broken.status().message()),
              Not(HasSubstr(dir.path())));
}

TEST(TokensTest, ConcurrentCreatesLoseNoLine) {
  TempDir dir;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      TokenFile tokens(dir.Sub("ogi-tokens"));  // as separate commands would
      for (int i = 0; i < 5; ++i) {
        EXPECT_OK(tokens
                      .Create(absl::StrCat("sys-", t, "-", i), "city",
                              TokenReach::kAgency, 1, kNow)
                      .status());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> list, tokens.List());
  EXPECT_EQ(list.size(), 40u);
}

}  // namespace
}  // namespace ogi
