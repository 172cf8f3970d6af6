// The agency stream's rules: registration in the agency tree, renames, and the
// documents whose issue, repeal and expiry part 二 of the report counts. Like
// case_state.h, Decide checks and Apply folds, and replay uses Apply.
//
// Not thread-safe: an AgencyState is owned by one thread at a time.
#ifndef OGI_ENGINE_AGENCY_STATE_H_
#define OGI_ENGINE_AGENCY_STATE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

#include "proto/event.pb.h"

namespace ogi {

struct AgencyState {
  enum class DocumentStatus { kInForce, kRepealed, kExpired };
  uint32_t version = 0;  // number of events in the stream; 0 = not registered
  std::string name;
  std::string parent_id;
  absl::flat_hash_map<std::string, DocumentStatus> documents;
};

// Returns OK if `event` (an agency event that passed ValidateEvent) may be
// appended to an agency in `state`; `parent_registered` says whether
// agencyRegistered's parentId names a registered agency. Refusals:
//   kAlreadyExists       agencyRegistered on a registered agency;
//   documentIssued with a used documentId; kNotFound            any other event
//   on an unregistered agency; a parentId that is not registered;
//                        a repeal or expiry of a document never issued;
//   kFailedPrecondition  a repeal or expiry of a document already repealed or
//   expired.
absl::Status DecideAgencyEvent(const AgencyState& state, const v1::Event& event,
                               bool parent_registered);

// Folds an accepted agency event into `state` (version + 1).
void ApplyAgencyEvent(AgencyState& state, const v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_AGENCY_STATE_H_
