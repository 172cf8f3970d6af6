// The message catalogue's lookup and the process language; see messages.h.
#include "engine/messages.h"

#include <atomic>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ogi {
namespace {

struct Entry {
  absl::string_view zh;
  absl::string_view en;
};

constexpr Entry kCatalog[] = {
#define OGI_MESSAGE(id, zh, en) {zh, en},
#include "engine/message_catalog.inc"
#include "engine/message_catalog_admin.inc"
#undef OGI_MESSAGE
};
static_assert(sizeof(kCatalog) / sizeof(kCatalog[0]) ==
              static_cast<size_t>(Msg::kCount));

struct TermEntry {
  absl::string_view key;
  absl::string_view zh;
};

constexpr TermEntry kTerms[] = {
#define OGI_TERM(key, zh) {key, zh},
#include "engine/term_catalog.inc"
#undef OGI_TERM
};

const TermEntry* FindTerm(absl::string_view key) {
  for (const TermEntry& t : kTerms) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

std::atomic<Language> process_language{Language::kChinese};

}  // namespace

Language LanguageFromLocaleName(absl::string_view name) {
  return absl::StartsWithIgnoreCase(name, "en") ? Language::kEnglish
                                                : Language::kChinese;
}

Language LanguageFromEnvironment() {
  // OGI_LANG ("en" / "zh") outranks the locale: for an operator whose
  // locale is not installed, and for tests.
  if (const char* ogi = std::getenv("OGI_LANG"); ogi != nullptr && *ogi) {
    return LanguageFromLocaleName(ogi);
  }
  for (const char* variable : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') {
      return LanguageFromLocaleName(value);
    }
  }
  return Language::kChinese;
}

void SetProcessLanguage(Language language) {
  process_language.store(language, std::memory_order_relaxed);
}

Language ProcessLanguage() {
  return process_language.load(std::memory_order_relaxed);
}

absl::string_view Pattern(Msg id, Language language) {
  const Entry& entry = kCatalog[static_cast<int>(id)];
  return language == Language::kEnglish ? entry.en : entry.zh;
}

absl::string_view TermIn(Language language, absl::string_view key) {
  if (language == Language::kEnglish) return key;
  const TermEntry* t = FindTerm(key);
  return t == nullptr ? key : t->zh;
}

absl::string_view Term(absl::string_view key) {
  return TermIn(ProcessLanguage(), key);
}

bool HasTerm(absl::string_view key) { return FindTerm(key) != nullptr; }

std::string EnumValueTerm(absl::string_view enum_name,
                          absl::string_view value_name) {
  if (ProcessLanguage() == Language::kEnglish) return std::string(value_name);
  const std::string key = absl::StrCat(enum_name, ".", value_name);
  const TermEntry* t = FindTerm(key);
  return std::string(t == nullptr ? value_name : t->zh);
}

}  // namespace ogi
