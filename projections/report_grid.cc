// The three tables of report_grid.h as Grids, in the official layout.
#include "projections/internal/report_grid.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ogi {
namespace report_grid {
namespace {

constexpr absl::string_view kContent = "信息内容";
constexpr absl::string_view kDecisions = "本年处理决定数量";
constexpr absl::string_view kCrossCheckNote =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
constexpr absl::string_view kAppealColumnLabels[kAppealColumns] = {
    "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"};

}  // namespace

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

std::vector<Grid> AppealsTextGrids(const AnnualReport& report) {
  Grid review;
  review.header_rows = 2;
  review.Add(0, 0, 1, kAppealColumns, CellKind::kHeader, "行政复议");
  for (int k = 0; k < kAppealColumns; ++k)
    review.Add(1, k, 1, 1, CellKind::kHeader, kAppealColumnLabels[k]);
  for (int k = 0; k < kAppealColumns; ++k)
    review.Number(2, k, 1, report.appeals[0][k]);
  Grid litigation;
  litigation.header_rows = 3;
  litigation.Add(0, 0, 1, 2 * kAppealColumns, CellKind::kHeader, "行政诉讼");
  litigation.Add(1, 0, 1, kAppealColumns, CellKind::kHeader,
                 "未经复议直接起诉");
  litigation.Add(1, kAppealColumns, 1, kAppealColumns, CellKind::kHeader,
                 "复议后起诉");
  for (int group = 1; group < kAppealGroups; ++group) {
    for (int k = 0; k < kAppealColumns; ++k) {
      litigation.Add(2, (group - 1) * kAppealColumns + k, 1, 1,
                     CellKind::kHeader, kAppealColumnLabels[k]);
    }
  }
  for (int group = 1; group < kAppealGroups; ++group) {
    for (int k = 0; k < kAppealColumns; ++k) {
      litigation.Number(3, (group - 1) * kAppealColumns + k, 1,
                        report.appeals[group][k]);
    }
  }
  std::vector<Grid> grids;
  grids.push_back(std::move(review));
  grids.push_back(std::move(litigation));
  return grids;
}

}  // namespace report_grid
}  // namespace ogi
