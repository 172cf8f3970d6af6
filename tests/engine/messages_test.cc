// The message catalogue: both languages of every message, and the choice of
// language from the environment.
#include "engine/messages.h"

#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

#include "proto/event.pb.h"

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

bool HasLetters(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size()) {
      ++i;  // a placeholder's digit, or the second '$' of "$$"
      continue;
    }
    if (absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) return true;
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
    // A message of placeholders and punctuation alone ("$0: $1") has no
    // words to translate, only Chinese punctuation.
    EXPECT_TRUE(HasHan(zh) || !HasLetters(en))
        << "message " << i << " has no Chinese: " << zh;
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

// Every field a case payload can carry, by the JSON path history shows, and
// every value of its enums has a Chinese term: a field added to the proto
// without one fails here.
void CollectTermKeys(const google::protobuf::Descriptor* message,
                     const std::string& prefix, std::set<std::string>& keys) {
  for (int i = 0; i < message->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = message->field(i);
    const std::string path =
        prefix.empty() ? field->json_name() : prefix + "." + field->json_name();
    if (field->message_type() != nullptr) {
      keys.insert(path);
      CollectTermKeys(field->message_type(), path, keys);
      continue;
    }
    keys.insert(path);
    if (const auto* e = field->enum_type(); e != nullptr) {
      for (int v = 0; v < e->value_count(); ++v) {
        keys.insert(e->name() + "." + e->value(v)->name());
      }
    }
  }
}

TEST(TermCatalogTest, EveryCasePayloadFieldAndEnumValueHasAChineseTerm) {
  const google::protobuf::Descriptor* event = v1::Event::descriptor();
  std::set<std::string> keys;
  int payloads = 0;
  for (int i = 0; i < event->oneof_decl(0)->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* payload =
        event->oneof_decl(0)->field(i);
    // Case payloads only (agency events have their own screens); amended's
    // replacement repeats the other payloads' fields.
    if (payload->number() >= 40 || payload->message_type() == nullptr) {
      continue;
    }
    ++payloads;
    if (payload->name() == "amended") {
      for (int f = 0; f < payload->message_type()->field_count(); ++f) {
        const auto* field = payload->message_type()->field(f);
        if (field->containing_oneof() == nullptr)
          keys.insert(field->json_name());
      }
      continue;
    }
    CollectTermKeys(payload->message_type(), "", keys);
  }
  EXPECT_GE(payloads, 17);
  for (const std::string& key : keys) {
    EXPECT_TRUE(HasTerm(key)) << "no Chinese term for " << key;
    EXPECT_NE(TermIn(Language::kChinese, key), key);
    EXPECT_EQ(TermIn(Language::kEnglish, key), key);
  }
  EXPECT_EQ(TermIn(Language::kChinese, "Outcome.OTHER_FEE_UNPAID"),
            "其他处理：申请人逾期未按收费通知要求缴纳费用");
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
  const std::string ogi_lang =
      getenv("OGI_LANG") == nullptr ? "" : getenv("OGI_LANG");
  unsetenv("OGI_LANG");
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
  setenv("OGI_LANG", "en", 1);  // outranks the locale (LC_MESSAGES=zh_CN)
  EXPECT_EQ(LanguageFromEnvironment(), Language::kEnglish);
  unsetenv("OGI_LANG");
  unsetenv("LC_ALL");
  if (!ogi_lang.empty()) setenv("OGI_LANG", ogi_lang.c_str(), 1);
  SetProcessLanguage(before);
}

}  // namespace
}  // namespace ogi
