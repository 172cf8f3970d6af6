// A deterministic generator of realistic ogi logs (JSON Lines), for benchmarks,
// demos and property tests.
//
// Shape: an agency tree (one root government, departments below it, some with
// sub-units); applications spread over each year with a seasonal curve;
// applicant categories and outcomes in the proportions of published reports
// (mostly natural persons; about half disclosed in whole or part, a quarter
// "not held"); corrections, consultations, extensions, fees, reviews,
// withdrawals, archives, appeals and amendments in plausible proportions;
// year-end carry-over arises from the dates. Events are emitted in
// effective-date order, streamed through a queue of scheduled steps, so memory
// grows with open cases, not with the log.
#ifndef OGI_GEN_GEN_LOG_H_
#define OGI_GEN_GEN_LOG_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace ogi {

struct GenOptions {
  int agencies = 5;  // at least 1: the root government
  int first_year = 2020;
  int last_year = 2024;
  int64_t cases_per_year = 10000;  // over all agencies
  uint64_t seed = 1;
  // No event is dated after this day (cases still open then stay open).
  // Default: 120 days after the last year.
  absl::CivilDay until = absl::CivilDay(0, 1, 1);
};

// Calls `emit` with each line (no newline) in order. Returns the number of
// events.
uint64_t GenerateLog(const GenOptions& options,
                     const std::function<void(absl::string_view)>& emit);

// Sets options.first_year and last_year from "FIRST..LAST"; kInvalidArgument
// otherwise.
absl::Status ParseYears(absl::string_view text, GenOptions& options);

// Writes the generated log as JSON Lines to `path` ("" or "-":
// `out`), streaming, and returns the number of events. kUnavailable if the
// file cannot be written.
absl::StatusOr<uint64_t> GenCommand(const GenOptions& options,
                                    const std::string& path, std::ostream& out);

}  // namespace ogi

#endif  // OGI_GEN_GEN_LOG_H_
