// The one way to load a stream's state from a store: read its events and fold
// them with the same ApplyCaseChange / ApplyAgencyEvent the write path uses.
// The engine's state cache, the report index and the read commands all load
// cases and agencies through these.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_ENGINE_LOAD_STATE_H_
#define OGI_ENGINE_LOAD_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "engine/event_store.h"

namespace ogi {

// Returns the case as of just before log position `before` (every event of its
// stream stored at a lower position); the whole stream by default. A case with
// no events gives an empty state (version 0).
// If `positions` is set, it receives the log position of each event folded
// (index = version - 1).
absl::StatusOr<CaseState> LoadCaseState(
    EventStore& store, const std::string& case_id, uint64_t before = UINT64_MAX,
    std::vector<uint64_t>* positions = nullptr);

// The same for an agency's stream.
absl::StatusOr<AgencyState> LoadAgencyState(EventStore& store,
                                            const std::string& agency_id,
                                            uint64_t before = UINT64_MAX);

}  // namespace ogi

#endif  // OGI_ENGINE_LOAD_STATE_H_
