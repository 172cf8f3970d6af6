// `ogi deadline`, `ogi due` and `ogi fee quote`: the read side's answers
// (read/deadlines.h, read/fee_quote.h), printed; see commands.h.
#include <ostream>

#include "cli/commands.h"

#include "engine/status_macros.h"

namespace ogi {

absl::Status DeadlineCommand(EventStore& store, const std::string& case_id,
                             const Calendar& calendar, absl::CivilDay today,
                             OutputFormat format, std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(Deadline d,
                       CaseDeadline(store, case_id, calendar, today));
  out << RenderDeadline(case_id, d, calendar, today, format);
  return absl::OkStatus();
}

absl::Status DueCommand(EventStore& store, const DueOptions& options,
                        const Calendar& calendar, std::ostream& out,
                        OutputFormat format) {
  OGI_ASSIGN_OR_RETURN(std::vector<DueRow> rows,
                       DueList(store, options, calendar));
  out << RenderDueList(rows, options.today, format);
  return absl::OkStatus();
}

absl::Status FeeQuoteCommand(EventStore& store, const std::string& case_id,
                             FeeMethod method, std::optional<int64_t> pages,
                             std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(FeeQuote quote, QuoteFee(store, case_id, method, pages));
  out << FormatFeeQuote(case_id, quote);
  return absl::OkStatus();
}

}  // namespace ogi
