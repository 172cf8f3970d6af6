// dated_store: a store whose events were recorded on the days they happened,
// for measuring what depends on recordedAt (a report as of a past instant and
// its diff: docs/CONSOLE.md, Speed).
//
//   dated_store --db DIR [--agencies 20] [--years 2015..2024]
//   [--cases-per-year 540000] [--seed 11]
//
// `ogi import` records a whole file at one instant, and appends are recorded
// by the system clock, so a store built either way has every event recorded
// today. This tool appends the generated log (gen/gen_log.h) through the
// store's one write path in batches of 10,000, with the store's clock set to
// noon of the batch's latest effective date: "as of 2024-01-31" then means
// what was entered by that day. A tool for measurements only: an agency's
// recordedAt always comes from the system clock.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "gen/gen_log.h"

namespace {

// The instant the store records at, set before each batch.
class SetClock final : public ogi::Clock {
 public:
  absl::Time Now() override { return now_; }
  void SetDay(absl::CivilDay day) {
    const absl::Time noon = absl::FromCivil(absl::CivilSecond(day) + 12 * 3600,
                                            ogi::AgencyTimeZone());
    if (noon > now_) now_ = noon;
  }

 private:
  absl::Time now_ = absl::InfinitePast();
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("dated_store: a generated store recorded on its events' days");
  std::string db, years = "2015..2024";
  ogi::GenOptions gen;
  gen.agencies = 20;
  gen.cases_per_year = 540000;
  gen.seed = 11;
  app.add_option("--db", db, "the store to create (must not exist)")
      ->required();
  app.add_option("--agencies", gen.agencies);
  app.add_option("--years", years, "FIRST..LAST");
  app.add_option("--cases-per-year", gen.cases_per_year);
  app.add_option("--seed", gen.seed);
  CLI11_PARSE(app, argc, argv);
  if (absl::Status parsed = ogi::ParseYears(years, gen); !parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.ToString().c_str());
    return 2;
  }
  if (ogi::EventStore::Exists(db)) {
    std::fprintf(stderr, "%s exists\n", db.c_str());
    return 2;
  }
  SetClock clock;
  auto store = ogi::EventStore::Open({.path = db, .clock = &clock});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const absl::Time start = absl::Now();
  std::vector<ogi::v1::Event> batch;
  absl::CivilDay latest;
  uint64_t appended = 0;
  absl::Status failed;
  auto flush = [&] {
    if (batch.empty() || !failed.ok()) return;
    clock.SetDay(latest);
    auto done = (*store)->Append(batch);
    if (!done.ok()) failed = done.status();
    appended += batch.size();
    batch.clear();
  };
  ogi::GenerateLog(gen, [&](absl::string_view line) {
    if (!failed.ok()) return;
    auto event = ogi::ParseEventJson(line, ogi::EngineFields::kRefuse);
    if (!event.ok()) {
      failed = event.status();
      return;
    }
    absl::StatusOr<absl::CivilDay> day =
        ogi::ParseCivilDay(event->occurred_on());
    if (day.ok() && *day > latest) latest = *day;
    batch.push_back(*std::move(event));
    if (batch.size() == 10000) flush();
  });
  flush();
  if (!failed.ok()) {
    std::fprintf(stderr, "%s\n", failed.ToString().c_str());
    return 1;
  }
  std::printf("%llu events in %.1f s\n",
              static_cast<unsigned long long>(appended),
              absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}
