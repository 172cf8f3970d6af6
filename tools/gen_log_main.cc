// gen_log: writes a generated log (gen/gen_log.h) as JSON Lines to a file or
// standard output.
//
//   gen_log --agencies 5 --years 2020..2024 --cases-per-year 10000 --seed 1
//   [--out FILE]
#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"

#include "engine/civil_date.h"
#include "gen/gen_log.h"

int main(int argc, char** argv) {
  CLI::App app{"gen_log: a deterministic, realistic ogi log as JSON Lines"};
  ogi::GenOptions options;
  std::string years = "2020..2024";
  std::string out;
  std::string until;
  app.add_option("--agencies", options.agencies,
                 "number of agencies (a tree under one root)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--years", years, "first..last year, e.g. 2020..2024");
  app.add_option("--cases-per-year", options.cases_per_year,
                 "applications per year over all agencies")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  app.add_option("--seed", options.seed, "random seed");
  app.add_option("--until", until,
                 "no event after this date YYYY-MM-DD (default: 120 days after "
                 "the last year)");
  app.add_option("--out", out, "output file (default: standard output)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (absl::Status parsed = ogi::ParseYears(years, options); !parsed.ok()) {
    std::fprintf(stderr, "gen_log: %s\n",
                 std::string(parsed.message()).c_str());
    return 2;
  }
  if (!until.empty()) {
    auto day = ogi::ParseCivilDay(until);
    if (!day.ok()) {
      std::fprintf(stderr, "gen_log: --until: %s\n",
                   std::string(day.status().message()).c_str());
      return 2;
    }
    options.until = *day;
  }
  absl::StatusOr<uint64_t> events = ogi::GenCommand(options, out, std::cout);
  std::cout.flush();
  if (!events.ok()) {
    std::fprintf(stderr, "gen_log: %s\n",
                 std::string(events.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "gen_log: %llu events\n",
               static_cast<unsigned long long>(*events));
  return 0;
}
