// The statistics projection; see store_stats.h.
#include "projections/store_stats.h"

#include "engine/payload.h"

namespace ogi {

absl::Status StoreStatsProjection::Apply(const v1::Event& event) {
  checkpoint_ = event.position();
  ++events_by_payload_[std::string(PayloadName(event.payload_case()))];
  if (first_date_.empty() || event.occurred_on() < first_date_)
    first_date_ = event.occurred_on();
  if (event.occurred_on() > last_date_) last_date_ = event.occurred_on();
  if (!IsCasePayload(event.payload_case())) return absl::OkStatus();
  bool& concluded = concluded_[event.case_id()];
  if (!concluded && (event.has_answered() || event.has_withdrawn())) {
    concluded = true;
    ++concluded_count_;
  }
  return absl::OkStatus();
}

}  // namespace ogi
