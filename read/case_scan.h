// The read side's view of cases: one case loaded from its stream, every case
// from one pass over the log, and a case as it stood at the end of a day.
// Every fold here is the engine's own ApplyCaseChange (docs/ARCHITECTURE.md,
// the one replay path).
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_READ_CASE_SCAN_H_
#define OGI_READ_CASE_SCAN_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/case_state.h"
#include "engine/event_store.h"

namespace ogi {

// The case `id` folded from its stream; its events too if `events` is set.
// kNotFound ("case ID: unknown case") for an unknown case.
absl::StatusOr<CaseState> LoadCase(EventStore& store, const std::string& id,
                                   std::vector<v1::Event>* events = nullptr);

// The agency tree and every case's state from one pass over the log (sealed:
// no personal data is decrypted).
struct CaseScan {
  absl::flat_hash_map<std::string, std::string> parent;  // agency -> parent
  absl::node_hash_map<std::string, CaseState> cases;

  // Whether `agency` is `root` (rollup: or under it); an empty root is every
  // agency.
  bool InScope(const std::string& agency, const std::string& root,
               bool rollup) const;
};

enum class CaseSelection { kAll, kOpenOnly };

// Scans the whole log. kOpenOnly drops cases as they conclude, so memory
// follows open cases.
absl::StatusOr<CaseScan> ScanCases(EventStore& store, CaseSelection selection);

// The state of a case as of the end of `day`: its effective steps dated up to
// it, folded again.
CaseState AsOf(const CaseState& state, absl::CivilDay day);

}  // namespace ogi

#endif  // OGI_READ_CASE_SCAN_H_
