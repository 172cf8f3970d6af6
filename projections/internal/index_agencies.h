// The report index's agencies. Each agency event is folded by the engine's own
// ApplyAgencyEvent (engine/agency_state.h), the same fold the write path and
// the replaying report use, over the agency's state loaded from its stream at
// its first event in a catch-up; what the event changed is then written to the
// saved figures. Never included outside projections/.
#ifndef OGI_PROJECTIONS_INTERNAL_INDEX_AGENCIES_H_
#define OGI_PROJECTIONS_INTERNAL_INDEX_AGENCIES_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

#include "engine/agency_state.h"
#include "engine/event_store.h"
#include "proto/report_index.pb.h"

namespace ogi::projections_internal {

class IndexAgencies {
 public:
  // `store` and `saved` must outlive this.
  IndexAgencies(EventStore& store, v1::ReportIndexState& saved)
      : store_(store), saved_(saved) {}

  // Folds the agency event `e` (its position set) into the saved figures.
  // kDataLoss (or the store's error) if the agency's stream cannot be read.
  absl::Status Fold(const v1::Event& e);

 private:
  EventStore& store_;
  v1::ReportIndexState& saved_;
  absl::flat_hash_map<std::string, AgencyState> states_;  // loaded so far
};

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_INDEX_AGENCIES_H_
