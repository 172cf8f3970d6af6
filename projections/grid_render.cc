// The renderers of report_grid.h: one Grid drawn as text, HTML or Markdown.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/display_width.h"
#include "projections/internal/report_grid.h"

namespace ogi {
namespace report_grid {
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

namespace {

// The UTF-8 characters of `text`, each as a view.
std::vector<absl::string_view> Characters(absl::string_view text) {
  std::vector<absl::string_view> out;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    length = std::min(length, text.size() - i);
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

// Punctuation that never starts a line (GB/T 15834 and common practice).
bool NeverStartsALine(absl::string_view ch) {
  for (absl::string_view p : {"，", "。", "、", "；", "：", "）", "”", "’",
                              "》", "！", "？", ")", ",", ".", ";", ":"}) {
    if (ch == p) return true;
  }
  return false;
}

// `text` in lines of at most `width` display cells (at least one character
// each), broken between characters: Chinese has no spaces to break at. A
// closing punctuation mark stays with the character before it.
std::vector<std::string> Wrap(absl::string_view text, int width) {
  if (DisplayWidth(text) <= width) return {std::string(text)};
  const std::vector<absl::string_view> chars = Characters(text);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < chars.size()) {
    size_t end = start;
    int used = 0;
    while (end < chars.size() && used + DisplayWidth(chars[end]) <= width)
      used += DisplayWidth(chars[end++]);
    if (end == start) ++end;
    if (end < chars.size() && end - start > 1 && NeverStartsALine(chars[end]))
      --end;
    std::string line;
    for (size_t k = start; k < end; ++k)
      line.append(chars[k].data(), chars[k].size());
    lines.push_back(std::move(line));
    start = end;
  }
  return lines;
}

// Labels and notes may wrap to make a table fit; titles, column headers and
// numbers never do.
bool MayWrap(const Cell& cell) {
  return cell.kind == CellKind::kLabel || cell.kind == CellKind::kNote;
}

// The narrowest a wrapped label or note may become, in cells (three Chinese
// characters).
constexpr int kMinWrapWidth = 6;

// Column widths: single columns first, then spans widen their columns evenly
// where their text does not fit. A cell that may wrap asks for at most
// `limit` cells, or, spanning several rows, only as much as fits its text in
// those rows (`compact`).
std::vector<int> ColumnWidths(const Grid& g, int limit, bool compact) {
  std::vector<int> width(g.cols, 0);
  std::vector<const Cell*> by_span;
  for (const Cell& cell : g.cells) by_span.push_back(&cell);
  std::stable_sort(
      by_span.begin(), by_span.end(),
      [](const Cell* a, const Cell* b) { return a->colspan < b->colspan; });
  for (const Cell* cell : by_span) {
    int wanted = DisplayWidth(cell->text);
    if (MayWrap(*cell)) {
      int most = limit;
      if (compact && cell->rowspan > 1) {
        most = std::min(
            most, std::max(kMinWrapWidth,
                           (wanted + cell->rowspan - 1) / cell->rowspan + 1));
      }
      wanted = std::min(wanted, std::max(most, kMinWrapWidth));
    }
    int have = 3 * (cell->colspan - 1);
    for (int c = cell->col; c < cell->col + cell->colspan; ++c) {
      have += width[c];
    }
    const int missing = wanted - have;
    for (int k = 0; missing > 0 && k < cell->colspan; ++k) {
      width[cell->col + k] +=
          missing / cell->colspan + (k < missing % cell->colspan ? 1 : 0);
    }
  }
  return width;
}

int TotalWidth(const std::vector<int>& width) {
  int total = 1;
  for (int w : width) total += w + 3;
  return total;
}

}  // namespace

// An ASCII box grid: every line has the same display width; rules are drawn
// only between different cells. A table wider than `max_width` first narrows
// its row-spanning labels to what their rows hold, then wraps its labels and
// notes over more lines until it fits (or they reach kMinWrapWidth); titles,
// column headers and numbers are never cut, so each number column is as wide
// as its header.
std::string GridToText(const Grid& g, int max_width) {
  const std::vector<std::vector<int>> owner = Owners(g);
  int natural = 0;
  for (const Cell& cell : g.cells)
    natural = std::max(natural, DisplayWidth(cell.text));
  std::vector<int> width = ColumnWidths(g, natural, false);
  if (TotalWidth(width) > max_width) {
    for (int limit = natural; limit >= kMinWrapWidth; --limit) {
      width = ColumnWidths(g, limit, true);
      if (TotalWidth(width) <= max_width) break;
    }
  }
  auto span_width = [&](const Cell& cell) {
    int w = 3 * (cell.colspan - 1);
    for (int c = cell.col; c < cell.col + cell.colspan; ++c) w += width[c];
    return w;
  };
  // Each cell's lines, and each row's height: a cell spanning rows spreads
  // its lines over them, the last row growing if they do not fit.
  std::vector<std::vector<std::string>> lines(g.cells.size());
  for (size_t i = 0; i < g.cells.size(); ++i)
    lines[i] = Wrap(g.cells[i].text, span_width(g.cells[i]));
  std::vector<int> height(g.rows, 1);
  std::vector<size_t> by_rows(g.cells.size());
  for (size_t i = 0; i < by_rows.size(); ++i) by_rows[i] = i;
  std::stable_sort(by_rows.begin(), by_rows.end(), [&](size_t a, size_t b) {
    return g.cells[a].rowspan < g.cells[b].rowspan;
  });
  for (size_t i : by_rows) {
    const Cell& cell = g.cells[i];
    int have = 0;
    for (int r = cell.row; r < cell.row + cell.rowspan; ++r) have += height[r];
    const int missing = static_cast<int>(lines[i].size()) - have;
    if (missing > 0) height[cell.row + cell.rowspan - 1] += missing;
  }
  std::vector<int> first_line(g.rows, 0);  // of each row, counted from 0
  for (int r = 1; r < g.rows; ++r)
    first_line[r] = first_line[r - 1] + height[r - 1];

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
    for (int k = 0; k < height[b]; ++k) {
      for (int c = 0; c < g.cols;) {
        const int i = owner[b][c];
        const Cell& cell = g.cells[i];
        const int line = first_line[b] + k - first_line[cell.row];
        out.append("| ");
        AppendAligned(line < static_cast<int>(lines[i].size())
                          ? absl::string_view(lines[i][line])
                          : absl::string_view(),
                      cell.kind, span_width(cell), out);
        out.push_back(' ');
        c = cell.col + cell.colspan;
      }
      out.append("|\n");
    }
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
      // A column's own header is never narrower than its text, so that
      // "自然人" and "总计" do not wrap over their numbers.
      if (cell.kind == CellKind::kHeader && cell.colspan == 1)
        out.append(" class=\"col\"");
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
