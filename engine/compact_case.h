// A concluded case as a catch-up keeps it: its id, its agency and its steps in
// a varint encoding of ~8 bytes a step, about a tenth of the CaseState it
// folds back into. Never included outside projections/.
//
// Layout: varint id length, id, varint agency length, agency, then each event's
// step in the engine's compact step encoding (case_step_codec.h), in version
// order.
// Only cases without an amendment are kept this way: for them every event's
// change is its step alone, so the steps, folded in order through
// ApplyCaseChange, give the state the case's stream gives.
#ifndef OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_
#define OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

#include "engine/case_state.h"
#include "engine/case_step_codec.h"

namespace ogi::projections_internal {

// Returns whether `state` can be kept compact: no step is an amendment.
inline bool IsCompactable(const CaseState& state) {
  for (const CaseStep& step : state.steps) {
    if (step.payload == v1::Event::kAmended) return false;
  }
  return true;
}

// Returns the encoding of case `id` in `state`. REQUIRES:
// IsCompactable(state).
inline std::string EncodeCase(absl::string_view id, const CaseState& state) {
  std::string out;
  // One step spare: most concluded cases are archived later.
  out.reserve(id.size() + state.agency_id.size() + 2 +
              8 * (state.steps.size() + 1));
  AppendLengthPrefixed(out, id);
  AppendLengthPrefixed(out, state.agency_id);
  for (const CaseStep& step : state.steps) AppendCompactStep(out, step);
  return out;
}

// Returns the id of an encoded case (a view into `encoded`).
inline absl::string_view IdOfCase(absl::string_view encoded) {
  const char* p = encoded.data();
  return ReadLengthPrefixed(p);
}

// Returns the state the encoded case folds into.
inline CaseState DecodeCase(absl::string_view encoded) {
  const char* p = encoded.data();
  const char* const end = p + encoded.size();
  (void)ReadLengthPrefixed(p);  // the id
  const std::string agency(ReadLengthPrefixed(p));
  CaseState state;
  while (p < end)
    ApplyCaseChange(state, CaseChange{ReadCompactStep(p), std::nullopt, false},
                    agency);
  return state;
}

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_
