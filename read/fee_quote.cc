#include "read/fee_quote.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

#include "engine/fees.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/personal_data.h"
#include "engine/status_macros.h"
#include "read/case_scan.h"

namespace ogi {
namespace {

// The effective `received` of a case: version 1 with its amendments
// applied in order (whole or partial), or nullopt.
std::optional<v1::Received> EffectiveReceived(
    const std::vector<v1::Event>& events) {
  if (events.empty() || !events.front().has_received()) return std::nullopt;
  v1::Event effective = events.front();
  for (const v1::Event& e : events) {
    if (e.has_amended() && e.amended().version() == 1 &&
        e.amended().has_received())
      effective = ApplyAmendment(effective, e);
  }
  return effective.received();
}

}  // namespace

absl::StatusOr<FeeQuote> QuoteFee(EventStore& store, const std::string& case_id,
                                  FeeMethod method,
                                  std::optional<int64_t> pages) {
  FeeQuote quote;
  if (method == FeeMethod::kPerPage) {
    if (!pages.has_value()) {
      return absl::InvalidArgumentError(Text(Msg::kPerPageNeedsPages, case_id));
    }
    if (*pages < 0)
      return absl::InvalidArgumentError(Text(Msg::kPagesNegative));
    OGI_RETURN_IF_ERROR(LoadCase(store, case_id).status());
    quote.fee_fen = PerPageFeeFen(*pages);
    quote.derivation = absl::StrCat(
        *pages,
        " pages: 1-30 free, 31-100 at 10 yuan, 101-200 at 20 yuan, "
        "201 and more at 40 yuan a page (国办函〔2020〕109号).");
    return quote;
  }
  std::vector<v1::Event> events;
  OGI_ASSIGN_OR_RETURN(CaseState state, LoadCase(store, case_id, &events));
  const std::optional<v1::Received> received = EffectiveReceived(events);
  if (!received.has_value() || received->applicant().personal_data_erased() ||
      (received->applicant().id_number().empty() &&
       received->applicant().name().empty())) {
    return absl::FailedPreconditionError(
        Text(Msg::kFeeApplicantUnknown, case_id));
  }
  const v1::Applicant& applicant = received->applicant();
  const bool by_id = !applicant.id_number().empty();
  const absl::CivilDay day = state.facts.received_on;
  OGI_ASSIGN_OR_RETURN(
      std::vector<std::string> cases,
      store.CasesOfApplicant(by_id ? applicant.id_number() : applicant.name()));
  struct Application {
    absl::CivilDay on;
    uint64_t position;
    std::string id;
    int64_t items;
  };
  std::vector<Application> month;
  for (const std::string& id : cases) {
    std::vector<v1::Event> other;
    OGI_ASSIGN_OR_RETURN(CaseState s, LoadCase(store, id, &other));
    if (s.agency_id != state.agency_id) continue;
    const absl::CivilDay on = s.facts.received_on;
    if (on.year() != day.year() || on.month() != day.month()) continue;
    month.push_back({on, other.front().position(), id,
                     std::max<int64_t>(1, s.facts.items)});
  }
  std::sort(month.begin(), month.end(), [](const auto& a, const auto& b) {
    return std::tie(a.on, a.position) < std::tie(b.on, b.position);
  });
  int64_t first = 1;
  for (const Application& a : month) {
    if (a.id == case_id) {
      quote.first = first;
      quote.count = a.items;
      break;
    }
    first += a.items;
  }
  quote.month_cases = month.size();
  quote.fee_fen = PerApplicationFeesFen(quote.first, quote.count);
  quote.derivation = absl::StrCat(
      "The applicant (identified by ", by_id ? "ID number" : "name", ") made ",
      month.size(), " application(s) to ", state.agency_id, " in ",
      absl::FormatCivilTime(absl::CivilMonth(day)).substr(0, 7), "; this is ",
      quote.count == 1 ? absl::StrCat("number ", quote.first)
                       : absl::StrCat("numbers ", quote.first, "-",
                                      quote.first + quote.count - 1),
      ". Numbers 1-10 are free, 11-30 cost 100 yuan, 31-40 200 yuan, then "
      "100 yuan more for each further 10 (国办函〔2020〕109号).");
  return quote;
}

std::string FormatFeeQuote(const std::string& case_id, const FeeQuote& quote) {
  return absl::StrCat(
      Text(Msg::kFeeQuoteLine, case_id,
           absl::StrFormat("%d.%02d", quote.fee_fen / 100, quote.fee_fen % 100),
           quote.fee_fen),
      "\n  ", quote.derivation, "\n");
}

}  // namespace ogi
