// A case in a few bytes a step: its id, its agency and its steps, which fold
// back into the CaseState they came from. Two holders keep cases this way:
// a catch-up of the report index (its ring of recently concluded cases) and a
// staged import (the cases it moves out of memory to its scratch store,
// engine/internal/scratch_store.h).
//
// Layout: varint id length, id, varint agency length, agency, zigzag varint of
// the case's floor date less the floor its steps fold into, then each event's
// step in the compact step encoding (case_step_codec.h), in version order.
// The rules keep the difference 0 (every event is dated on or after the
// floor, so the floor is the latest step's date); it is stored so that the
// codec does not lean on that rule.
//
// Why the steps are enough: CaseState::steps holds one step per event (an
// amendment adds its marker and rewrites its target in place), and the facts
// are always what the steps fold into (ApplyCaseChange refolds them after an
// amendment), so folding the steps in order through ApplyCaseChange gives the
// same steps, version and facts.
#ifndef OGI_ENGINE_COMPACT_CASE_H_
#define OGI_ENGINE_COMPACT_CASE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

#include "engine/case_state.h"
#include "engine/case_step_codec.h"

namespace ogi {

// Returns whether `state` has no amendment. A catch-up keeps only such cases
// compact (an amended case's later steps are rare and its stream is read
// again instead).
inline bool IsCompactable(const CaseState& state) {
  for (const CaseStep& step : state.steps) {
    if (step.payload == v1::Event::kAmended) return false;
  }
  return true;
}

// Appends the encoding of case `id` in `state` to `out`.
void AppendCase(std::string& out, absl::string_view id, const CaseState& state);

inline std::string EncodeCase(absl::string_view id, const CaseState& state) {
  std::string out;
  AppendCase(out, id, state);
  return out;
}

// Returns the id of an encoded case (a view into `encoded`).
inline absl::string_view IdOfCase(absl::string_view encoded) {
  const char* p = encoded.data();
  return ReadLengthPrefixed(p);
}

// Returns the state the encoded case folds into. The bytes must be ones this
// process wrote.
CaseState DecodeCase(absl::string_view encoded);

}  // namespace ogi

#endif  // OGI_ENGINE_COMPACT_CASE_H_
