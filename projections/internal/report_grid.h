// The model of the report's three tables (parts 二, 三, 四) and its renderers:
// each table is built once as a Grid of cells with their row, column, row span
// and column span, exactly as the official table merges them, and drawn as
// text, Markdown or HTML from that one model (report_render.cc uses them).
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_PROJECTIONS_INTERNAL_REPORT_GRID_H_
#define OGI_PROJECTIONS_INTERNAL_REPORT_GRID_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "projections/annual_report.h"

namespace ogi {
namespace report_grid {

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

// The part headings.
inline constexpr absl::string_view kPartTwo = "二、主动公开政府信息情况";
inline constexpr absl::string_view kPartThree =
    "三、收到和处理政府信息公开申请情况";
inline constexpr absl::string_view kPartFour =
    "四、政府信息公开行政复议、行政诉讼情况";

// The three tables.
Grid ProactiveGrid(const ProactiveTable& t);        // part 二
Grid ApplicationsGrid(const AnnualReport& report);  // part 三
Grid AppealsGrid(const AnnualReport& report);       // part 四

// DisplayWidth: engine/display_width.h.

// Part 四 for the text report: its fifteen columns, each as wide as its
// header, are too wide for a terminal as one table, so 行政复议 and 行政诉讼
// are drawn one below the other (html and md keep the official one table).
std::vector<Grid> AppealsTextGrids(const AnnualReport& report);

// The width of a terminal the text report fits (issue 18, finding 11).
inline constexpr int kTextReportWidth = 120;

// An ASCII box grid: every line has the same display width, and rules are
// drawn only between different cells. A table wider than `max_width` wraps
// its labels and notes (row-spanning ones first) over more lines until it
// fits; titles, column headers and numbers are never cut.
std::string GridToText(const Grid& g, int max_width = kTextReportWidth);
// A <table class=css_class> with rowspan/colspan and a <thead>.
std::string GridToHtml(const Grid& g, absl::string_view css_class);
// Markdown has no merged cells: each text sits at its cell's top-left
// position and the positions it covers stay blank; the first row is the
// header.
std::string GridToMd(const Grid& g);

std::string HtmlEscape(absl::string_view text);
// The characters that could start markup inside a paragraph or cell escaped.
std::string MdEscape(absl::string_view text);

}  // namespace report_grid
}  // namespace ogi

#endif  // OGI_PROJECTIONS_INTERNAL_REPORT_GRID_H_
