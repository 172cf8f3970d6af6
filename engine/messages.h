// The one message catalogue: every sentence, heading and label ogi shows a
// clerk, in Chinese (the default) and in English, side by side in
// engine/message_catalog.inc (a clerk's messages) and
// engine/message_catalog_admin.inc (an operator's). Code names a message by its
// id and fills its $0..$9 placeholders (absl::Substitute); no other file holds
// user-facing wording in two languages.
//
// The language is chosen once per process, like the calendar and the clock:
// main() calls SetProcessLanguage(LanguageFromEnvironment()) before printing
// anything. Without that call every message is Chinese. Codes that scripts
// match (flag codes, outcome codes, JSON keys) are never translated.
//
// Thread-safety: SetProcessLanguage must be called before other threads
// start; Text() is safe to call from any thread.
#ifndef OGI_ENGINE_MESSAGES_H_
#define OGI_ENGINE_MESSAGES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/strings/substitute.h"

namespace ogi {

enum class Language { kChinese, kEnglish };

// OGI_LANG if set and non-empty, else in POSIX order LC_ALL, then
// LC_MESSAGES, then LANG: the first one set and non-empty decides. A value
// starting with "en" gives English; anything else (unset, "C", "POSIX",
// "zh_CN.UTF-8") gives Chinese.
Language LanguageFromEnvironment();
Language LanguageFromLocaleName(absl::string_view name);

void SetProcessLanguage(Language language);
Language ProcessLanguage();

enum class Msg : int {
#define OGI_MESSAGE(id, zh, en) id,
#include "engine/message_catalog.inc"
#include "engine/message_catalog_admin.inc"
#undef OGI_MESSAGE
  kCount,
};

// The message's pattern in `language`, with $0..$9 placeholders.
absl::string_view Pattern(Msg id, Language language);

// The message in the process's language with its placeholders filled.
template <typename... Args>
std::string Text(Msg id, const Args&... args) {
  return absl::Substitute(Pattern(id, ProcessLanguage()), args...);
}

// The same in a given language (tests; a service answering per request).
template <typename... Args>
std::string TextIn(Language language, Msg id, const Args&... args) {
  return absl::Substitute(Pattern(id, language), args...);
}

// A term of the record (engine/term_catalog.inc): the Chinese name of a
// payload field by JSON path ("applicant.category") or of an enum value
// ("Outcome.DISCLOSED"). In English, or for a key with no term, the key.
absl::string_view Term(absl::string_view key);
absl::string_view TermIn(Language language, absl::string_view key);
bool HasTerm(absl::string_view key);

// An enum value as shown: in Chinese its term ("<Enum>.<VALUE>"), in English
// the value's name ("DISCLOSED").
std::string EnumValueTerm(absl::string_view enum_name,
                          absl::string_view value_name);

}  // namespace ogi

#endif  // OGI_ENGINE_MESSAGES_H_
