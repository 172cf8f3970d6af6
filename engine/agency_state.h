// The agency stream's rules: registration in the agency tree, renames, and the
// documents whose issue, repeal and expiry part 二 of the report counts. Like
// case_state.h, Decide checks and Apply folds, and replay uses Apply.
//
// ApplyAgencyEvent is the one fold of an agency event: the write path, the
// report's replay (projections/annual_report.cc) and the report index
// (projections/report_index.cc) all fold agency events through it, so a new
// agency payload is folded in one place.
//
// Not thread-safe: an AgencyState is owned by one thread at a time.
#ifndef OGI_ENGINE_AGENCY_STATE_H_
#define OGI_ENGINE_AGENCY_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "proto/event.pb.h"

namespace ogi {

// A document (规章 or 规范性文件) as its agency's events left it; the dates
// are the effective dates (occurredOn) of its events.
struct AgencyDocument {
  enum class Status { kInForce, kRepealed, kExpired };
  int kind = 0;  // v1::DocumentIssued::Kind
  absl::CivilDay issued_on;
  std::optional<absl::CivilDay> valid_until;
  std::optional<absl::CivilDay> repealed_on;
  std::optional<absl::CivilDay> expired_on;

  // By the events alone (a validUntil passing ends nothing here).
  Status status() const {
    return repealed_on  ? Status::kRepealed
           : expired_on ? Status::kExpired
                        : Status::kInForce;
  }
};

// What an agency's decisionsRecorded and feesCollected events add up to in one
// year (of their effective dates).
struct AgencyYearCounts {
  int64_t licensing = 0;
  int64_t penalty = 0;
  int64_t enforcement = 0;
  int64_t administrative_fees_fen = 0;
};

// The texts set by narrativeSet for one report year.
struct AgencyNarrative {
  std::string overview;  // part 一
  std::string problems;  // part 五
  std::string other;     // part 六 (before the fee sentence)
};

struct AgencyState {
  uint32_t version = 0;  // number of events in the stream; 0 = not registered
  std::string name;
  std::string parent_id;
  absl::flat_hash_map<std::string, AgencyDocument> documents;
  std::map<int, AgencyYearCounts> counts;     // by year
  std::map<int, AgencyNarrative> narratives;  // by report year
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

// Returns the document a documentIssued, documentRepealed or documentExpired
// event is about; "" for any other event.
const std::string& DocumentIdOf(const v1::Event& event);

// Folds an accepted agency event into `state` (version + 1).
void ApplyAgencyEvent(AgencyState& state, const v1::Event& event);

// The one roll-up rule (汇总): an agency is in the scope of `root` if it is
// `root`, or, with `rollup`, if `root` is above it at any depth. Both the
// report (AgencyScope below) and the service's token reach (serve/) ask here.
//
// `parent_of(id)` returns the agency's parent id ("" for a top agency) as an
// absl::StatusOr<std::string>; kNotFound (an unknown agency) means outside
// the scope, any other error is returned. Parents are registered before their
// children, so the walk up ends; `max_depth` bounds it all the same.
template <typename ParentOf>
absl::StatusOr<bool> InAgencyScope(const std::string& root, bool rollup,
                                   std::string agency, ParentOf parent_of,
                                   size_t max_depth) {
  if (agency == root) return true;
  if (!rollup || agency.empty()) return false;
  for (size_t depth = 0; depth < max_depth; ++depth) {
    absl::StatusOr<std::string> parent = parent_of(agency);
    if (!parent.ok()) {
      if (absl::IsNotFound(parent.status())) return false;
      return parent.status();
    }
    if (parent->empty()) return false;
    if (*parent == root) return true;
    agency = *std::move(parent);
  }
  return false;
}

// The roll-up scope as a set: `root` and, if `rollup`, every agency of
// `agencies` in its scope (InAgencyScope). `agencies` maps agency ids to
// anything `parent_of` reads the parent id from (an AgencyState, the report
// index's saved agency, ...).
template <typename Agencies, typename ParentOf>
absl::flat_hash_set<std::string> AgencyScope(const std::string& root,
                                             bool rollup,
                                             const Agencies& agencies,
                                             ParentOf parent_of) {
  absl::flat_hash_set<std::string> scope = {root};
  if (!rollup) return scope;
  auto parent_in_map =
      [&](const std::string& id) -> absl::StatusOr<std::string> {
    auto it = agencies.find(id);
    if (it == agencies.end()) return absl::NotFoundError(id);
    return std::string(parent_of(it->second));
  };
  for (const auto& [id, agency] : agencies) {
    // A chain of parents in the map is no longer than the map.
    const absl::StatusOr<bool> in =
        InAgencyScope(root, true, id, parent_in_map, agencies.size());
    if (in.ok() && *in) scope.insert(id);
  }
  return scope;
}

}  // namespace ogi

#endif  // OGI_ENGINE_AGENCY_STATE_H_
