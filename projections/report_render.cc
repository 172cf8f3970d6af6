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
#include "engine/messages.h"
#include "projections/internal/report_grid.h"

namespace ogi {
namespace {

using report_grid::AppealsGrid;
using report_grid::ApplicationsGrid;
using report_grid::GridToHtml;
using report_grid::GridToMd;
using report_grid::GridToText;
using report_grid::HtmlEscape;
using report_grid::kPartFour;
using report_grid::kPartThree;
using report_grid::kPartTwo;
using report_grid::MdEscape;
using report_grid::ProactiveGrid;

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

// The provenance for a terminal: the position and recording time, then the
// digest (64 hex digits) on a line of its own.
std::string TextProvenance(const AnnualReport& report) {
  return absl::StrCat(Text(Msg::kReportProvenance, report.position,
                           report.recorded_until == absl::InfinitePast()
                               ? Text(Msg::kReportEmptyLog)
                               : Rfc3339(report.recorded_until)),
                      "\n",
                      Text(Msg::kReportDigest, report.position,
                           absl::BytesToHexString(report.chain_link)));
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

// Fits a 120-column terminal (report_grid::kTextReportWidth): the
// provenance on lines of its own, wide tables wrapped, part 四 in two.
std::string RenderText(const AnnualReport& report) {
  std::string out =
      absl::StrCat(AgencyLine(report), "\n", TextProvenance(report), "\n\n");
  absl::StrAppend(&out, kPartTwo, "\n\n",
                  GridToText(ProactiveGrid(report.proactive)), "\n");
  absl::StrAppend(&out, kPartThree, "\n\n",
                  GridToText(ApplicationsGrid(report)), "\n");
  absl::StrAppend(&out, kPartFour, "\n\n");
  for (const report_grid::Grid& grid : report_grid::AppealsTextGrids(report))
    absl::StrAppend(&out, GridToText(grid), "\n");
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
th.col { white-space: nowrap; }
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
  return absl::InvalidArgumentError(Text(Msg::kUnknownReportFormat, name));
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