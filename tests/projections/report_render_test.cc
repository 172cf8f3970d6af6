// Tests of report_render.h: the csv and json contracts cell by cell, the
// layout of text (display-width alignment), Markdown and HTML (merged cells,
// escaping), the whole document, golden files of a fixed report, and the seed
// report (乌拉特中旗教育局 2023) rebuilt from its log.
//
// Golden files live in tests/projections/golden/; run with OGI_UPDATE_GOLDEN=1
// to rewrite them after an intended change, then review the diff.
#include "projections/report_render.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/json_codec.h"
#include "projections/annual_report.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// The display width of UTF-8 text by the ranges of the contract (wide: CJK,
// Hangul, full-width forms), written independently of the renderer's.
int Width(absl::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    const size_t length = lead < 0x80   ? 1
                          : lead < 0xE0 ? 2
                          : lead < 0xF0 ? 3
                                        : 4;
    uint32_t cp = length == 1   ? lead
                  : length == 2 ? lead & 0x1F
                  : length == 3 ? lead & 0x0F
                                : lead & 0x07;
    for (size_t k = 1; k < length; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const bool wide =
        (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
    width += wide ? 2 : 1;
    i += length;
  }
  return width;
}

int Count(absl::string_view text, absl::string_view needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::vector<std::string> Lines(absl::string_view text) {
  return absl::StrSplit(text, '\n');
}

// Returns the blocks of consecutive lines that start with '+' or '|': the text
// tables.
std::vector<std::vector<std::string>> TextTables(absl::string_view text) {
  std::vector<std::vector<std::string>> tables;
  bool in_table = false;
  for (const std::string& line : Lines(text)) {
    const bool table_line =
        absl::StartsWith(line, "+") || absl::StartsWith(line, "|");
    if (table_line && !in_table) tables.emplace_back();
    if (table_line) tables.back().push_back(line);
    in_table = table_line;
  }
  return tables;
}

// Returns the trimmed cells of a Markdown table line, or nothing for the
// delimiter row.
std::vector<std::string> MdCells(absl::string_view line) {
  std::vector<std::string> cells;
  if (absl::StartsWith(line, "|---")) return cells;
  std::vector<absl::string_view> parts = absl::StrSplit(line, '|');
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    cells.emplace_back(absl::StripAsciiWhitespace(parts[i]));
  }
  return cells;
}

// The text of each cell of a text table, its wrapped lines joined: the
// segments between bars at the same display columns on consecutive lines,
// until a rule ('-') closes the cell.
std::vector<std::string> TextCells(const std::vector<std::string>& table) {
  std::map<std::pair<int, int>, std::string> open;
  std::vector<std::string> cells;
  for (const std::string& line : table) {
    std::map<std::pair<int, int>, std::string> next;
    int column = 0;
    int start = -1;
    std::string segment;
    for (size_t i = 0; i < line.size();) {
      const unsigned char lead = static_cast<unsigned char>(line[i]);
      const size_t length = lead < 0x80   ? 1
                            : lead < 0xE0 ? 2
                            : lead < 0xF0 ? 3
                                          : 4;
      const std::string ch = line.substr(i, length);
      if (ch == "|" || ch == "+") {
        if (start >= 0 && segment.find('-') == std::string::npos) {
          std::string text = open[{start, column}];
          for (char c : segment) {
            if (c != ' ') text.push_back(c);
          }
          next[{start, column}] = text;
        }
        start = column + 1;
        segment.clear();
      } else {
        segment += ch;
      }
      column += Width(ch);
      i += length;
    }
    for (const auto& [span, text] : open) {
      if (!next.contains(span) && !text.empty()) cells.push_back(text);
    }
    open = std::move(next);
  }
  for (const auto& [span, text] : open) {
    if (!text.empty()) cells.push_back(text);
  }
  return cells;
}

bool IsNumber(absl::string_view s) {
  return !s.empty() &&
         s.find_first_not_of("0123456789.") == absl::string_view::npos;
}

// The 60 labels of the three tables, in the order the seed prints them.
std::vector<std::string> SeedTableLabels() {
  std::vector<std::string> labels = {
      "第二十条第（一）项",
      "信息内容",
      "本年制发件数",
      "本年废止件数",
      "现行有效件数",
      "规章",
      "行政规范性文件",
      "第二十条第（五）项",
      "信息内容",
      "本年处理决定数量",
      "行政许可",
      "第二十条第（六）项",
      "信息内容",
      "本年处理决定数量",
      "行政处罚",
      "行政强制",
      "第二十条第（八）项",
      "信息内容",
      "本年收费金额（单位：万元）",
      "行政事业性收费",
      "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
      "申请人情况",
      "自然人",
      "法人或其他组织",
      "总计",
      "商业企业",
      "科研机构",
      "社会公益组织",
      "法律服务机构",
      "其他",
      "一、本年新收政府信息公开申请数量",
      "二、上年结转政府信息公开申请数量",
      "三、本年度办理结果",
      "（一）予以公开",
      "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
      "（三）不予公开",
      "1.属于国家秘密",
      "2.其他法律行政法规禁止公开",
      "3.危及“三安全一稳定”",
      "4.保护第三方合法权益",
      "5.属于三类内部事务信息",
      "6.属于四类过程性信息",
      "7.属于行政执法案卷",
      "8.属于行政查询事项",
      "（四）无法提供",
      "1.本机关不掌握相关政府信息",
      "2.没有现成信息需要另行制作",
      "3.补正后申请内容仍不明确",
      "（五）不予处理",
      "1.信访举报投诉类申请",
      "2.重复申请",
      "3.要求提供公开出版物",
      "4.无正当理由大量反复申请",
      "5.要求行政机关确认或重新出具已获取信息",
      "（六）其他处理",
      "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
      "2."
      "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
      "3.其他",
      "（七）总计",
      "四、结转下年度继续办理",
      "行政复议",
      "行政诉讼"};
  // Part 四's header: the five columns of 行政复议, the two litigation
  // groups, then their five columns each.
  for (absl::string_view l : {"结果维持", "结果纠正", "其他结果", "尚未审结",
                              "总计", "未经复议直接起诉", "复议后起诉"}) {
    labels.emplace_back(l);
  }
  for (int group = 0; group < 2; ++group) {
    for (absl::string_view l :
         {"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}) {
      labels.emplace_back(l);
    }
  }
  return labels;
}

absl::Time At(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

// A report whose every cell holds a different number, so that a transposed
// row or column shows: applications[r][c] = 100·r + c + 1, appeals[g][k] =
// 10·(g + 1) + k + 1.
AnnualReport DistinctReport() {
  AnnualReport r;
  r.agency_id = "wltzq-jyj";
  r.agency_name = "乌拉特中旗教育局";
  r.year = 2023;
  r.position = 4711;
  r.chain_link = std::string(32, '\xab');
  r.recorded_until = At(2024, 1, 12, 3, 4, 5);
  r.proactive.regulations = {2, 1, 14};
  r.proactive.normative_documents = {37, 5, 212};
  r.proactive.licensing = 1523;
  r.proactive.penalty = 3985758;
  r.proactive.enforcement = 46;
  r.proactive.administrative_fees_fen = 96171600000;
  for (int row = 0; row < kApplicationRows; ++row) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      r.applications[row][c] = 100 * row + c + 1;
    }
  }
  for (int g = 0; g < kAppealGroups; ++g) {
    for (int k = 0; k < kAppealColumns; ++k) {
      r.appeals[g][k] = 10 * (g + 1) + k + 1;
    }
  }
  r.fee_applications = 3;
  r.fee_paid_fen = 12345;
  return r;
}

// The report of the golden files: consistent (A7, B4) and realistic.
AnnualReport GoldenReport() {
  AnnualReport r = DistinctReport();
  r.position = 1234;
  r.proactive.administrative_fees_fen = 5949088667;
  r.applications = {};
  for (int c = 0; c < kTotalColumn; ++c) {
    int64_t results = 0;
    for (int i = 0; i < kResultRows; ++i) {
      const int64_t v = (i * 7 + c * 3) % 5 == 4 ? (i + c) % 3 : 0;
      r.applications[kFirstResultRow + i][c] = v;
      results += v;
    }
    r.cell(AppRow::kResultsTotal, c) = results;
    r.cell(AppRow::kCarriedIn, c) = c % 2;
    r.cell(AppRow::kCarriedOut, c) = c == 0 ? 2 : 0;
    r.cell(AppRow::kNew, c) = results + r.cell(AppRow::kCarriedOut, c) -
                              r.cell(AppRow::kCarriedIn, c) + (c == 0 ? 9 : 0);
    r.cell(AppRow::kDisclosed, c) += c == 0 ? 9 : 0;
    r.cell(AppRow::kResultsTotal, c) += c == 0 ? 9 : 0;
  }
  for (auto& row : r.applications) {
    row[kTotalColumn] = 0;
    for (int c = 0; c < kTotalColumn; ++c) row[kTotalColumn] += row[c];
  }
  r.appeals = {{{3, 1, 2, 1, 7}, {0, 1, 0, 2, 3}, {12, 4, 2, 1, 19}}};
  r.narrative.overview =
      "2023年，我局认真贯彻《中华人民共和国政府信息公开条例》，全面推进政务公开"
      "。\n"
      "（一）主动公开情况\n"
      "全年主动公开政府信息312条。\n"
      "\n"
      "（二）依申请公开情况\n"
      "全年新收政府信息公开申请，均在法定期限内答复。";
  r.narrative.problems =
      "一是公开内容不够全面；二是解读形式较为单一。下一步将加强培训。";
  r.narrative.other = "无其他需要报告的事项。";
  return r;
}

TEST(ReportRenderTest, ParseReportFormatKnowsTheFiveNames) {
  const struct {
    const char* name;
    ReportFormat want;
  } kRows[] = {
      {"text", ReportFormat::kText}, {"csv", ReportFormat::kCsv},
      {"json", ReportFormat::kJson}, {"md", ReportFormat::kMd},
      {"html", ReportFormat::kHtml},
  };
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.name);
    ASSERT_OK_AND_ASSIGN(ReportFormat format, ParseReportFormat(row.name));
    EXPECT_EQ(format, row.want);
  }
  for (const char* bad : {"", "CSV", "xml", "markdown", "txt"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseReportFormat(bad),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(ReportRenderTest, CsvHasOneLinePerCellInTableOrder) {
  const std::string csv = RenderReport(DistinctReport(), ReportFormat::kCsv);
  ASSERT_TRUE(absl::EndsWith(csv, "\n"));
  std::vector<std::string> lines = Lines(csv);
  lines.pop_back();  // after the last newline
  ASSERT_EQ(lines.size(), 1u + 10 + 25 * 7 + 3 * 5);
  const std::vector<std::string> head(lines.begin(), lines.begin() + 11);
  EXPECT_THAT(head,
              ::testing::ElementsAre(
                  "section,row,column,value", "proactive,regulations,issued,2",
                  "proactive,regulations,repealed,1",
                  "proactive,regulations,in_force,14",
                  "proactive,normative_documents,issued,37",
                  "proactive,normative_documents,repealed,5",
                  "proactive,normative_documents,in_force,212",
                  "proactive,licensing,decisions,1523",
                  "proactive,penalty,decisions,3985758",
                  "proactive,enforcement,decisions,46",
                  "proactive,administrative_fees,amount_wan_yuan,96171.6"));
  size_t i = 11;
  for (int r = 0; r < kApplicationRows; ++r) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      EXPECT_EQ(lines[i++],
                absl::StrCat("applications,",
                             ApplicationRowCode(static_cast<AppRow>(r)), ",",
                             ApplicationColumnCode(c), ",", 100 * r + c + 1));
    }
  }
  EXPECT_EQ(lines[11], "applications,new,natural_person,1");
  EXPECT_EQ(lines[11 + 4 * 7 + 2],
            "applications,withheld_state_secret,research_institution,403");
  EXPECT_EQ(lines[11 + 24 * 7 + 6], "applications,carried_out,total,2407");
  const std::vector<std::string> appeals(lines.end() - 15, lines.end());
  EXPECT_THAT(appeals,
              ::testing::ElementsAre(
                  "appeals,reconsideration,upheld,11",
                  "appeals,reconsideration,corrected,12",
                  "appeals,reconsideration,other,13",
                  "appeals,reconsideration,pending,14",
                  "appeals,reconsideration,total,15",
                  "appeals,litigation_direct,upheld,21",
                  "appeals,litigation_direct,corrected,22",
                  "appeals,litigation_direct,other,23",
                  "appeals,litigation_direct,pending,24",
                  "appeals,litigation_direct,total,25",
                  "appeals,litigation_after_reconsideration,upheld,31",
                  "appeals,litigation_after_reconsideration,corrected,32",
                  "appeals,litigation_after_reconsideration,other,33",
                  "appeals,litigation_after_reconsideration,pending,34",
                  "appeals,litigation_after_reconsideration,total,35"));
}

TEST(ReportRenderTest, CsvAmountIsAnExactDecimal) {
  const struct {
    int64_t fen;
    const char* want;
  } kRows[] = {
      {0, "0"}, {5949088667, "5949.088667"}, {1, "0.000001"}, {1000000, "1"}};
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.fen);
    AnnualReport report = DistinctReport();
    report.proactive.administrative_fees_fen = row.fen;
    EXPECT_THAT(RenderReport(report, ReportFormat::kCsv),
                HasSubstr(absl::StrCat(
                    "\nproactive,administrative_fees,amount_wan_yuan,",
                    row.want, "\n")));
  }
}

TEST(ReportRenderTest, JsonHasTheContractFieldsInTableOrder) {
  const std::string json = RenderReport(DistinctReport(), ReportFormat::kJson);
  EXPECT_TRUE(absl::StartsWith(
      json,
      R"({"agency":"wltzq-jyj","agencyName":"乌拉特中旗教育局","rollup":false,"year":2023,"asOf":"2024-01-12T03:04:05Z","position":4711,"hash":"abab)"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("proactive":{"regulations":{"issued":2,"repealed":1,"in_force":14},"normative_documents":{"issued":37,"repealed":5,"in_force":212},"licensing":{"decisions":1523},"penalty":{"decisions":3985758},"enforcement":{"decisions":46},"administrative_fees":{"amount_wan_yuan":"96171.6"}})"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("applications":{"new":{"natural_person":1,"commercial_enterprise":2,"research_institution":3,"public_welfare_organization":4,"legal_service_agency":5,"other_organization":6,"total":7},"carried_in":{"natural_person":101,)"));
  EXPECT_THAT(json,
              HasSubstr(R"("withheld_state_secret":{"natural_person":401,)"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("carried_out":{"natural_person":2401,"commercial_enterprise":2402,"research_institution":2403,"public_welfare_organization":2404,"legal_service_agency":2405,"other_organization":2406,"total":2407}},"appeals":{"reconsideration":{"upheld":11,"corrected":12,"other":13,"pending":14,"total":15},"litigation_direct":{"upheld":21,)"));
  EXPECT_TRUE(absl::EndsWith(
      json,
      R"("litigation_after_reconsideration":{"upheld":31,"corrected":32,"other":33,"pending":34,"total":35}},"fees":{"applications":3,"amountYuan":"123.45"}})"
      "\n"));
  // Every row code once, in order.
  size_t at = 0;
  for (int r = 0; r < kApplicationRows; ++r) {
    const std::string key =
        absl::StrCat("\"", ApplicationRowCode(static_cast<AppRow>(r)), "\":{");
    const size_t found = json.find(key, at);
    ASSERT_NE(found, std::string::npos) << key;
    at = found;
  }
}

TEST(ReportRenderTest, JsonEscapesStringsAndWritesNullAsOfForAnEmptyLog) {
  AnnualReport report = DistinctReport();
  report.agency_name = "教育局\"一\"\\";
  report.rollup = true;
  report.position = 0;
  report.recorded_until = absl::InfinitePast();
  const std::string json = RenderReport(report, ReportFormat::kJson);
  EXPECT_THAT(json,
              HasSubstr(R"("agencyName":"教育局\"一\"\\","rollup":true,)"));
  EXPECT_THAT(json, HasSubstr(R"("asOf":null,"position":0,)"));
}

TEST(ReportRenderTest, JsonAmountYuanIsExact) {
  const struct {
    int64_t fen;
    const char* want;
  } kRows[] = {{0, "0"},         {10000, "100"}, {12345, "123.45"},
               {12340, "123.4"}, {5, "0.05"},    {9876543210, "98765432.1"}};
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.fen);
    AnnualReport report = DistinctReport();
    report.fee_paid_fen = row.fen;
    EXPECT_THAT(RenderReport(report, ReportFormat::kJson),
                HasSubstr(absl::StrCat("\"amountYuan\":\"", row.want, "\"}}")));
  }
}

TEST(ReportRenderTest, TextTablesAreAlignedByDisplayWidthWithWholeLabels) {
  const std::string text = RenderReport(DistinctReport(), ReportFormat::kText);
  EXPECT_EQ(Lines(text)[0], "乌拉特中旗教育局（wltzq-jyj）2023年度");
  EXPECT_EQ(Lines(text)[1],
            "log position 4711, recorded up to 2024-01-12T03:04:05Z");
  EXPECT_EQ(Lines(text)[2],
            absl::StrCat("digest 4711:",
                         absl::BytesToHexString(std::string(32, '\xab'))));
  // Part 四 is two tables on a terminal: 行政复议, then 行政诉讼.
  const std::vector<std::vector<std::string>> tables = TextTables(text);
  ASSERT_EQ(tables.size(), 4u);
  std::vector<std::string> texts;
  for (const auto& table : tables) {
    ASSERT_FALSE(table.empty());
    const int width = Width(table[0]);
    for (const std::string& line : table) {
      EXPECT_EQ(Width(line), width) << line;
    }
    for (std::string& cell : TextCells(table)) texts.push_back(cell);
  }
  // Every label whole in its cell, perhaps wrapped over its lines.
  for (const std::string& label : SeedTableLabels()) {
    EXPECT_TRUE(std::any_of(texts.begin(), texts.end(),
                            [&](const std::string& text) {
                              return absl::StrContains(text, label);
                            }))
        << label;
  }
  // The cells: in the part 三 table, the row of 4.保护第三方合法权益 ends with
  // its seven numbers.
  const auto row = std::find_if(
      tables[1].begin(), tables[1].end(), [](const std::string& line) {
        return absl::StrContains(line, "4.保护第三方合法权益");
      });
  ASSERT_NE(row, tables[1].end());
  std::vector<std::string> cells = MdCells(*row);
  ASSERT_GE(cells.size(), 7u);
  const std::vector<std::string> numbers(cells.end() - 7, cells.end());
  EXPECT_THAT(numbers, ::testing::ElementsAre("701", "702", "703", "704", "705",
                                              "706", "707"));
  EXPECT_THAT(text,
              HasSubstr("本年度共对3件申请收取信息处理费，合计123.45元。"));
}

TEST(ReportRenderTest, TextPrintsNoSubtotalRows) {
  const std::string text = RenderReport(DistinctReport(), ReportFormat::kText);
  const std::vector<std::vector<std::string>> tables = TextTables(text);
  ASSERT_EQ(tables.size(), 4u);
  int numeric_rows = 0;
  for (const std::string& line : tables[1]) {
    std::vector<std::string> cells = MdCells(line);
    if (!cells.empty() && IsNumber(cells.back())) ++numeric_rows;
  }
  EXPECT_EQ(numeric_rows, kApplicationRows);
  // The group headings (wrapped to fit 120 columns) start on the line of
  // their first item.
  for (absl::string_view pair :
       {"（三） | 1.属于国家秘密", "（四） | 1.本机关不掌握",
        "（五） | 1.信访举报投诉类申请", "（六） | 1.申请人"}) {
    EXPECT_THAT(text, HasSubstr(pair));
  }
}

// Issue 18, finding 11: the text report fits a 120-column terminal, each
// number column as wide as its header (the headers never wrap), also with
// large figures; in html the column headers never wrap either.
TEST(ReportRenderTest, TextFitsA120ColumnTerminal) {
  AnnualReport large = GoldenReport();
  for (auto& row : large.applications) {
    for (int64_t& cell : row) cell = cell * 100003 + 9;
  }
  for (auto& group : large.appeals) {
    for (int64_t& cell : group) cell = cell * 100003 + 9;
  }
  for (const AnnualReport& report : {DistinctReport(), GoldenReport(), large}) {
    const std::string text = RenderReport(report, ReportFormat::kText);
    for (const std::string& line : Lines(text)) {
      EXPECT_LE(Width(line), 120) << line;
    }
    for (absl::string_view header :
         {"| 自然人 |", "| 总计 |", "| 商业企业 |", "| 社会公益组织 |",
          "| 结果维持 |", "| 尚未审结 |"}) {
      // Padded to the column, the header is whole on one line.
      const std::string bare(
          absl::StripAsciiWhitespace(header.substr(1, header.size() - 2)));
      EXPECT_TRUE(absl::StrContains(text, absl::StrCat(" ", bare, " ")))
          << header;
    }
  }
}

TEST(ReportRenderTest, HtmlColumnHeadersDoNotWrap) {
  const std::string html = RenderReport(GoldenReport(), ReportFormat::kHtml);
  EXPECT_THAT(html, HasSubstr("th.col { white-space: nowrap; }"));
  EXPECT_THAT(html, HasSubstr("class=\"col\">自然人</th>"));
  EXPECT_THAT(html, HasSubstr("class=\"col\">总计</th>"));
  EXPECT_THAT(html, HasSubstr("class=\"col\">结果维持</th>"));
}

TEST(ReportRenderTest, HtmlHasTheOfficialMergedCells) {
  const std::string html = RenderReport(DistinctReport(), ReportFormat::kHtml);
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  for (absl::string_view outside :
       {"<link", "<script", "src=", "@import", "url("}) {
    EXPECT_THAT(html, Not(HasSubstr(outside)));
  }
  for (absl::string_view title : {"第二十条第（一）项", "第二十条第（五）项",
                                  "第二十条第（六）项", "第二十条第（八）项"}) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat(
                          "<th colspan=\"4\" class=\"title\">", title)));
  }
  EXPECT_THAT(html, HasSubstr("<td colspan=\"3\">96171.6</td>"));
  EXPECT_THAT(
      html,
      HasSubstr("<tr><th rowspan=\"3\" colspan=\"3\" "
                "class=\"note\">（本列数据的勾稽关系为：第一项加第二项之和，"
                "等于第三项加第四项之和）</th><th "
                "colspan=\"7\">申请人情况</th></tr>\n<tr><th "
                "rowspan=\"2\" class=\"col\">自然人</th><th "
                "colspan=\"5\">法人或其他组织</th><th "
                "rowspan=\"2\" class=\"col\">总计</th></tr>\n<tr><th "
                "class=\"col\">商业企业</th><th class=\"col\">科研机构</"
                "th><th class=\"col\">社会公益组织</th><th "
                "class=\"col\">法律服务机构</th><th class=\"col\">其他</th></"
                "tr>\n</thead>"));
  EXPECT_THAT(html, HasSubstr("<tr><th colspan=\"3\" class=\"label\" "
                              "scope=\"row\">一、本年新收政府信息公开申请数量"
                              "</th><td>1</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><th rowspan=\"22\" class=\"label\" "
                              "scope=\"row\">三、本年度办理结果</th><th "
                              "colspan=\"2\" class=\"label\" "
                              "scope=\"row\">（一）予以公开</th><td>201</td>"));
  const struct {
    const char* heading;
    int rows;
  } kGroups[] = {{"（三）不予公开", 8},
                 {"（四）无法提供", 3},
                 {"（五）不予处理", 5},
                 {"（六）其他处理", 3}};
  for (const auto& group : kGroups) {
    EXPECT_THAT(html,
                HasSubstr(absl::StrCat("<th rowspan=\"", group.rows,
                                       "\" class=\"label\" scope=\"row\">",
                                       group.heading, "</th>")));
  }
  EXPECT_THAT(html, HasSubstr("<th colspan=\"2\" class=\"label\" "
                              "scope=\"row\">（七）总计</th>"));
  EXPECT_THAT(html, HasSubstr("<tr><th colspan=\"5\">行政复议</th><th "
                              "colspan=\"10\">行政诉讼</th></tr>\n<tr><th "
                              "rowspan=\"2\" class=\"col\">结果维持</th><th "
                              "rowspan=\"2\" class=\"col\">结果纠正</th><th "
                              "rowspan=\"2\" class=\"col\">其他结果</th><th "
                              "rowspan=\"2\" class=\"col\">尚未审结</th><th "
                              "rowspan=\"2\" class=\"col\">总计</th><th "
                              "colspan=\"5\">未经复议直接起诉</th><th "
                              "colspan=\"5\">复议后起诉</th></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>11</td><td>12</td>"));
  EXPECT_EQ(Count(html, "<table"), 3);
}

// Returns the value of attribute `name` ("rowspan", "colspan") in one tag, or
// 1.
int SpanOf(absl::string_view tag, absl::string_view name) {
  const size_t at = tag.find(absl::StrCat(name, "=\""));
  if (at == absl::string_view::npos) return 1;
  return std::atoi(std::string(tag.substr(at + name.size() + 2)).c_str());
}

// Every row of every HTML table covers the same number of columns once the
// row and column spans are laid out, and no two cells overlap.
TEST(ReportRenderTest, HtmlTablesAreRectangular) {
  const std::string html = RenderDocument(GoldenReport(), ReportFormat::kHtml,
                                          absl::CivilDay(2024, 1, 12));
  std::vector<int> widths;
  for (absl::string_view table : absl::StrSplit(html, "<table")) {
    if (!absl::StrContains(table, "<tr>")) continue;
    std::vector<std::vector<bool>> taken;
    int row = 0;
    for (absl::string_view line : absl::StrSplit(table, '\n')) {
      if (!absl::StartsWith(line, "<tr>")) continue;
      int col = 0;
      for (size_t at = line.find("<t", 4); at != absl::string_view::npos;
           at = line.find("<t", at + 1)) {
        const absl::string_view tag = line.substr(at, line.find('>', at) - at);
        const int rowspan = SpanOf(tag, "rowspan");
        const int colspan = SpanOf(tag, "colspan");
        if (taken.size() < static_cast<size_t>(row + rowspan)) {
          taken.resize(row + rowspan);
        }
        while (col < static_cast<int>(taken[row].size()) && taken[row][col]) {
          ++col;
        }
        for (int r = row; r < row + rowspan; ++r) {
          if (taken[r].size() < static_cast<size_t>(col + colspan)) {
            taken[r].resize(col + colspan, false);
          }
          for (int c = col; c < col + colspan; ++c) {
            EXPECT_FALSE(taken[r][c]) << "overlap at " << r << "," << c;
            taken[r][c] = true;
          }
        }
        col += colspan;
      }
      ++row;
    }
    ASSERT_EQ(taken.size(), static_cast<size_t>(row));
    for (const std::vector<bool>& r : taken) {
      EXPECT_EQ(r.size(), taken[0].size());
      EXPECT_TRUE(std::all_of(r.begin(), r.end(), [](bool b) { return b; }));
    }
    widths.push_back(static_cast<int>(taken[0].size()));
  }
  EXPECT_THAT(widths, ::testing::ElementsAre(4, 10, 15));
}

TEST(ReportRenderTest, HtmlAndMdEscapeAgencyNamesAndNarratives) {
  AnnualReport report = DistinctReport();
  report.agency_name = "<b>教育局</b> & 'x'";
  report.narrative.overview = "第一段<script>alert(1)</script>\n第二段 a|b";
  report.narrative.problems = "无";
  for (const std::string& html :
       {RenderReport(report, ReportFormat::kHtml),
        RenderDocument(report, ReportFormat::kHtml,
                       absl::CivilDay(2024, 1, 12))}) {
    EXPECT_THAT(html, Not(HasSubstr("<b>")));
    EXPECT_THAT(html, Not(HasSubstr("<script>")));
    EXPECT_THAT(html, HasSubstr("&lt;b&gt;教育局&lt;/b&gt; &amp; &#39;x&#39;"));
  }
  const std::string doc =
      RenderDocument(report, ReportFormat::kHtml, absl::CivilDay(2024, 1, 12));
  EXPECT_THAT(doc,
              HasSubstr("<p>第一段&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
                        "<p>第二段 a|b</p>\n"));
  const std::string md =
      RenderDocument(report, ReportFormat::kMd, absl::CivilDay(2024, 1, 12));
  EXPECT_THAT(md, HasSubstr("# \\<b\\>教育局\\</b\\> & 'x'2023年"));
  EXPECT_THAT(md, HasSubstr("\n第二段 a\\|b\n"));
}

TEST(ReportRenderTest, MdTablesHaveOneCellPerColumnOnEveryLine) {
  const std::string md = RenderReport(DistinctReport(), ReportFormat::kMd);
  int tables = 0;
  size_t columns = 0;
  bool in_table = false;
  for (const std::string& line : Lines(md)) {
    const bool table_line = absl::StartsWith(line, "|");
    if (table_line && !in_table) {
      ++tables;
      columns = static_cast<size_t>(Count(line, "|"));
    }
    if (table_line) {
      EXPECT_EQ(static_cast<size_t>(Count(line, "|")), columns) << line;
    }
    in_table = table_line;
  }
  EXPECT_EQ(tables, 3);
  EXPECT_THAT(md, HasSubstr("| 3.危及“三安全一稳定” | 601 | 602 | 603 | 604 | "
                            "605 | 606 | 607 |\n"));
  EXPECT_THAT(md, HasSubstr("|  | （三）不予公开 | 1.属于国家秘密 | 401 |"));
}

TEST(ReportRenderTest, DocumentHasTheSixPartsInOrderAndTheFeeSentence) {
  AnnualReport report = GoldenReport();
  const absl::CivilDay date(2024, 1, 12);
  for (ReportFormat format : {ReportFormat::kMd, ReportFormat::kHtml}) {
    SCOPED_TRACE(static_cast<int>(format));
    const std::string doc = RenderDocument(report, format, date);
    size_t at = 0;
    for (absl::string_view part :
         {"乌拉特中旗教育局2023年政府信息公开工作年度报告", "一、总体情况",
          "（一）主动公开情况", "（二）依申请公开情况",
          "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
          "四、政府信息公开行政复议、行政诉讼情况",
          "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
          "无其他需要报告的事项。",
          "本年度共对3件申请收取信息处理费，合计123.45元。", "乌拉特中旗教育局",
          "2024年1月12日", "log position 1234"}) {
      const size_t found = doc.find(std::string(part), at);
      ASSERT_NE(found, std::string::npos) << part;
      at = found + part.size();
    }
  }
}

TEST(ReportRenderTest, DocumentFeeSentenceFollowsTheNarrative) {
  const struct {
    const char* name;
    int64_t applications;
    int64_t fen;
    const char* other;
    const char* want_sentence;  // "" for none
  } kRows[] = {
      {"none collected, not said", 0, 0, "无其他需要报告的事项。",
       "本年度未收取任何信息处理费。"},
      {"none collected, already said", 0, 0,
       "本年度未收取任何信息处理费。无其他报告事项。", ""},
      {"none collected, no text", 0, 0, "", "本年度未收取任何信息处理费。"},
      {"collected", 2, 10000, "本年度未收取其他费用。",
       "本年度共对2件申请收取信息处理费，合计100元。"},
  };
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.name);
    AnnualReport report = GoldenReport();
    report.fee_applications = row.applications;
    report.fee_paid_fen = row.fen;
    report.narrative.other = row.other;
    const std::string md =
        RenderDocument(report, ReportFormat::kMd, absl::CivilDay(2024, 1, 12));
    const std::string part_six = md.substr(md.find("## 六、"));
    if (*row.other != '\0') {
      EXPECT_THAT(part_six, HasSubstr(row.other));
    }
    EXPECT_EQ(Count(part_six, "本年度未收取任何信息处理费"),
              absl::StrContains(row.other, "未收取任何") ||
                      absl::StrContains(row.want_sentence, "未收取")
                  ? 1
                  : 0);
    if (*row.want_sentence != '\0') {
      EXPECT_THAT(part_six, HasSubstr(absl::StrCat(row.want_sentence, "\n\n")));
    }
  }
}

TEST(ReportRenderTest, DocumentSplitsNarrativesIntoParagraphs) {
  const AnnualReport report = GoldenReport();
  const std::string md =
      RenderDocument(report, ReportFormat::kMd, absl::CivilDay(2024, 1, 12));
  EXPECT_THAT(
      md, HasSubstr("## 一、总体情况\n\n"
                    "2023年，我局认真贯彻《中华人民共和国政府信息公开条例》，"
                    "全面推进政务公开。\n\n（一）主动公开情况\n\n"
                    "全年主动公开政府信息312条。\n\n（二）依申请公开情况\n\n"));
  const std::string html =
      RenderDocument(report, ReportFormat::kHtml, absl::CivilDay(2024, 1, 12));
  EXPECT_THAT(html,
              HasSubstr("<p>（一）主动公开情况</p>\n<p>全年主动公开政府信息"
                        "312条。</p>\n<p>（二）依申请公开情况</p>\n"));
  EXPECT_THAT(html,
              HasSubstr("<div class=\"signature\">\n<p>乌拉特中旗教育局</p>\n"
                        "<p>2024年1月12日</p>\n</div>\n"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// Compares `got` with the golden file byte for byte (or rewrites it under
// OGI_UPDATE_GOLDEN=1) and reports the first line that differs.
void ExpectGolden(absl::string_view name, const std::string& got) {
  const std::string path =
      absl::StrCat(OGI_SOURCE_DIR, "/tests/projections/golden/", name);
  const char* update = std::getenv("OGI_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << got;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  const std::string want = ReadFile(path);
  ASSERT_FALSE(want.empty()) << "missing golden file " << path
                             << "; run with OGI_UPDATE_GOLDEN=1 to create it";
  if (got == want) return;
  const std::vector<std::string> got_lines = Lines(got);
  const std::vector<std::string> want_lines = Lines(want);
  size_t i = 0;
  while (i < got_lines.size() && i < want_lines.size() &&
         got_lines[i] == want_lines[i]) {
    ++i;
  }
  ADD_FAILURE() << name << " differs from the golden file at line " << i + 1
                << "\n  want: "
                << (i < want_lines.size() ? want_lines[i] : "<end>")
                << "\n  got:  "
                << (i < got_lines.size() ? got_lines[i] : "<end>")
                << "\n(OGI_UPDATE_GOLDEN=1 rewrites the golden files)";
}

TEST(ReportRenderTest, GoldenFiles) {
  const AnnualReport report = GoldenReport();
  const absl::CivilDay date(2024, 1, 12);
  const struct {
    const char* file;
    std::string got;
  } kRows[] = {
      {"report_2023.txt", RenderReport(report, ReportFormat::kText)},
      {"report_2023.md", RenderReport(report, ReportFormat::kMd)},
      {"report_2023.html", RenderReport(report, ReportFormat::kHtml)},
      {"report_2023.csv", RenderReport(report, ReportFormat::kCsv)},
      {"report_2023.json", RenderReport(report, ReportFormat::kJson)},
      {"document_2023.md", RenderDocument(report, ReportFormat::kMd, date)},
      {"document_2023.html", RenderDocument(report, ReportFormat::kHtml, date)},
  };
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.file);
    ExpectGolden(row.file, row.got);
  }
}

// The seed report: 乌拉特中旗教育局's published 2023 report, rebuilt from its
// log (two registrations and the three narrative texts; all tables zero).
TEST(ReportRenderTest, SeedReportDocumentFromItsLog) {
  const std::string log = ReadFile(
      absl::StrCat(OGI_SOURCE_DIR, "/tools/data/wltzq-jyj-2023.jsonl"));
  ASSERT_FALSE(log.empty());
  std::vector<v1::Event> events;
  std::vector<std::string> narrative_lines;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ASSERT_OK_AND_ASSIGN(v1::Event event,
                         ParseEventJson(line, EngineFields::kRefuse));
    if (event.has_narrative_set()) {
      for (absl::string_view l :
           absl::StrSplit(event.narrative_set().text(), '\n')) {
        narrative_lines.emplace_back(l);
      }
    }
    events.push_back(std::move(event));
  }
  ASSERT_EQ(events.size(), 5u);
  testing::TestStore store;
  ASSERT_OK(store->Append(events).status());
  ASSERT_OK_AND_ASSIGN(
      AnnualReport report,
      ComputeAnnualReport(*store.store,
                          {.year = 2023, .agency_id = "wltzq-jyj"}));
  EXPECT_EQ(report.position, 5u);
  const std::string md =
      RenderDocument(report, ReportFormat::kMd, absl::CivilDay(2024, 1, 12));

  EXPECT_TRUE(absl::StartsWith(
      md, "# 乌拉特中旗教育局2023年政府信息公开工作年度报告\n\n"));
  size_t at = 0;
  for (absl::string_view heading :
       {"## 一、总体情况\n", "## 二、主动公开政府信息情况\n",
        "## 三、收到和处理政府信息公开申请情况\n",
        "## 四、政府信息公开行政复议、行政诉讼情况\n",
        "## 五、存在的主要问题及改进情况\n", "## 六、其他需要报告的事项\n"}) {
    const size_t found = md.find(std::string(heading), at);
    ASSERT_NE(found, std::string::npos) << heading;
    at = found;
  }

  // The tables: every label of the seed in its order, and 200 cells of 0.
  std::vector<std::string> labels;
  int zeros = 0;
  for (const std::string& line : Lines(md)) {
    if (!absl::StartsWith(line, "|")) continue;
    for (const std::string& cell : MdCells(line)) {
      if (cell.empty()) continue;
      if (IsNumber(cell)) {
        EXPECT_EQ(cell, "0");
        ++zeros;
      } else {
        labels.push_back(cell);
      }
    }
  }
  EXPECT_EQ(zeros, 10 + kApplicationRows * kApplicationColumns +
                       kAppealGroups * kAppealColumns);
  EXPECT_EQ(labels, SeedTableLabels());

  // The narratives verbatim, each line a paragraph, in their parts.
  ASSERT_EQ(narrative_lines.size(), 11u + 1 + 1);
  for (const std::string& line : narrative_lines) {
    EXPECT_THAT(md, HasSubstr(absl::StrCat("\n\n", line, "\n\n"))) << line;
  }
  for (absl::string_view seed_text :
       {"(一) 主动公开情况", "（2） 依申请公开情况", "（3） 政府信息管理情况",
        "（4） 平台建设情况", "（5） 监督保障情况",
        "报告统计期限为2023年1月1日起至2023年12月31日止。",
        "积极参加并组织信息工作相关培训，提高信息公开工作人员素质能力。",
        "我局根据《政府信息公开信息处理费管理办法》的规定，本年度未收取任何"
        "信息处理费。无其他报告事项。"}) {
    EXPECT_THAT(md, HasSubstr(seed_text));
  }
  EXPECT_LT(md.find("(一) 主动公开情况"), md.find("## 二、"));
  EXPECT_GT(md.find("一是政务公开工作缺乏创新"), md.find("## 五、"));
  EXPECT_GT(md.find("我局根据《政府信息公开信息处理费管理办法》"),
            md.find("## 六、"));
  EXPECT_EQ(Count(md, "本年度未收取任何信息处理费"), 1);

  // The signature last, then the provenance comment.
  const size_t comment = md.rfind("<!--");
  ASSERT_NE(comment, std::string::npos);
  EXPECT_TRUE(absl::EndsWith(md.substr(0, comment),
                             "\n乌拉特中旗教育局\n\n2024年1月12日\n\n"));
  EXPECT_THAT(md.substr(comment), HasSubstr("log position 5"));

  const std::string html =
      RenderDocument(report, ReportFormat::kHtml, absl::CivilDay(2024, 1, 12));
  EXPECT_THAT(html,
              HasSubstr("<h1>乌拉特中旗教育局2023年政府信息公开工作年度报告"
                        "</h1>\n<h2>一、总体情况</h2>\n<p>根据《中华人民共和"
                        "国政府信息公开条例》"));
  EXPECT_THAT(html, HasSubstr("<p>(一) 主动公开情况</p>\n"));
  EXPECT_EQ(Count(html, "本年度未收取任何信息处理费"), 1);
}

}  // namespace
}  // namespace ogi
