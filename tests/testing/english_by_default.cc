// Linked into every test program: the tests assert English wording, while ogi
// speaks Chinese unless the environment asks for English (engine/messages.h).
// This sets the language of the test process and, through LC_ALL, of every
// `ogi` it starts. A test of Chinese output says so itself (TextIn, or
// `LC_ALL=zh_CN.UTF-8 ogi …`).
#include <cstdlib>

#include "engine/messages.h"

namespace {

const bool kEnglishByDefault = [] {
  setenv("LC_ALL", "en_US.UTF-8", /*overwrite=*/1);
  ogi::SetProcessLanguage(ogi::Language::kEnglish);
  return true;
}();

}  // namespace
