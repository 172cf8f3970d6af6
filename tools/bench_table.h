// The table tools/bench prints: one row per measure, ogi's figure beside
// SQLite's, their ratio oriented so that above 1 means ogi does better, and the
// issue's target with ✔ or ✘.
//
// Thread-compatible (plain values and functions).
#ifndef OGI_TOOLS_BENCH_TABLE_H_
#define OGI_TOOLS_BENCH_TABLE_H_

#include <optional>
#include <string>
#include <vector>

namespace ogi {

// Which way a measure improves: rates go up; latencies, memory and bytes go
// down (for these the ratio is SQLite's figure over ogi's).
enum class Better { kHigher, kLower };

struct Figure {
  std::string measure;
  std::optional<double> ogi;     // nullopt: not measured in this run
  std::optional<double> sqlite;  // nullopt: no SQLite counterpart
  Better better = Better::kHigher;
  std::string unit;  // appended to each figure, e.g. " ms"
  int decimals = 0;  // 0: integer with thousands separators
  // The target on ogi's own figure: at least this (kHigher) or below it
  // (kLower); nullopt: none.
  std::optional<double> bound;
  // The target on the ratio, when there is a SQLite figure: above 1, and at
  // least this.
  double min_ratio = 1;
};

// Returns a rate figure (Better::kHigher, integer): appends/s, events/s.
Figure Rate(std::string measure, std::optional<double> ogi,
            std::optional<double> sqlite,
            std::optional<double> bound = std::nullopt);

// Returns a cost figure (Better::kLower): a time, memory or size in `unit`.
Figure Cost(std::string measure, std::optional<double> ogi,
            std::optional<double> sqlite, std::string unit, int decimals,
            std::optional<double> bound = std::nullopt, double min_ratio = 1);

struct BenchRow {
  std::string measure;
  std::string ogi;
  std::string sqlite;
  std::string ratio;
  std::string target;
  std::string verdict;  // "✔", "✘", or empty when there is no target
};

// Returns the row of `figure`: formatted figures, ratio, target and verdict
// (✘ if a figure the target needs was not measured).
BenchRow MakeRow(const Figure& figure);

// Returns the rows as a Markdown table, with a header row.
std::string RenderTable(const std::vector<BenchRow>& rows);

}  // namespace ogi

#endif  // OGI_TOOLS_BENCH_TABLE_H_
