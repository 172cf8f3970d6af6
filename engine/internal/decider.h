// Decides a sequence of events against a store's state plus the events it
// accepted before, without writing. The event store's commit leader uses one
// Decider per commit group; a dry run (EventStore::NewDryRun, used by `ogi
// import` to validate a whole file first) uses one for its whole life. Both go
// through Decide, so a dry run accepts exactly what an append would.
//
// Not thread-safe.
#ifndef OGI_ENGINE_INTERNAL_DECIDER_H_
#define OGI_ENGINE_INTERNAL_DECIDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "engine/internal/scratch_store.h"
#include "engine/key_codec.h"
#include "proto/event.pb.h"

namespace ogi::engine_internal {

// Where a Decider reads the state that is already stored.
class StateSource {
 public:
  virtual ~StateSource() = default;
  // Returns the case's state (version 0 if it does not exist); kDataLoss if its
  // events do not decode.
  virtual absl::StatusOr<CaseState> LoadCase(const std::string& case_id) = 0;
  virtual absl::StatusOr<AgencyState> LoadAgency(
      const std::string& agency_id) = 0;
  // Returns the stored event with this eventId in agency `agency_id`'s
  // namespace (engine/event_id.h), if any.
  virtual absl::StatusOr<std::optional<v1::Event>> LoadByEventId(
      const std::string& agency_id, const std::string& event_id) = 0;
};

struct Decision {
  enum class Kind { kAppend, kDuplicate };
  Kind kind = Kind::kAppend;
  StreamId stream;
  uint32_t version = 0;  // the new event's version, or the stored duplicate's
  v1::Event event;       // kAppend: the event to store (agencyId filled,
                         // expectedVersion cleared)
  // kDuplicate: the stored original's position, or the index (in acceptance
  // order) of the original accepted earlier by this decider, whose position is
  // known only after the commit.
  uint64_t duplicate_position = 0;
  std::optional<size_t> duplicate_of_accepted;
};

// Returns a 64-bit fingerprint of the event's content (a hash of its field
// values in field-number order, without engine fields and expectedVersion),
// used to tell a safe retry of an eventId from a reuse with other content.
uint64_t ContentFingerprint(const v1::Event& normalized_event);

class Decider {
 public:
  // `source` must outlive the Decider. `today` is the recording date in the
  // agency calendar.
  Decider(StateSource& source, absl::CivilDay today)
      : source_(source), today_(today) {}

  // Sizes the tables for about `events` events (a few per case).
  void Reserve(size_t events) {
    pending_ids_.reserve(events);
    cases_.reserve(events / 4);
  }

  // Bounds what this decider holds (a staged import of any size): from now
  // on Trim moves case states and accepted eventIds into `scratch` once more
  // than `max_cases` cases or `max_ids` eventIds are held, and a lookup that
  // misses in memory reads `scratch` before the StateSource. `scratch` must
  // outlive the decider.
  void HoldAtMost(ScratchStore& scratch, size_t max_cases, size_t max_ids) {
    scratch_ = &scratch;
    max_cases_ = max_cases;
    max_ids_ = max_ids;
  }
  // Moves out what passes the bounds: first the concluded cases (few events
  // follow a conclusion), then, if more than half the bound is still open,
  // every case; the eventIds all at once. Decisions do not change: what moved
  // is read back on the next miss. REQUIRES: HoldAtMost was called and no
  // request is open.
  absl::Status Trim();

  // Starts an atomic request: AbortRequest undoes every change Decide made
  // since.
  void BeginRequest();
  void AbortRequest();

  // Returns the decision for `event`, and remembers its effect for the events
  // decided after it. Refusals are the codes of ValidateEvent, DecideCaseEvent
  // and DecideAgencyEvent, plus kAborted for an expectedVersion mismatch and
  // kAlreadyExists for an eventId reused with other content.
  absl::StatusOr<Decision> Decide(const v1::Event& event);

  // Number of kAppend decisions so far.
  size_t accepted() const { return accepted_; }

  // The states this decider changed, to publish into a cache after the events
  // are durable.
  absl::node_hash_map<std::string, CaseState>& cases() { return cases_; }
  absl::flat_hash_map<std::string, AgencyState>& agencies() {
    return agencies_;
  }

 private:
  // An eventId accepted by this decider, keyed by a 128-bit hash of its
  // "event_ids" key (agency and id: EncodeEventIdKey) to keep a whole-file
  // dry run small.
  struct PendingId {
    uint64_t fingerprint;
    uint32_t accepted_index;
    uint32_t version;
  };
  using IdKey = std::pair<uint64_t, uint64_t>;
  static IdKey KeyOf(absl::string_view index_key);
  absl::StatusOr<CaseState*> Case(const std::string& id);
  absl::StatusOr<AgencyState*> Agency(const std::string& id);
  // `agency_id`: the namespace of the event's id, its stream's agency.
  absl::StatusOr<std::optional<Decision>> CheckEventId(
      const v1::Event& normalized, const std::string& agency_id,
      uint64_t fingerprint);

  StateSource& source_;
  absl::CivilDay today_;
  // Node map: a dry run holds every case of a file, and a flat map's slots
  // (key + state, with growth slack) would cost twice the memory.
  absl::node_hash_map<std::string, CaseState> cases_;
  absl::flat_hash_map<std::string, AgencyState> agencies_;
  absl::flat_hash_map<IdKey, PendingId> pending_ids_;
  size_t accepted_ = 0;
  std::string index_key_;  // scratch for KeyOf

  // Undo log of the current request: the previous state of each entry it
  // touched (nullopt: absent).
  bool in_request_ = false;
  std::vector<std::pair<std::string, std::optional<CaseState>>> undo_cases_;
  std::vector<std::pair<std::string, std::optional<AgencyState>>>
      undo_agencies_;
  std::vector<IdKey> undo_ids_;
  size_t accepted_at_begin_ = 0;

  // HoldAtMost: where cases and eventIds go beyond the bounds.
  ScratchStore* scratch_ = nullptr;
  size_t max_cases_ = 0;
  size_t max_ids_ = 0;
  std::string scratch_value_;
};

}  // namespace ogi::engine_internal

#endif  // OGI_ENGINE_INTERNAL_DECIDER_H_
