// The table of tools/bench; see bench_table.h.
#include "tools/bench_table.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

#include "tools/bench_util.h"

namespace ogi {
namespace {

std::string Format(double value, const Figure& figure) {
  const std::string number =
      figure.decimals == 0 ? Thousands(value)
                           : absl::StrFormat("%.*f", figure.decimals, value);
  return number + figure.unit;
}

// Targets are round numbers: "50 ms", "1 ms", "500,000".
std::string FormatBound(double bound, const Figure& figure) {
  return absl::StrCat(
      bound >= 1000 ? Thousands(bound) : absl::StrFormat("%g", bound),
      figure.unit);
}

std::string FormatRatio(double ratio) {
  if (ratio < 0.1) return absl::StrFormat("%.3f×", ratio);
  return absl::StrFormat(ratio < 10 ? "%.2f×" : "%.0f×", ratio);
}

}  // namespace

Figure Rate(std::string measure, std::optional<double> ogi,
            std::optional<double> sqlite, std::optional<double> bound) {
  Figure figure;
  figure.measure = std::move(measure);
  figure.ogi = ogi;
  figure.sqlite = sqlite;
  figure.bound = bound;
  return figure;
}

Figure Cost(std::string measure, std::optional<double> ogi,
            std::optional<double> sqlite, std::string unit, int decimals,
            std::optional<double> bound, double min_ratio) {
  Figure figure = Rate(std::move(measure), ogi, sqlite, bound);
  figure.better = Better::kLower;
  figure.unit = std::move(unit);
  figure.decimals = decimals;
  figure.min_ratio = min_ratio;
  return figure;
}

BenchRow MakeRow(const Figure& figure) {
  BenchRow row;
  row.measure = figure.measure;
  row.ogi = figure.ogi ? Format(*figure.ogi, figure) : "not measured";
  if (figure.sqlite) row.sqlite = Format(*figure.sqlite, figure);
  std::vector<std::string> targets;
  bool met = true;
  if (figure.bound) {
    const bool higher = figure.better == Better::kHigher;
    targets.push_back(
        absl::StrCat(higher ? "≥ " : "< ", FormatBound(*figure.bound, figure)));
    met = figure.ogi &&
          (higher ? *figure.ogi >= *figure.bound : *figure.ogi < *figure.bound);
  }
  if (figure.sqlite) {
    targets.push_back(figure.min_ratio > 1
                          ? absl::StrFormat("× ≥ %g", figure.min_ratio)
                          : "× > 1");
    if (figure.ogi && *figure.ogi > 0 && *figure.sqlite > 0) {
      const double ratio = figure.better == Better::kHigher
                               ? *figure.ogi / *figure.sqlite
                               : *figure.sqlite / *figure.ogi;
      row.ratio = FormatRatio(ratio);
      met = met && ratio > 1 && ratio >= figure.min_ratio;
    } else {
      met = false;
    }
  }
  row.target = absl::StrJoin(targets, ", ");
  if (!targets.empty()) row.verdict = met ? "✔" : "✘";
  return row;
}

std::string RenderTable(const std::vector<BenchRow>& rows) {
  std::string out =
      "| measure | ogi | SQLite | ogi vs SQLite (× better) | target | |\n"
      "|---|---:|---:|---:|---|---|\n";
  for (const BenchRow& row : rows) {
    absl::StrAppend(&out, "| ", row.measure, " | ", row.ogi, " | ", row.sqlite,
                    " | ", row.ratio, " | ", row.target, " | ", row.verdict,
                    " |\n");
  }
  return out;
}

}  // namespace ogi
