// The renderers of report_grid.h: one Grid drawn as text, HTML or Markdown.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "projections/internal/report_grid.h"

namespace ogi {
namespace report_grid {
namespace {

// Display width (East Asian Width): wide and full-width characters take two
// terminal cells, combining marks and zero-width characters none.
int CodePointWidth(uint32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
      (cp >= 0xFE00 && cp <= 0xFE0F)) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

}  // namespace

// Returns the display width of UTF-8 `text`; a byte that does not start a
// valid sequence counts as one cell.
int DisplayWidth(absl::string_view text) {
  int width = 0;
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = 1;
    uint32_t cp = lead;
    if (lead >= 0xC0 && lead < 0xE0) {
      length = 2;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      length = 3;
      cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead < 0xF8) {
      length = 4;
      cp = lead & 0x07;
    }
    bool valid = length == 1 || i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (!valid) {
      length = 1;
      cp = lead;
    }
    width += CodePointWidth(cp);
    i += length;
  }
  return width;
}

// Returns the index of the cell covering each position.
std::vector<std::vector<int>> Owners(const Grid& g) {
  std::vector<std::vector<int>> owner(g.rows, std::vector<int>(g.cols, -1));
  for (int i = 0; i < static_cast<int>(g.cells.size()); ++i) {
    const Cell& cell = g.cells[i];
    for (int r = cell.row; r < cell.row + cell.rowspan; ++r) {
      for (int c = cell.col; c < cell.col + cell.colspan; ++c) owner[r][c] = i;
    }
  }
  return owner;
}

void AppendAligned(absl::string_view text, CellKind kind, int width,
                   std::string& out) {
  const int space = std::max(0, width - DisplayWidth(text));
  int left = 0;
  if (kind == CellKind::kNumber) {
    left = space;
  } else if (kind == CellKind::kTitle || kind == CellKind::kHeader) {
    left = space / 2;
  }
  out.append(left, ' ');
  out.append(text.data(), text.size());
  out.append(space - left, ' ');
}

// An ASCII box grid: every line has the same display width, every text is
// whole on one line, and rules are drawn only between different cells.
std::string GridToText(const Grid& g) {
  const std::vector<std::vector<int>> owner = Owners(g);

  // Column widths: single columns first, then spans widen their columns
  // evenly where their text does not fit.
  std::vector<int> width(g.cols, 0);
  std::vector<const Cell*> by_span;
  for (const Cell& cell : g.cells) by_span.push_back(&cell);
  std::stable_sort(
      by_span.begin(), by_span.end(),
      [](const Cell* a, const Cell* b) { return a->colspan < b->colspan; });
  for (const Cell* cell : by_span) {
    int have = 3 * (cell->colspan - 1);
    for (int c = cell->col; c < cell->col + cell->colspan; ++c) {
      have += width[c];
    }
    const int missing = DisplayWidth(cell->text) - have;
    for (int k = 0; missing > 0 && k < cell->colspan; ++k) {
      width[cell->col + k] +=
          missing / cell->colspan + (k < missing % cell->colspan ? 1 : 0);
    }
  }
  auto span_width = [&](const Cell& cell) {
    int w = 3 * (cell.colspan - 1);
    for (int c = cell.col; c < cell.col + cell.colspan; ++c) w += width[c];
    return w;
  };
  // Whether the rule above row `b` is drawn over column `c`, and whether the
  // bar left of column `j` is drawn in row `r`.
  auto rule = [&](int b, int c) {
    return b == 0 || b == g.rows || owner[b - 1][c] != owner[b][c];
  };
  auto bar = [&](int r, int j) {
    return j == 0 || j == g.cols || owner[r][j - 1] != owner[r][j];
  };

  std::string out;
  for (int b = 0; b <= g.rows; ++b) {
    for (int j = 0; j <= g.cols; ++j) {
      const bool vertical =
          (b > 0 && bar(b - 1, j)) || (b < g.rows && bar(b, j));
      const bool horizontal =
          (j > 0 && rule(b, j - 1)) || (j < g.cols && rule(b, j));
      out.push_back(vertical && horizontal ? '+'
                    : vertical             ? '|'
                    : horizontal           ? '-'
                                           : ' ');
      if (j < g.cols) out.append(width[j] + 2, rule(b, j) ? '-' : ' ');
    }
    out.push_back('\n');
    if (b == g.rows) break;
    for (int c = 0; c < g.cols;) {
      const Cell& cell = g.cells[owner[b][c]];
      out.append("| ");
      AppendAligned(cell.row == b ? absl::string_view(cell.text) : "",
                    cell.kind, span_width(cell), out);
      out.push_back(' ');
      c = cell.col + cell.colspan;
    }
    out.append("|\n");
  }
  return out;
}

void AppendHtmlEscaped(absl::string_view text, std::string& out) {
  for (char ch : text) {
    switch (ch) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        out.push_back(ch);
    }
  }
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  AppendHtmlEscaped(text, out);
  return out;
}

std::string GridToHtml(const Grid& g, absl::string_view css_class) {
  std::string out = absl::StrCat("<table class=\"", css_class, "\">\n");
  size_t next = 0;
  for (int r = 0; r < g.rows; ++r) {
    if (r == 0 && g.header_rows > 0) out.append("<thead>\n");
    if (r == g.header_rows) out.append("<tbody>\n");
    out.append("<tr>");
    for (; next < g.cells.size() && g.cells[next].row == r; ++next) {
      const Cell& cell = g.cells[next];
      const bool number = cell.kind == CellKind::kNumber;
      absl::StrAppend(&out, number ? "<td" : "<th");
      if (cell.rowspan > 1) {
        absl::StrAppend(&out, " rowspan=\"", cell.rowspan, "\"");
      }
      if (cell.colspan > 1) {
        absl::StrAppend(&out, " colspan=\"", cell.colspan, "\"");
      }
      if (cell.kind == CellKind::kTitle) out.append(" class=\"title\"");
      if (cell.kind == CellKind::kNote) out.append(" class=\"note\"");
      if (cell.kind == CellKind::kLabel) {
        out.append(" class=\"label\" scope=\"row\"");
      }
      out.push_back('>');
      AppendHtmlEscaped(cell.text, out);
      out.append(number ? "</td>" : "</th>");
    }
    out.append("</tr>\n");
    if (r + 1 == g.header_rows) out.append("</thead>\n");
  }
  out.append(g.header_rows < g.rows ? "</tbody>\n</table>\n" : "</table>\n");
  return out;
}

// Markdown escapes: the characters that could start markup inside a
// paragraph or cell; CJK text and the seed's punctuation pass unchanged.
std::string MdEscape(absl::string_view text) {
  std::string out;
  for (char ch : text) {
    if (absl::StrContains("\\`*_[]<>|#", ch)) out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

// Markdown has no merged cells: each text sits at its cell's top-left position
// and the positions it covers stay blank; the first row is the header.
std::string GridToMd(const Grid& g) {
  std::vector<std::vector<std::string>> text(g.rows,
                                             std::vector<std::string>(g.cols));
  std::vector<bool> numeric(g.cols, false);
  for (const Cell& cell : g.cells) {
    text[cell.row][cell.col] = MdEscape(cell.text);
    if (cell.kind == CellKind::kNumber && cell.colspan == 1) {
      numeric[cell.col] = true;
    }
  }
  std::string out;
  for (int r = 0; r < g.rows; ++r) {
    for (int c = 0; c < g.cols; ++c) {
      absl::StrAppend(&out, "| ", text[r][c], " ");
    }
    out.append("|\n");
    if (r == 0) {
      for (int c = 0; c < g.cols; ++c) {
        out.append(numeric[c] ? "|---:" : "|---");
      }
      out.append("|\n");
    }
  }
  return out;
}

}  // namespace report_grid
}  // namespace ogi
