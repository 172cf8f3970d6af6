// Linked into every test program: the tests assert English wording, while ogi
// speaks Chinese unless the environment asks for English (engine/messages.h).
// This sets the language of the test process and, through OGI_LANG, of every
// `ogi` it starts (a locale variable would make other programs complain of a
// locale the machine lacks). A test of Chinese output says so itself.
#include <cstdlib>

#include "engine/messages.h"

namespace {

const bool kEnglishByDefault = [] {
  setenv("OGI_LANG", "en", /*overwrite=*/1);
  ogi::SetProcessLanguage(ogi::Language::kEnglish);
  return true;
}();

}  // namespace
