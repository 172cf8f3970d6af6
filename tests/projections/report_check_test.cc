// Tests of the consistency checks and of the CSV reader (report_check.h): a
// report built by hand to satisfy every identity of docs/REPORT.md, then one
// table row per check that breaks exactly that check; the CSV tables are typed
// in the tests, independent of the renderer.
#include "projections/report_check.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "projections/annual_report.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int kNaturalPerson = 0;
constexpr int kCommercial = 1;
constexpr int kReconsideration =
    static_cast<int>(AppealGroup::kReconsideration);
constexpr int kDirect = static_cast<int>(AppealGroup::kLitigationDirect);
constexpr int kUpheld = static_cast<int>(AppealColumn::kUpheld);
constexpr int kCorrected = static_cast<int>(AppealColumn::kCorrected);
constexpr int kAppealTotal = static_cast<int>(AppealColumn::kTotal);

// Returns a report for `year` that satisfies checks 1-5: in category column c,
// carried_in is carried_in_base + c, the results sum to 9 + c (three of them
// 不予公开), carried_out is carried_out_base + c, and new balances the
// identity; the total column and the appeal totals are the sums.
AnnualReport ConsistentReport(int year, int64_t carried_in_base,
                              int64_t carried_out_base) {
  AnnualReport report;
  report.year = year;
  report.proactive.regulations = {.issued = 2, .repealed = 1, .in_force = 20};
  report.proactive.normative_documents = {
      .issued = 5, .repealed = 2, .in_force = 40};
  report.proactive.licensing = 3985758;
  report.proactive.penalty = 12;
  report.proactive.enforcement = 3;
  report.proactive.administrative_fees_fen = 96171600000;
  report.fee_applications = 1;
  report.fee_paid_fen = 10000;
  for (int c = 0; c < kTotalColumn; ++c) {
    report.cell(AppRow::kCarriedIn, c) = carried_in_base + c;
    report.cell(AppRow::kDisclosed, c) = 4 + c;
    report.cell(AppRow::kPartiallyDisclosed, c) = 2;
    report.cell(AppRow::kWithheldStateSecret, c) = 1;
    report.cell(AppRow::kUnavailableNotHeld, c) = 1;
    report.cell(AppRow::kOtherHandling, c) = 1;
    report.cell(AppRow::kResultsTotal, c) = 9 + c;
    report.cell(AppRow::kCarriedOut, c) = carried_out_base + c;
    report.cell(AppRow::kNew, c) =
        9 + c + carried_out_base + c - report.cell(AppRow::kCarriedIn, c);
  }
  for (auto& row : report.applications) {
    row[kTotalColumn] = 0;
    for (int c = 0; c < kTotalColumn; ++c) row[kTotalColumn] += row[c];
  }
  report.appeals[kReconsideration] = {2, 1, 1, 1, 5};
  report.appeals[static_cast<int>(
      AppealGroup::kLitigationAfterReconsideration)] = {1, 0, 0, 1, 2};
  return report;
}

// The report of 2024 and that of 2023 whose carried_out it carries in, with
// in_force continuous (20 = 19 + 2 - 1, 40 = 37 + 5 - 2).
AnnualReport ThisYear() { return ConsistentReport(2024, 1, 2); }
AnnualReport LastYear() {
  AnnualReport report = ConsistentReport(2023, 0, 1);
  report.proactive.regulations.in_force = 19;
  report.proactive.normative_documents.in_force = 37;
  return report;
}

// One line per finding: severity, rule and cell.
std::vector<std::string> Dump(const std::vector<Finding>& findings) {
  std::vector<std::string> lines;
  for (const Finding& finding : findings) {
    lines.push_back(absl::StrCat(
        finding.severity == Finding::Severity::kError ? "error " : "warning ",
        finding.rule, " ", finding.cell));
  }
  return lines;
}

TEST(CheckReportTest, ConsistentReportHasNoFindings) {
  EXPECT_THAT(Dump(CheckReport(ThisYear(), nullptr)), IsEmpty());
  EXPECT_THAT(Dump(CheckReport(LastYear(), nullptr)), IsEmpty());
}

TEST(CheckReportTest, EachBrokenRuleIsReportedWithItsCell) {
  struct {
    const char* name;
    void (*breaks)(AnnualReport&);
    std::vector<std::string> want;
  } const rows[] = {
      {"row categories do not sum to total (columns still balance)",
       [](AnnualReport& r) {
         r.cell(AppRow::kDisclosed, kNaturalPerson) += 1;
         r.cell(AppRow::kPartiallyDisclosed, kNaturalPerson) -= 1;
       },
       {"error 1 applications/disclosed/total",
        "error 1 applications/partially_disclosed/total"}},
      {"results_total is not the sum of the result rows",
       [](AnnualReport& r) {
         for (int c : {kNaturalPerson, kTotalColumn}) {
           r.cell(AppRow::kResultsTotal, c) += 1;
           r.cell(AppRow::kCarriedOut, c) -= 1;
         }
       },
       {"error 2 applications/results_total/natural_person",
        "error 2 applications/results_total/total"}},
      {"new + carried_in != results_total + carried_out",
       [](AnnualReport& r) {
         r.cell(AppRow::kNew, kCommercial) += 1;
         r.cell(AppRow::kNew, kTotalColumn) += 1;
       },
       {"error 3 applications/carried_out/commercial_enterprise",
        "error 3 applications/carried_out/total"}},
      {"appeal group total is not the sum of its results",
       [](AnnualReport& r) { r.appeals[kReconsideration][kAppealTotal] += 1; },
       {"error 4 appeals/reconsideration/total"}},
      {"negative decisions count",
       [](AnnualReport& r) { r.proactive.licensing = -1; },
       {"error 5 proactive/licensing/decisions"}},
      {"negative fee amount",
       [](AnnualReport& r) { r.proactive.administrative_fees_fen = -5; },
       {"error 5 proactive/administrative_fees/amount_wan_yuan"}},
      {"negative appeal count (total unchanged)",
       [](AnnualReport& r) {
         r.appeals[kReconsideration][kUpheld] -= 3;
         r.appeals[kReconsideration][kCorrected] += 3;
       },
       {"error 5 appeals/reconsideration/upheld"}},
      {"negative information-processing fee of part six",
       [](AnnualReport& r) { r.fee_paid_fen = -1; },
       {"error 5 fees/information_processing/amount_fen"}},
      {"direct suit in 2024 with withheld results",
       [](AnnualReport& r) {
         r.appeals[kDirect] = {0, 0, 1, 0, 1};
       },
       {"warning 9 appeals/litigation_direct/total"}},
      {"direct suit in 2023 is allowed",
       [](AnnualReport& r) {
         r.year = 2023;
         r.appeals[kDirect] = {0, 0, 1, 0, 1};
       },
       {}},
      {"direct suit in 2024 without withheld results",
       [](AnnualReport& r) {
         r.appeals[kDirect] = {1, 0, 0, 0, 1};
         for (int c = 0; c < kApplicationColumns; ++c) {
           r.cell(AppRow::kDisclosed, c) +=
               r.cell(AppRow::kWithheldStateSecret, c);
           r.cell(AppRow::kWithheldStateSecret, c) = 0;
         }
       },
       {}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    AnnualReport report = ThisYear();
    row.breaks(report);
    EXPECT_EQ(Dump(CheckReport(report, nullptr)), row.want);
  }
}

TEST(CheckReportTest, MessagesNameTheNumbers) {
  AnnualReport report = ThisYear();
  report.cell(AppRow::kNew, kNaturalPerson) += 1;
  report.cell(AppRow::kNew, kTotalColumn) += 1;
  std::vector<Finding> findings = CheckReport(report, nullptr);
  ASSERT_EQ(findings.size(), 2u);
  // natural_person: new 10 + 1, carried_in 1, results_total 9, carried_out 2.
  EXPECT_EQ(findings[0].message,
            "applications/new+carried_in (12) != results_total+carried_out "
            "(11) in column natural_person");

  report = ThisYear();
  report.appeals[kDirect] = {0, 0, 2, 0, 2};
  findings = CheckReport(report, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_THAT(findings[0].message,
              HasSubstr("direct suits in 2024 or later: reconsideration is "
                        "required first for 不予公开 answers since "
                        "2024-01-01; check that these suits were not against "
                        "such answers"));
  EXPECT_THAT(findings[0].message, HasSubstr("(2)"));
}

TEST(CheckReportTest, SumsBeyondInt64AreExact) {
  AnnualReport report;
  report.cell(AppRow::kDisclosed, kTotalColumn) = 9000000000000000000;
  report.cell(AppRow::kOtherHandling, kTotalColumn) = 9000000000000000000;
  std::vector<Finding> findings = CheckReport(report, nullptr);
  ASSERT_THAT(Dump(findings),
              ElementsAre("error 1 applications/disclosed/total",
                          "error 1 applications/other_handling/total",
                          "error 2 applications/results_total/total"));
  EXPECT_EQ(findings[2].message,
            "applications/results_total (0) != sum of the result rows "
            "(18000000000000000000) in column total");
}

TEST(CheckReportTest, CrossYearChecks) {
  struct {
    const char* name;
    void (*breaks)(AnnualReport& now, AnnualReport& before);
    std::vector<std::string> want;
  } const rows[] = {
      {"consistent pair", [](AnnualReport&, AnnualReport&) {}, {}},
      {"carried_out of last year differs in one category",
       [](AnnualReport&, AnnualReport& before) {
         for (AppRow row : {AppRow::kNew, AppRow::kCarriedOut}) {
           before.cell(row, kCommercial) += 1;
           before.cell(row, kTotalColumn) += 1;
         }
       },
       {"warning 6 applications/carried_in/commercial_enterprise",
        "warning 6 applications/carried_in/total"}},
      {"in_force above last year's plus issued minus repealed",
       [](AnnualReport& now, AnnualReport&) {
         now.proactive.regulations.in_force = 21;
       },
       {"warning 7 proactive/regulations/in_force"}},
      {"in_force below it: documents expired (P2)",
       [](AnnualReport& now, AnnualReport&) {
         now.proactive.normative_documents.in_force = 30;
       },
       {}},
      {"negative in_force is also a negative count",
       [](AnnualReport& now, AnnualReport&) {
         now.proactive.normative_documents.in_force = -1;
       },
       {"error 5 proactive/normative_documents/in_force",
        "warning 7 proactive/normative_documents/in_force"}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    AnnualReport now = ThisYear();
    AnnualReport before = LastYear();
    row.breaks(now, before);
    EXPECT_THAT(Dump(CheckReport(before, nullptr)), IsEmpty());
    EXPECT_EQ(Dump(CheckReport(now, &before)), row.want);
  }
}

TEST(CheckReportTest, CrossYearMessagesNameTheNumbers) {
  AnnualReport now = ThisYear();
  AnnualReport before = LastYear();
  now.proactive.regulations.in_force = 21;
  before.cell(AppRow::kCarriedOut, kNaturalPerson) = 7;
  std::vector<Finding> findings = CheckReport(now, &before);
  ASSERT_EQ(findings.size(), 2u);  // natural_person, regulations
  EXPECT_EQ(findings[0].message,
            "applications/carried_in (1) != carried_out of 2023 (7) in column "
            "natural_person");
  EXPECT_EQ(findings[1].message,
            "proactive/regulations/in_force (21) > in_force of 2023 (19) + "
            "issued (2) - repealed (1) = 20");
}

// A small consistent report as someone would type it: cells left out are 0.
constexpr char kTypedCsv[] =
    "section,row,column,value\n"
    "proactive,regulations,issued,2\n"
    "proactive,regulations,repealed,1\n"
    "proactive,regulations,in_force,20\n"
    "proactive,normative_documents,issued,5\n"
    "proactive,normative_documents,repealed,0\n"
    "proactive,normative_documents,in_force,41\n"
    "proactive,licensing,decisions,3985758\n"
    "proactive,penalty,decisions,12\n"
    "proactive,enforcement,decisions,0\n"
    "proactive,administrative_fees,amount_wan_yuan,96171.6\n"
    "applications,new,natural_person,10\n"
    "applications,new,legal_service_agency,1\n"
    "applications,new,total,11\n"
    "applications,carried_in,natural_person,2\n"
    "applications,carried_in,total,2\n"
    "applications,disclosed,natural_person,6\n"
    "applications,disclosed,total,6\n"
    "applications,withheld_state_secret,natural_person,1\n"
    "applications,withheld_state_secret,total,1\n"
    "applications,other_handling,natural_person,3\n"
    "applications,other_handling,legal_service_agency,1\n"
    "applications,other_handling,total,4\n"
    "applications,results_total,natural_person,10\n"
    "applications,results_total,legal_service_agency,1\n"
    "applications,results_total,total,11\n"
    "applications,carried_out,natural_person,2\n"
    "applications,carried_out,total,2\n"
    "appeals,reconsideration,upheld,1\n"
    "appeals,reconsideration,pending,1\n"
    "appeals,reconsideration,total,2\n"
    "appeals,litigation_after_reconsideration,corrected,1\n"
    "appeals,litigation_after_reconsideration,total,1\n";

AnnualReport TypedReport() {
  AnnualReport report;
  report.proactive.regulations = {.issued = 2, .repealed = 1, .in_force = 20};
  report.proactive.normative_documents = {
      .issued = 5, .repealed = 0, .in_force = 41};
  report.proactive.licensing = 3985758;
  report.proactive.penalty = 12;
  report.proactive.administrative_fees_fen = 96171600000;
  constexpr int kLegal = 4;
  report.cell(AppRow::kNew, kNaturalPerson) = 10;
  report.cell(AppRow::kNew, kLegal) = 1;
  report.cell(AppRow::kNew, kTotalColumn) = 11;
  report.cell(AppRow::kCarriedIn, kNaturalPerson) = 2;
  report.cell(AppRow::kCarriedIn, kTotalColumn) = 2;
  report.cell(AppRow::kDisclosed, kNaturalPerson) = 6;
  report.cell(AppRow::kDisclosed, kTotalColumn) = 6;
  report.cell(AppRow::kWithheldStateSecret, kNaturalPerson) = 1;
  report.cell(AppRow::kWithheldStateSecret, kTotalColumn) = 1;
  report.cell(AppRow::kOtherHandling, kNaturalPerson) = 3;
  report.cell(AppRow::kOtherHandling, kLegal) = 1;
  report.cell(AppRow::kOtherHandling, kTotalColumn) = 4;
  report.cell(AppRow::kResultsTotal, kNaturalPerson) = 10;
  report.cell(AppRow::kResultsTotal, kLegal) = 1;
  report.cell(AppRow::kResultsTotal, kTotalColumn) = 11;
  report.cell(AppRow::kCarriedOut, kNaturalPerson) = 2;
  report.cell(AppRow::kCarriedOut, kTotalColumn) = 2;
  report.appeals[kReconsideration] = {1, 0, 0, 1, 2};
  report.appeals[static_cast<int>(
      AppealGroup::kLitigationAfterReconsideration)] = {0, 1, 0, 0, 1};
  return report;
}

// The cells of the CSV contract as text, one "section/row/column=value" each.
std::string DumpCells(const AnnualReport& r) {
  const ProactiveTable& p = r.proactive;
  std::vector<std::string> cells = {
      absl::StrCat("regulations=", p.regulations.issued, ",",
                   p.regulations.repealed, ",", p.regulations.in_force),
      absl::StrCat("normative_documents=", p.normative_documents.issued, ",",
                   p.normative_documents.repealed, ",",
                   p.normative_documents.in_force),
      absl::StrCat("decisions=", p.licensing, ",", p.penalty, ",",
                   p.enforcement),
      absl::StrCat("fees_fen=", p.administrative_fees_fen)};
  for (int row = 0; row < kApplicationRows; ++row) {
    cells.push_back(absl::StrCat(ApplicationRowCode(static_cast<AppRow>(row)),
                                 "=", absl::StrJoin(r.applications[row], ",")));
  }
  for (int group = 0; group < kAppealGroups; ++group) {
    cells.push_back(
        absl::StrCat(AppealGroupCode(static_cast<AppealGroup>(group)), "=",
                     absl::StrJoin(r.appeals[group], ",")));
  }
  return absl::StrJoin(cells, "\n");
}

TEST(ParseReportCsvTest, TypedTableRoundTrips) {
  ASSERT_OK_AND_ASSIGN(TypedTable table, ParseReportCsv(kTypedCsv));
  EXPECT_THAT(Dump(table.findings), IsEmpty());
  EXPECT_EQ(DumpCells(table.report), DumpCells(TypedReport()));
  EXPECT_THAT(Dump(CheckReport(table.report, nullptr)), IsEmpty());
}

TEST(ParseReportCsvTest, AcceptsBomCrlfAndNoFinalNewline) {
  std::string csv = absl::StrCat(
      "\xEF\xBB\xBF", absl::StrReplaceAll(kTypedCsv, {{"\n", "\r\n"}}));
  csv.resize(csv.size() - 2);  // drop the final CRLF
  ASSERT_OK_AND_ASSIGN(TypedTable table, ParseReportCsv(csv));
  EXPECT_THAT(Dump(table.findings), IsEmpty());
  EXPECT_EQ(DumpCells(table.report), DumpCells(TypedReport()));
}

// Every cell of a full report, written out through the codes of the contract.
TEST(ParseReportCsvTest, FullTableRoundTrips) {
  const AnnualReport want = ThisYear();
  std::string csv = "section,row,column,value\n";
  const ProactiveTable& p = want.proactive;
  absl::StrAppend(&csv, "proactive,regulations,issued,", p.regulations.issued,
                  "\nproactive,regulations,repealed,", p.regulations.repealed,
                  "\nproactive,regulations,in_force,", p.regulations.in_force,
                  "\nproactive,normative_documents,issued,",
                  p.normative_documents.issued,
                  "\nproactive,normative_documents,repealed,",
                  p.normative_documents.repealed,
                  "\nproactive,normative_documents,in_force,",
                  p.normative_documents.in_force, "\n");
  absl::StrAppend(&csv, "proactive,licensing,decisions,", p.licensing,
                  "\nproactive,penalty,decisions,", p.penalty,
                  "\nproactive,enforcement,decisions,", p.enforcement,
                  "\nproactive,administrative_fees,amount_wan_yuan,96171.6\n");
  for (int row = 0; row < kApplicationRows; ++row) {
    for (int c = 0; c < kApplicationColumns; ++c) {
      absl::StrAppend(
          &csv, "applications,", ApplicationRowCode(static_cast<AppRow>(row)),
          ",", ApplicationColumnCode(c), ",", want.applications[row][c], "\n");
    }
  }
  for (int group = 0; group < kAppealGroups; ++group) {
    for (int c = 0; c < kAppealColumns; ++c) {
      absl::StrAppend(&csv, "appeals,",
                      AppealGroupCode(static_cast<AppealGroup>(group)), ",",
                      AppealColumnCode(static_cast<AppealColumn>(c)), ",",
                      want.appeals[group][c], "\n");
    }
  }
  ASSERT_OK_AND_ASSIGN(TypedTable table, ParseReportCsv(csv));
  EXPECT_THAT(Dump(table.findings), IsEmpty());
  EXPECT_EQ(DumpCells(table.report), DumpCells(want));
}

TEST(ParseReportCsvTest, MalformedLinesAreErrorsNamingTheLine) {
  constexpr char kHeader[] = "section,row,column,value\n";
  struct {
    const char* name;
    std::string csv;
    std::vector<std::string> want;  // substrings of the message
  } const rows[] = {
      {"empty input", "", {"line 1", "header"}},
      {"wrong header", "section,row,col,value\n", {"line 1", "header"}},
      {"a second header",
       absl::StrCat(kHeader, kHeader),
       {"line 2", "unknown section 'section'"}},
      {"three fields",
       absl::StrCat(kHeader, "proactive,licensing,decisions,1\n",
                    "applications,new,3\n"),
       {"line 3", "3 fields"}},
      {"five fields",
       absl::StrCat(kHeader, "applications,new,total,3,4\n"),
       {"line 2", "5 fields"}},
      {"unknown section",
       absl::StrCat(kHeader, "fees,new,total,1\n"),
       {"line 2", "unknown section 'fees'"}},
      {"unknown row",
       absl::StrCat(kHeader, "applications,withheld,total,1\n"),
       {"line 2", "unknown row 'withheld'"}},
      {"unknown column",
       absl::StrCat(kHeader, "applications,new,adult,1\n"),
       {"line 2", "unknown column 'adult'"}},
      {"column of another row",
       absl::StrCat(kHeader, "proactive,licensing,issued,1\n"),
       {"line 2", "unknown column 'issued' for proactive/licensing"}},
      {"appeal column of part three",
       absl::StrCat(kHeader, "appeals,reconsideration,natural_person,1\n"),
       {"line 2", "unknown column"}},
      {"word",
       absl::StrCat(kHeader, "applications,new,total,many\n"),
       {"line 2", "not a number"}},
      {"exponent count",
       absl::StrCat(kHeader, "applications,new,total,1e3\n"),
       {"line 2", "not a number"}},
      {"exponent amount",
       absl::StrCat(kHeader,
                    "proactive,administrative_fees,amount_wan_yuan,1e3\n"),
       {"line 2", "not a number"}},
      {"plus sign",
       absl::StrCat(kHeader, "applications,new,total,+3\n"),
       {"line 2", "not a number"}},
      {"hex",
       absl::StrCat(kHeader, "applications,new,total,0x10\n"),
       {"line 2", "not a number"}},
      {"bare dot",
       absl::StrCat(kHeader,
                    "proactive,administrative_fees,amount_wan_yuan,"
                    ".5\n"),
       {"line 2", "not a number"}},
      {"count beyond int64",
       absl::StrCat(kHeader, "applications,new,total,99999999999999999999\n"),
       {"line 2", "out of range"}},
      {"amount beyond int64 fen",
       absl::StrCat(kHeader,
                    "proactive,administrative_fees,amount_wan_yuan,"
                    "9223372036854.775808\n"),
       {"line 2", "out of range"}},
      {"repeated cell names both lines",
       absl::StrCat(kHeader, "applications,new,total,1\n",
                    "applications,new,natural_person,1\n",
                    "applications,new,total,1\n"),
       {"line 4", "applications/new/total", "line 2"}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    absl::StatusOr<TypedTable> table = ParseReportCsv(row.csv);
    ASSERT_THAT(table, StatusIs(absl::StatusCode::kInvalidArgument));
    for (const std::string& want : row.want) {
      EXPECT_THAT(table.status().message(), HasSubstr(want));
    }
  }
}

TEST(ParseReportCsvTest, BadCountsAreRuleFiveFindings) {
  struct {
    const char* name;
    const char* line;
    const char* cell;
    int64_t want_value;
    const char* want_message;
  } const rows[] = {
      {"negative count", "applications,new,natural_person,-3",
       "applications/new/natural_person", 0, "negative count -3, set to 0"},
      {"fractional count", "applications,disclosed,total,3.5",
       "applications/disclosed/total", 3,
       "fractional count 3.5, truncated to 3"},
      {"blank count", "appeals,reconsideration,pending,",
       "appeals/reconsideration/pending", 0, "blank count, set to 0"},
      {"blank count with spaces", "proactive,licensing,decisions,  ",
       "proactive/licensing/decisions", 0, "blank count, set to 0"},
      {"negative fractional count", "proactive,regulations,in_force,-0.5",
       "proactive/regulations/in_force", 0, "negative count -0.5, set to 0"},
      {"negative amount", "proactive,administrative_fees,amount_wan_yuan,-5",
       "proactive/administrative_fees/amount_wan_yuan", 0,
       "negative amount -5, set to 0"},
      {"blank amount", "proactive,administrative_fees,amount_wan_yuan,",
       "proactive/administrative_fees/amount_wan_yuan", 0,
       "blank amount, set to 0"},
      {"amount finer than a fen",
       "proactive,administrative_fees,amount_wan_yuan,1.1234567",
       "proactive/administrative_fees/amount_wan_yuan", 1123456,
       "more than 6 decimals, truncated to 1.123456"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    ASSERT_OK_AND_ASSIGN(TypedTable table,
                         ParseReportCsv(absl::StrCat(
                             "section,row,column,value\n",
                             "applications,new,total,0\n", row.line, "\n")));
    ASSERT_EQ(table.findings.size(), 1u);
    const Finding& finding = table.findings[0];
    EXPECT_EQ(finding.rule, 5);
    EXPECT_EQ(finding.severity, Finding::Severity::kError);
    EXPECT_EQ(finding.cell, row.cell);
    EXPECT_THAT(finding.message, HasSubstr(row.want_message));
    EXPECT_THAT(finding.message, HasSubstr("line 3"));

    const std::string cell = row.cell;
    AnnualReport& got = table.report;
    int64_t value = 0;
    if (cell == "applications/new/natural_person") {
      value = got.cell(AppRow::kNew, kNaturalPerson);
    } else if (cell == "applications/disclosed/total") {
      value = got.cell(AppRow::kDisclosed, kTotalColumn);
    } else if (cell == "appeals/reconsideration/pending") {
      value = got.appeals[kReconsideration]
                         [static_cast<int>(AppealColumn::kPending)];
    } else if (cell == "proactive/licensing/decisions") {
      value = got.proactive.licensing;
    } else if (cell == "proactive/regulations/in_force") {
      value = got.proactive.regulations.in_force;
    } else {
      value = got.proactive.administrative_fees_fen;
    }
    EXPECT_EQ(value, row.want_value);
  }
}

TEST(ParseReportCsvTest, AmountsParseExactlyToFen) {
  struct {
    const char* text;
    int64_t want_fen;
  } const rows[] = {
      {"0", 0},
      {"96171.6", 96171600000},
      {"5949.088667", 5949088667},
      {"0.000001", 1},
      {"12", 12000000},
      {"12.50", 12500000},
      {"1.5000000", 1500000},  // zeros beyond a fen lose nothing
      {"-0", 0},
      {"9223372036854.775807", 9223372036854775807},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    ASSERT_OK_AND_ASSIGN(
        TypedTable table,
        ParseReportCsv(absl::StrCat(
            "section,row,column,value\n",
            "proactive,administrative_fees,amount_wan_yuan,", row.text, "\n")));
    EXPECT_THAT(Dump(table.findings), IsEmpty());
    EXPECT_EQ(table.report.proactive.administrative_fees_fen, row.want_fen);
  }
}

TEST(ParseReportCsvTest, FindingsFollowTheLineOrder) {
  ASSERT_OK_AND_ASSIGN(TypedTable table,
                       ParseReportCsv("section,row,column,value\n"
                                      "applications,new,total,-1\n"
                                      "\n"
                                      "applications,carried_in,total,2.5\n"));
  EXPECT_THAT(Dump(table.findings),
              ElementsAre("error 5 applications/new/total",
                          "error 5 applications/carried_in/total"));
  EXPECT_THAT(table.findings[1].message, HasSubstr("line 4"));
}

}  // namespace
}  // namespace ogi
