// The fee a fee notice should state (docs/FEES.md), from the store.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_READ_FEE_QUOTE_H_
#define OGI_READ_FEE_QUOTE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

#include "engine/event_store.h"

namespace ogi {

enum class FeeMethod { kPerApplication, kPerPage };

struct FeeQuote {
  int64_t fee_fen = 0;
  // Per application: this case's numbers in the applicant's month (a
  // multi-item application has several) and the month's applications.
  int64_t first = 0;
  int64_t count = 0;
  size_t month_cases = 0;
  std::string derivation;  // a sentence, with no personal data
};

// The fee a notice for this case should state (docs/FEES.md). Per application:
// the applicant's applications to the case's agency in the calendar month of
// its receipt, found by ID number (or, without one, name) through the blind
// tokens, ordered by receipt date and position; kFailedPrecondition if the
// applicant cannot be identified. kNotFound for an unknown case.
// Per page: kInvalidArgument without `pages` (nothing to count), or with
// fewer than 0.
absl::StatusOr<FeeQuote> QuoteFee(EventStore& store, const std::string& case_id,
                                  FeeMethod method,
                                  std::optional<int64_t> pages);

// "case ID: Y.YY yuan (N fen)" and the derivation on a second line.
std::string FormatFeeQuote(const std::string& case_id, const FeeQuote& quote);

}  // namespace ogi

#endif  // OGI_READ_FEE_QUOTE_H_
