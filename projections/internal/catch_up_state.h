// The state a report-index catch-up keeps while it folds the log: the cases it
// holds and the figures it adds. Never included outside projections/.
#ifndef OGI_PROJECTIONS_INTERNAL_CATCH_UP_STATE_H_
#define OGI_PROJECTIONS_INTERNAL_CATCH_UP_STATE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

#include "engine/case_state.h"
#include "engine/compact_case.h"
#include "projections/annual_report.h"
#include "proto/report_index.pb.h"

namespace ogi::projections_internal {

inline constexpr int kResultCells = kResultRows * kApplicationColumns;
inline constexpr int kAppealCells = kAppealGroups * kAppealColumns;

// Returns the index's figures of `agency` in `year`, created with every cell
// at zero.
inline v1::YearFigures& Year(v1::AgencyIndex& agency, int year) {
  v1::YearFigures& y = (*agency.mutable_years())[year];
  if (y.new_cases_size() == 0) {
    y.mutable_new_cases()->Resize(kApplicationColumns, 0);
    y.mutable_results()->Resize(kResultCells, 0);
    y.mutable_appeals()->Resize(kAppealCells, 0);
  }
  return y;
}

// The case figures (parts 三 and 四, fees) of one agency in one year, summed
// during a catch-up and added to the index at its end: going through the
// index's protobuf maps for every event would cost more than the fold itself.
struct CaseFigures {
  std::array<int64_t, kApplicationColumns> new_cases{};
  std::array<int64_t, kResultCells> results{};
  std::array<int64_t, kAppealCells> appeals{};
  int64_t fee_applications = 0;
  int64_t fee_paid_fen = 0;
};

// The figures a catch-up adds, by agency and year. Every agency and year
// touched gets its entry in the index, even if its sums come back to zero, as
// when the figures are added directly.
class FigureDeltas {
 public:
  using Years = absl::node_hash_map<int, CaseFigures>;

  // Returns the years of `agency`. The reference is valid until the next
  // call.
  Years& Agency(absl::string_view agency) {
    // Consecutive changes are often of one agency's cases.
    if (last_ != nullptr && last_id_ == agency) return *last_;
    auto it = agencies_.find(agency);
    if (it == agencies_.end())
      it = agencies_.emplace(std::string(agency), Years()).first;
    last_id_ = it->first;
    last_ = &it->second;
    return *last_;
  }

  void AddTo(v1::ReportIndexState& state) const {
    for (const auto& [id, years] : agencies_) {
      v1::AgencyIndex& agency = (*state.mutable_agencies())[id];
      for (const auto& [year, f] : years) {
        v1::YearFigures& y = Year(agency, year);
        for (int i = 0; i < kApplicationColumns; ++i)
          y.set_new_cases(i, y.new_cases(i) + f.new_cases[i]);
        for (int i = 0; i < kResultCells; ++i)
          y.set_results(i, y.results(i) + f.results[i]);
        for (int i = 0; i < kAppealCells; ++i)
          y.set_appeals(i, y.appeals(i) + f.appeals[i]);
        y.set_fee_applications(y.fee_applications() + f.fee_applications);
        y.set_fee_paid_fen(y.fee_paid_fen() + f.fee_paid_fen);
      }
    }
  }

 private:
  // Nodes: last_ stays valid as agencies are added.
  absl::node_hash_map<std::string, Years> agencies_;
  absl::string_view last_id_;
  Years* last_ = nullptr;
};

// The cases a catch-up holds: the open ones, and the 2 * recent_cases
// concluded last (appeals, amendments and re-answers mostly follow an answer
// within months). Open cases are looked up for nearly every event, so they
// have a table of their own, small enough to stay in cache. Concluded cases
// sit in a ring, reused slot by slot, found through their id's hash, each kept
// as its encoded steps (compact_case.h), so that a year of conclusions fits in
// the memory a few months of full states took; the few with an amendment keep
// their full state. A hash that collides, or a case that fell out of the ring,
// is merely not found, and the caller reads the case back from its stream,
// which gives the same state.
class HeldCases {
 public:
  explicit HeldCases(size_t recent_cases)
      : ring_capacity_(recent_cases > SIZE_MAX / 2 ? SIZE_MAX
                                                   : 2 * recent_cases) {}

  // Returns the open case, or nullptr. Valid until the next call.
  CaseState* FindOpen(absl::string_view id) {
    auto it = open_.find(id);
    return it == open_.end() ? nullptr : &it->second;
  }

  // Returns the ring slot of the concluded case, or nullopt if it is not held
  // (any more). Valid until the next Conclude.
  std::optional<size_t> FindConcluded(absl::string_view id) {
    auto it = ring_index_.find(Hash(id));
    if (it == ring_index_.end() || IdOfCase(ring_[it->second].encoded) != id)
      return std::nullopt;
    return it->second;
  }

  // Returns the state of the concluded case in `slot`: the one held, or
  // `scratch` folded from its steps. Pass it, changed, to Recalled.
  CaseState& Recall(size_t slot, CaseState& scratch) {
    Slot& s = ring_[slot];
    if (s.full != nullptr) return *s.full;
    scratch = DecodeCase(s.encoded);
    return scratch;
  }

  // Records that `change` was folded into `state`, which Recall returned for
  // `slot`.
  void Recalled(size_t slot, const CaseChange& change, CaseState& state) {
    Slot& s = ring_[slot];
    if (s.full != nullptr) return;  // changed in place
    if (change.step.payload == v1::Event::kAmended) {
      s.full = std::make_unique<CaseState>(std::move(state));
      s.encoded.resize(IdOfCase(s.encoded).end() - s.encoded.data());
      s.encoded.shrink_to_fit();
      return;
    }
    AppendCompactStep(s.encoded, change.step);
  }

  // Folds `change` (not an amendment) into the concluded case in `slot`
  // without recalling it.
  void Fold(size_t slot, const CaseChange& change) {
    Slot& s = ring_[slot];
    if (s.full != nullptr) {
      ApplyCaseChange(*s.full, change, s.full->agency_id);
      return;
    }
    AppendCompactStep(s.encoded, change.step);
  }

  CaseState& AddOpen(absl::string_view id, CaseState state) {
    return open_.insert_or_assign(std::string(id), std::move(state))
        .first->second;
  }

  // Moves the open case `id` into the ring (drops it if no concluded case is
  // kept), in place of the case concluded longest ago.
  void Conclude(absl::string_view id) {
    auto it = open_.find(id);
    if (it == open_.end()) return;
    if (ring_capacity_ == 0) {
      open_.erase(it);
      return;
    }
    Slot concluded;
    if (IsCompactable(it->second)) {
      concluded.encoded = EncodeCase(id, it->second);
    } else {
      AppendLengthPrefixed(concluded.encoded, id);
      concluded.full = std::make_unique<CaseState>(std::move(it->second));
    }
    open_.erase(it);
    size_t slot;
    if (ring_.size() < ring_capacity_) {
      slot = ring_.size();
      ring_.emplace_back();
    } else {
      slot = next_;
      next_ = (next_ + 1) % ring_capacity_;
      // The slot's case leaves the ring (unless its hash was taken since).
      auto old = ring_index_.find(Hash(IdOfCase(ring_[slot].encoded)));
      if (old != ring_index_.end() && old->second == slot)
        ring_index_.erase(old);
    }
    ring_[slot] = std::move(concluded);
    ring_index_.insert_or_assign(Hash(id), slot);
  }

  size_t open_cases() const { return open_.size(); }

 private:
  struct Slot {
    std::string encoded;  // the case (compact_case.h), or its id alone
    std::unique_ptr<CaseState> full;  // a case with an amendment
  };

  static uint64_t Hash(absl::string_view id) {
    return absl::Hash<absl::string_view>{}(id);
  }

  const size_t ring_capacity_;
  absl::flat_hash_map<std::string, CaseState> open_;
  std::vector<Slot> ring_;
  size_t next_ = 0;  // the slot to reuse next, once the ring is full
  absl::flat_hash_map<uint64_t, size_t> ring_index_;  // id hash -> slot
};

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_CATCH_UP_STATE_H_
