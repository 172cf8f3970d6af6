// The message catalogue: both languages of every message, and the choice of
// language from the environment.
#include "engine/messages.h"

#include <cstdlib>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ogi {
namespace {

std::set<std::string> Placeholders(absl::string_view pattern) {
  std::set<std::string> out;
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '$' && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      out.insert(std::string(pattern.substr(i, 2)));
    }
  }
  return out;
}

bool HasHan(absl::string_view text) {
  // U+4E00..U+9FFF and the full-width punctuation are 3-byte UTF-8 starting
  // with 0xE3..0xE9.
  for (unsigned char c : text) {
    if (c >= 0xE3 && c <= 0xE9) return true;
  }
  return false;
}

TEST(MessageCatalogTest, EveryMessageHasBothLanguagesWithTheSamePlaceholders) {
  for (int i = 0; i < static_cast<int>(Msg::kCount); ++i) {
    const Msg id = static_cast<Msg>(i);
    const absl::string_view zh = Pattern(id, Language::kChinese);
    const absl::string_view en = Pattern(id, Language::kEnglish);
    SCOPED_TRACE(std::string(en));
    EXPECT_FALSE(zh.empty());
    EXPECT_FALSE(en.empty());
    EXPECT_TRUE(HasHan(zh)) << "message " << i << " has no Chinese: " << zh;
    EXPECT_NE(zh, en);
    EXPECT_EQ(Placeholders(zh), Placeholders(en)) << zh;
  }
}

TEST(MessageCatalogTest, FillsPlaceholdersInTheChosenLanguage) {
  EXPECT_EQ(TextIn(Language::kChinese, Msg::kFlagAnsweredLate, "2024-03-05",
                   "2024-03-01"),
            "2024-03-05办结，晚于答复期限2024-03-01。");
  EXPECT_EQ(TextIn(Language::kEnglish, Msg::kFlagAnsweredLate, "2024-03-05",
                   "2024-03-01"),
            "Concluded on 2024-03-05, after the due date 2024-03-01.");
}

TEST(LanguageTest, EnglishOnlyWhenTheLocaleSaysSo) {
  struct {
    const char* name;
    Language want;
  } const kCases[] = {
      {"en_US.UTF-8", Language::kEnglish},
      {"en", Language::kEnglish},
      {"EN_GB", Language::kEnglish},
      {"zh_CN.UTF-8", Language::kChinese},
      {"zh_TW", Language::kChinese},
      {"C", Language::kChinese},
      {"POSIX", Language::kChinese},
      {"C.UTF-8", Language::kChinese},
      {"", Language::kChinese},
      {"fr_FR", Language::kChinese},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(LanguageFromLocaleName(c.name), c.want) << c.name;
  }
}

TEST(LanguageTest, PosixOrderOfTheVariables) {
  const Language before = ProcessLanguage();
  unsetenv("LC_ALL");
  unsetenv("LC_MESSAGES");
  unsetenv("LANG");
  EXPECT_EQ(LanguageFromEnvironment(), Language::kChinese);
  setenv("LANG", "en_US.UTF-8", 1);
  EXPECT_EQ(LanguageFromEnvironment(), Language::kEnglish);
  setenv("LC_MESSAGES", "zh_CN.UTF-8", 1);
  EXPECT_EQ(LanguageFromEnvironment(), Language::kChinese);
  setenv("LC_ALL", "en_GB.UTF-8", 1);
  EXPECT_EQ(LanguageFromEnvironment(), Language::kEnglish);
  setenv("LC_ALL", "", 1);  // empty: skipped
  EXPECT_EQ(LanguageFromEnvironment(), Language::kChinese);
  setenv("LC_ALL", "en_US.UTF-8", 1);
  SetProcessLanguage(before);
}

}  // namespace
}  // namespace ogi
