// The message catalogue's lookup and the process language; see messages.h.
#include "engine/messages.h"

#include <atomic>
#include <cstdlib>

#include "absl/strings/match.h"

namespace ogi {
namespace {

struct Entry {
  absl::string_view zh;
  absl::string_view en;
};

constexpr Entry kCatalog[] = {
#define OGI_MESSAGE(id, zh, en) {zh, en},
#include "engine/message_catalog.inc"
#undef OGI_MESSAGE
};
static_assert(sizeof(kCatalog) / sizeof(kCatalog[0]) ==
              static_cast<size_t>(Msg::kCount));

std::atomic<Language> process_language{Language::kChinese};

}  // namespace

Language LanguageFromLocaleName(absl::string_view name) {
  return absl::StartsWithIgnoreCase(name, "en") ? Language::kEnglish
                                                : Language::kChinese;
}

Language LanguageFromEnvironment() {
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

}  // namespace ogi
