// The width of text on a terminal (East Asian Width): a Chinese character
// takes two cells, a combining mark none. Text tables (the report, history,
// the due list) align their columns with it.
#ifndef OGI_ENGINE_DISPLAY_WIDTH_H_
#define OGI_ENGINE_DISPLAY_WIDTH_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ogi {

// The display width of UTF-8 `text`; a byte that does not start a valid
// sequence counts as one cell.
int DisplayWidth(absl::string_view text);

// `text` followed by spaces up to `width` cells (never cut).
std::string PadToWidth(absl::string_view text, int width);

}  // namespace ogi

#endif  // OGI_ENGINE_DISPLAY_WIDTH_H_
