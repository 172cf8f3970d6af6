// The renderers of report_render.h.
//
// Each of the three tables (parts 二, 三, 四) is built once as a Grid: cells
// with their row, column, row span and column span, exactly as the official
// table merges them. The text, Markdown and HTML renderers all draw from that
// one model, so the layouts cannot drift apart: HTML emits rowspan/colspan,
// text draws an ASCII box grid whose rules skip the inside of merged cells,
// Markdown (which has no merged cells) leaves the covered positions blank, as
// the seed report reads when its tables are flattened to text. csv and json
// are written directly in the code order of annual_report.h. Tested by
// report_render_test.cc, against golden files.
#include "projections/report_render.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

#include "engine/json_codec.h"

namespace ogi {
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

// The table model.

enum class CellKind { kTitle, kHeader, kNote, kLabel, kNumber };

struct Cell {
  int row;
  int col;
  int rowspan;
  int colspan;
  CellKind kind;
  std::string text;
};

// A table whose cells cover every (row, column) position exactly once.
struct Grid {
  int rows = 0;
  int cols = 0;
  int header_rows = 0;      // rows that form <thead> in HTML
  std::vector<Cell> cells;  // in row-major order of their top-left corner

  void Add(int row, int col, int rowspan, int colspan, CellKind kind,
           absl::string_view text) {
    cells.push_back({row, col, rowspan, colspan, kind, std::string(text)});
    rows = std::max(rows, row + rowspan);
    cols = std::max(cols, col + colspan);
  }
  void Number(int row, int col, int colspan, int64_t value) {
    Add(row, col, 1, colspan, CellKind::kNumber, absl::StrCat(value));
  }
};

constexpr absl::string_view kPartTwo = "二、主动公开政府信息情况";
constexpr absl::string_view kPartThree = "三、收到和处理政府信息公开申请情况";
constexpr absl::string_view kPartFour =
    "四、政府信息公开行政复议、行政诉讼情况";
constexpr absl::string_view kContent = "信息内容";
constexpr absl::string_view kDecisions = "本年处理决定数量";
constexpr absl::string_view kCrossCheckNote =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
constexpr absl::string_view kAppealColumnLabels[kAppealColumns] = {
    "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"};

// Part 二: one four-column table of four titled blocks, as the national format
// lays it out; the single-value blocks span the three value columns.
Grid ProactiveGrid(const ProactiveTable& t) {
  Grid g;
  int r = 0;
  auto title = [&](absl::string_view text) {
    g.Add(r++, 0, 1, 4, CellKind::kTitle, text);
  };
  auto header = [&](absl::string_view value_label) {
    g.Add(r, 0, 1, 1, CellKind::kHeader, kContent);
    g.Add(r++, 1, 1, 3, CellKind::kHeader, value_label);
  };
  auto single = [&](absl::string_view label, int64_t value) {
    g.Add(r, 0, 1, 1, CellKind::kLabel, label);
    g.Number(r++, 1, 3, value);
  };
  auto documents = [&](absl::string_view label, const DocumentCounts& d) {
    g.Add(r, 0, 1, 1, CellKind::kLabel, label);
    g.Number(r, 1, 1, d.issued);
    g.Number(r, 2, 1, d.repealed);
    g.Number(r++, 3, 1, d.in_force);
  };

  title("第二十条第（一）项");
  g.Add(r, 0, 1, 1, CellKind::kHeader, kContent);
  g.Add(r, 1, 1, 1, CellKind::kHeader, "本年制发件数");
  g.Add(r, 2, 1, 1, CellKind::kHeader, "本年废止件数");
  g.Add(r++, 3, 1, 1, CellKind::kHeader, "现行有效件数");
  documents("规章", t.regulations);
  documents("行政规范性文件", t.normative_documents);
  title("第二十条第（五）项");
  header(kDecisions);
  single("行政许可", t.licensing);
  title("第二十条第（六）项");
  header(kDecisions);
  single("行政处罚", t.penalty);
  single("行政强制", t.enforcement);
  title("第二十条第（八）项");
  header("本年收费金额（单位：万元）");
  g.Add(r, 0, 1, 1, CellKind::kLabel, "行政事业性收费");
  g.Add(r++, 1, 1, 3, CellKind::kNumber,
        FenToWanYuan(t.administrative_fees_fen));
  return g;
}

// The sub-items of （三）–（六）: the heading cell spans their rows.
struct ResultGroup {
  AppRow first;
  int rows;
  absl::string_view label;
};
constexpr ResultGroup kResultGroups[] = {
    {AppRow::kWithheldStateSecret, 8, "（三）不予公开"},
    {AppRow::kUnavailableNotHeld, 3, "（四）无法提供"},
    {AppRow::kNotProcessedPetition, 5, "（五）不予处理"},
    {AppRow::kOtherNoCorrection, 3, "（六）其他处理"},
};
static_assert(static_cast<int>(AppRow::kWithheldStateSecret) + 8 + 3 + 5 + 3 ==
                  static_cast<int>(AppRow::kResultsTotal),
              "the groups cover the sub-item rows exactly");

// Part 三: three label columns (the level of 一、 / （一） / 1.) and the seven
// applicant columns under three header rows, as in the seed.
Grid ApplicationsGrid(const AnnualReport& report) {
  Grid g;
  constexpr int kLabelCols = 3;
  g.header_rows = 3;
  g.Add(0, 0, 3, kLabelCols, CellKind::kNote, kCrossCheckNote);
  g.Add(0, kLabelCols, 1, kApplicationColumns, CellKind::kHeader, "申请人情况");
  g.Add(1, kLabelCols, 2, 1, CellKind::kHeader, ApplicationColumnLabel(0));
  g.Add(1, kLabelCols + 1, 1, kTotalColumn - 1, CellKind::kHeader,
        "法人或其他组织");
  g.Add(1, kLabelCols + kTotalColumn, 2, 1, CellKind::kHeader,
        ApplicationColumnLabel(kTotalColumn));
  for (int c = 1; c < kTotalColumn; ++c) {
    g.Add(2, kLabelCols + c, 1, 1, CellKind::kHeader,
          ApplicationColumnLabel(c));
  }

  const int first_result = static_cast<int>(AppRow::kDisclosed);
  const int results_total = static_cast<int>(AppRow::kResultsTotal);
  for (int i = 0; i < kApplicationRows; ++i) {
    const AppRow row = static_cast<AppRow>(i);
    const int r = g.header_rows + i;
    const absl::string_view label = ApplicationRowLabel(row);
    if (i < first_result || i > results_total) {
      g.Add(r, 0, 1, kLabelCols, CellKind::kLabel, label);
    } else if (row == AppRow::kDisclosed ||
               row == AppRow::kPartiallyDisclosed ||
               row == AppRow::kResultsTotal) {
      if (row == AppRow::kDisclosed) {
        g.Add(r, 0, results_total - first_result + 1, 1, CellKind::kLabel,
              "三、本年度办理结果");
      }
      g.Add(r, 1, 1, 2, CellKind::kLabel, label);
    } else {
      for (const ResultGroup& group : kResultGroups) {
        if (row == group.first) {
          g.Add(r, 1, group.rows, 1, CellKind::kLabel, group.label);
        }
      }
      g.Add(r, 2, 1, 1, CellKind::kLabel, label);
    }
    for (int c = 0; c < kApplicationColumns; ++c) {
      g.Number(r, kLabelCols + c, 1, report.applications[i][c]);
    }
  }
  return g;
}

// Part 四: one row of fifteen cells under a three-row header, as in the seed.
Grid AppealsGrid(const AnnualReport& report) {
  Grid g;
  g.header_rows = 3;
  g.Add(0, 0, 1, kAppealColumns, CellKind::kHeader, "行政复议");
  g.Add(0, kAppealColumns, 1, 2 * kAppealColumns, CellKind::kHeader,
        "行政诉讼");
  for (int k = 0; k < kAppealColumns; ++k) {
    g.Add(1, k, 2, 1, CellKind::kHeader, kAppealColumnLabels[k]);
  }
  g.Add(1, kAppealColumns, 1, kAppealColumns, CellKind::kHeader,
        "未经复议直接起诉");
  g.Add(1, 2 * kAppealColumns, 1, kAppealColumns, CellKind::kHeader,
        "复议后起诉");
  for (int group = 1; group < kAppealGroups; ++group) {
    for (int k = 0; k < kAppealColumns; ++k) {
      g.Add(2, group * kAppealColumns + k, 1, 1, CellKind::kHeader,
            kAppealColumnLabels[k]);
    }
  }
  for (int group = 0; group < kAppealGroups; ++group) {
    for (int k = 0; k < kAppealColumns; ++k) {
      g.Number(3, group * kAppealColumns + k, 1, report.appeals[group][k]);
    }
  }
  return g;
}

// Grid renderers.

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

// Shared pieces.

// Returns "123.45" for 12345 fen: exact, no trailing zeros.
std::string FenToYuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string out = absl::StrCat(negative ? "-" : "", magnitude / 100);
  const uint64_t cents = magnitude % 100;
  if (cents == 0) return out;
  if (cents % 10 == 0) return absl::StrCat(out, ".", cents / 10);
  return absl::StrCat(out, ".", cents / 10, cents % 10);
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string Provenance(const AnnualReport& report) {
  return absl::StrCat(
      "log position ", report.position, " (digest ", report.position, ":",
      absl::BytesToHexString(report.chain_link), "), recorded up to ",
      report.recorded_until == absl::InfinitePast()
          ? std::string("(empty log)")
          : Rfc3339(report.recorded_until));
}

// "乌拉特中旗教育局（wltzq-jyj）2023年度".
std::string AgencyLine(const AnnualReport& report) {
  return absl::StrCat(report.agency_name, "（", report.agency_id,
                      report.rollup ? "，含下级机关" : "", "）", report.year,
                      "年度");
}

std::string Title(const AnnualReport& report) {
  return absl::StrCat(report.agency_name, report.year,
                      "年政府信息公开工作年度报告");
}

std::string FeeSentence(const AnnualReport& report) {
  if (report.fee_applications == 0) return "本年度未收取任何信息处理费。";
  return absl::StrCat("本年度共对", report.fee_applications,
                      "件申请收取信息处理费，合计",
                      FenToYuan(report.fee_paid_fen), "元。");
}

// Returns the non-empty lines of `text`, without the ASCII and ideographic
// (U+3000) spaces that indent or pad them.
std::vector<std::string> Paragraphs(absl::string_view text) {
  constexpr absl::string_view kIdeographicSpace = "\u3000";
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    for (bool changed = true; changed;) {
      const size_t before = line.size();
      line = absl::StripAsciiWhitespace(line);
      absl::ConsumePrefix(&line, kIdeographicSpace);
      absl::ConsumeSuffix(&line, kIdeographicSpace);
      changed = line.size() != before;
    }
    if (!line.empty()) out.emplace_back(line);
  }
  return out;
}

// Part 六's paragraphs: the agency's text, then the fee sentence unless the
// text already says that no fee was collected. A paragraph saying none was
// collected when the figures count some is left out: the figures win, and
// CheckDocument (report_check.h) warns.
std::vector<std::string> PartSixParagraphs(const AnnualReport& report) {
  std::vector<std::string> out;
  for (std::string& p : Paragraphs(report.narrative.other)) {
    if (report.fee_applications > 0 && absl::StrContains(p, "未收取") &&
        absl::StrContains(p, "信息处理费"))
      continue;
    out.push_back(std::move(p));
  }
  if (!(report.fee_applications == 0 &&
        absl::StrContains(report.narrative.other, "未收取"))) {
    out.push_back(FeeSentence(report));
  }
  return out;
}

constexpr absl::string_view kMissingText = "（本部分文字尚未提供）";

std::string DateText(absl::CivilDay date) {
  return absl::StrCat(date.year(), "年", date.month(), "月", date.day(), "日");
}

// Formats.

std::string RenderCsv(const AnnualReport& report) {
  std::string out = "section,row,column,value\n";
  auto line = [&](absl::string_view section, absl::string_view row,
                  absl::string_view column, absl::string_view value) {
    absl::StrAppend(&out, section, ",", row, ",", column, ",", value, "\n");
  };
  const ProactiveTable& t = report.proactive;
  for (const auto& [code, d] :
       {std::pair<absl::string_view, DocumentCounts>{"regulations",
                                                     t.regulations},
        {"normative_documents", t.normative_documents}}) {
    line("proactive", code, "issued", absl::StrCat(d.issued));
    line("proactive", code, "repealed", absl::StrCat(d.repealed));
    line("proactive", code, "in_force", absl::StrCat(d.in_force));
  }
  line("proactive", "licensing", "decisions", absl::StrCat(t.licensing));
  line("proactive", "penalty", "decisions", absl::StrCat(t.penalty));
  line("proactive", "enforcement", "decisions", absl::StrCat(t.enforcement));
  line("proactive", "administrative_fees", "amount_wan_yuan",
       FenToWanYuan(t.administrative_fees_fen));
  for (int r = 0; r < kApplicationRows; ++r) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      line("applications", ApplicationRowCode(static_cast<AppRow>(r)),
           ApplicationColumnCode(c), absl::StrCat(report.applications[r][c]));
    }
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int k = 0; k < kAppealColumns; ++k) {
      line("appeals", AppealGroupCode(static_cast<AppealGroup>(g)),
           AppealColumnCode(static_cast<AppealColumn>(k)),
           absl::StrCat(report.appeals[g][k]));
    }
  }
  return out;
}

std::string RenderJson(const AnnualReport& report) {
  std::string out = "{\"agency\":";
  AppendJsonString(report.agency_id, out);
  out.append(",\"agencyName\":");
  AppendJsonString(report.agency_name, out);
  absl::StrAppend(&out, ",\"rollup\":", report.rollup ? "true" : "false",
                  ",\"year\":", report.year, ",\"asOf\":");
  if (report.recorded_until == absl::InfinitePast()) {
    out.append("null");
  } else {
    AppendJsonString(Rfc3339(report.recorded_until), out);
  }
  absl::StrAppend(&out, ",\"position\":", report.position, ",\"hash\":\"",
                  absl::BytesToHexString(report.chain_link), "\"");

  const ProactiveTable& t = report.proactive;
  auto documents = [&](absl::string_view code, const DocumentCounts& d) {
    absl::StrAppend(&out, "\"", code, "\":{\"issued\":", d.issued,
                    ",\"repealed\":", d.repealed, ",\"in_force\":", d.in_force,
                    "}");
  };
  out.append(",\"proactive\":{");
  documents("regulations", t.regulations);
  out.push_back(',');
  documents("normative_documents", t.normative_documents);
  absl::StrAppend(&out, ",\"licensing\":{\"decisions\":", t.licensing,
                  "},\"penalty\":{\"decisions\":", t.penalty,
                  "},\"enforcement\":{\"decisions\":", t.enforcement,
                  "},\"administrative_fees\":{\"amount_wan_yuan\":\"",
                  FenToWanYuan(t.administrative_fees_fen), "\"}}");

  out.append(",\"applications\":{");
  for (int r = 0; r < kApplicationRows; ++r) {
    absl::StrAppend(&out, r > 0 ? "," : "", "\"",
                    ApplicationRowCode(static_cast<AppRow>(r)), "\":{");
    for (int c = 0; c < kApplicationColumns; ++c) {
      absl::StrAppend(&out, c > 0 ? "," : "", "\"", ApplicationColumnCode(c),
                      "\":", report.applications[r][c]);
    }
    out.push_back('}');
  }
  out.append("},\"appeals\":{");
  for (int g = 0; g < kAppealGroups; ++g) {
    absl::StrAppend(&out, g > 0 ? "," : "", "\"",
                    AppealGroupCode(static_cast<AppealGroup>(g)), "\":{");
    for (int k = 0; k < kAppealColumns; ++k) {
      absl::StrAppend(&out, k > 0 ? "," : "", "\"",
                      AppealColumnCode(static_cast<AppealColumn>(k)),
                      "\":", report.appeals[g][k]);
    }
    out.push_back('}');
  }
  absl::StrAppend(
      &out, "},\"fees\":{\"applications\":", report.fee_applications,
      ",\"amountYuan\":\"", FenToYuan(report.fee_paid_fen), "\"}}\n");
  return out;
}

std::string RenderText(const AnnualReport& report) {
  std::string out =
      absl::StrCat(AgencyLine(report), " — ", Provenance(report), "\n\n");
  absl::StrAppend(&out, kPartTwo, "\n\n",
                  GridToText(ProactiveGrid(report.proactive)), "\n");
  absl::StrAppend(&out, kPartThree, "\n\n",
                  GridToText(ApplicationsGrid(report)), "\n");
  absl::StrAppend(&out, kPartFour, "\n\n", GridToText(AppealsGrid(report)),
                  "\n");
  absl::StrAppend(&out, "六、其他需要报告的事项\n\n", FeeSentence(report),
                  "\n");
  return out;
}

// The three tables in Markdown, each under its part heading.
void AppendMdTables(const AnnualReport& report, std::string& out) {
  absl::StrAppend(&out, "## ", kPartTwo, "\n\n",
                  GridToMd(ProactiveGrid(report.proactive)), "\n");
  absl::StrAppend(&out, "## ", kPartThree, "\n\n",
                  GridToMd(ApplicationsGrid(report)), "\n");
  absl::StrAppend(&out, "## ", kPartFour, "\n\n", GridToMd(AppealsGrid(report)),
                  "\n");
}

void AppendMdParagraphs(const std::vector<std::string>& paragraphs,
                        std::string& out) {
  for (const std::string& p : paragraphs) {
    absl::StrAppend(&out, MdEscape(p), "\n\n");
  }
  if (paragraphs.empty()) absl::StrAppend(&out, kMissingText, "\n\n");
}

std::string RenderMd(const AnnualReport& report) {
  std::string out = absl::StrCat("# ", MdEscape(Title(report)), "\n\n",
                                 MdEscape(AgencyLine(report)), " — ",
                                 Provenance(report), "\n\n");
  AppendMdTables(report, out);
  absl::StrAppend(&out, "## 六、其他需要报告的事项\n\n", FeeSentence(report),
                  "\n");
  return out;
}

std::string MdDocument(const AnnualReport& report, absl::CivilDay date) {
  std::string out = absl::StrCat("# ", MdEscape(Title(report)), "\n\n");
  out.append("## 一、总体情况\n\n");
  AppendMdParagraphs(Paragraphs(report.narrative.overview), out);
  AppendMdTables(report, out);
  out.append("## 五、存在的主要问题及改进情况\n\n");
  AppendMdParagraphs(Paragraphs(report.narrative.problems), out);
  out.append("## 六、其他需要报告的事项\n\n");
  AppendMdParagraphs(PartSixParagraphs(report), out);
  absl::StrAppend(&out, MdEscape(report.agency_name), "\n\n", DateText(date),
                  "\n\n<!-- ogi: ", Provenance(report), " -->\n");
  return out;
}

constexpr absl::string_view kCss = R"(@page { size: A4; margin: 2cm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; max-width: 64em; margin: 2em auto; padding: 0 1em; line-height: 1.8; color: #000; background: #fff; }
h1 { text-align: center; font-size: 1.6em; margin: 0.5em 0 1em; }
h2 { font-size: 1.15em; margin: 1.2em 0 0.6em; }
p { margin: 0.3em 0; text-indent: 2em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1.2em; font-size: 0.85em; line-height: 1.4; }
th, td { border: 1px solid #000; padding: 0.25em 0.35em; text-align: center; vertical-align: middle; font-weight: normal; }
th.label, th.note { text-align: left; }
th.title { font-weight: bold; background: #f2f2f2; }
td { font-variant-numeric: tabular-nums; }
.signature { text-align: right; margin-top: 2em; }
.signature p { text-indent: 0; margin: 0; }
.provenance { font-size: 0.75em; color: #666; text-indent: 0; }
@media print { body { max-width: none; margin: 0; padding: 0; } tr { page-break-inside: avoid; } h2 { page-break-after: avoid; } .provenance { display: none; } }
)";

std::string HtmlPage(absl::string_view title, absl::string_view body) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(title), "</title>\n<style>\n", kCss,
      "</style>\n</head>\n<body>\n", body, "</body>\n</html>\n");
}

void AppendHtmlTables(const AnnualReport& report, std::string& out) {
  absl::StrAppend(&out, "<h2>", kPartTwo, "</h2>\n",
                  GridToHtml(ProactiveGrid(report.proactive), "proactive"));
  absl::StrAppend(&out, "<h2>", kPartThree, "</h2>\n",
                  GridToHtml(ApplicationsGrid(report), "applications"));
  absl::StrAppend(&out, "<h2>", kPartFour, "</h2>\n",
                  GridToHtml(AppealsGrid(report), "appeals"));
}

void AppendHtmlParagraphs(const std::vector<std::string>& paragraphs,
                          std::string& out) {
  for (const std::string& p : paragraphs) {
    absl::StrAppend(&out, "<p>", HtmlEscape(p), "</p>\n");
  }
  if (paragraphs.empty()) absl::StrAppend(&out, "<p>", kMissingText, "</p>\n");
}

std::string RenderHtml(const AnnualReport& report) {
  std::string body =
      absl::StrCat("<h1>", HtmlEscape(Title(report)), "</h1>\n",
                   "<p class=\"provenance\">", HtmlEscape(AgencyLine(report)),
                   " — ", HtmlEscape(Provenance(report)), "</p>\n");
  AppendHtmlTables(report, body);
  absl::StrAppend(&body, "<h2>六、其他需要报告的事项</h2>\n<p>",
                  FeeSentence(report), "</p>\n");
  return HtmlPage(Title(report), body);
}

std::string HtmlDocument(const AnnualReport& report, absl::CivilDay date) {
  std::string body = absl::StrCat("<h1>", HtmlEscape(Title(report)), "</h1>\n");
  body.append("<h2>一、总体情况</h2>\n");
  AppendHtmlParagraphs(Paragraphs(report.narrative.overview), body);
  AppendHtmlTables(report, body);
  body.append("<h2>五、存在的主要问题及改进情况</h2>\n");
  AppendHtmlParagraphs(Paragraphs(report.narrative.problems), body);
  body.append("<h2>六、其他需要报告的事项</h2>\n");
  AppendHtmlParagraphs(PartSixParagraphs(report), body);
  absl::StrAppend(&body, "<div class=\"signature\">\n<p>",
                  HtmlEscape(report.agency_name), "</p>\n<p>", DateText(date),
                  "</p>\n</div>\n<footer class=\"provenance\">ogi: ",
                  HtmlEscape(AgencyLine(report)), " — ",
                  HtmlEscape(Provenance(report)), "</footer>\n");
  return HtmlPage(Title(report), body);
}

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  if (name == "md") return ReportFormat::kMd;
  if (name == "html") return ReportFormat::kHtml;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown report format \"", name, "\" (text, csv, json, md or html)"));
}

std::string RenderReport(const AnnualReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return RenderText(report);
    case ReportFormat::kCsv:
      return RenderCsv(report);
    case ReportFormat::kJson:
      return RenderJson(report);
    case ReportFormat::kMd:
      return RenderMd(report);
    case ReportFormat::kHtml:
      return RenderHtml(report);
  }
  return RenderText(report);
}

std::string RenderDocument(const AnnualReport& report, ReportFormat format,
                           absl::CivilDay date) {
  return format == ReportFormat::kHtml ? HtmlDocument(report, date)
                                       : MdDocument(report, date);
}

}  // namespace ogi
