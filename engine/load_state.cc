// Loading a stream's state; see load_state.h.
#include "engine/load_state.h"

#include <vector>

#include "engine/status_macros.h"

namespace ogi {

absl::StatusOr<CaseState> LoadCaseState(EventStore& store,
                                        const std::string& case_id,
                                        uint64_t before,
                                        std::vector<uint64_t>* positions) {
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store.ReadStream({StreamId::Kind::kCase, case_id}));
  CaseState state;
  for (const v1::Event& event : events) {
    if (event.position() >= before) break;
    ApplyCaseChange(state, CaseChangeOf(event), event.agency_id());
    if (positions != nullptr) positions->push_back(event.position());
  }
  return state;
}

absl::StatusOr<AgencyState> LoadAgencyState(EventStore& store,
                                            const std::string& agency_id,
                                            uint64_t before) {
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store.ReadStream({StreamId::Kind::kAgency, agency_id}));
  AgencyState state;
  for (const v1::Event& event : events) {
    if (event.position() >= before) break;
    ApplyAgencyEvent(state, event);
  }
  return state;
}

}  // namespace ogi
