// The decision procedure shared by appends and dry runs; see decider.h.
#include "engine/internal/decider.h"

#include <cstring>
#include <optional>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

#include "engine/compact_case.h"
#include "engine/event_id.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/personal_data.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace ogi::engine_internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Mixes every set field of `message` into `h`, in field-number order: the
// content as values, independent of how the bytes were serialized. Engine
// fields of the envelope are skipped at depth 0.
void HashFields(const Message& message, bool envelope, uint64_t& h) {
  std::vector<const FieldDescriptor*> fields;
  const auto* reflection = message.GetReflection();
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (envelope &&
        (field->number() == v1::Event::kRecordedAtFieldNumber ||
         field->number() == v1::Event::kVersionFieldNumber ||
         field->number() == v1::Event::kPositionFieldNumber ||
         field->number() == v1::Event::kExpectedVersionFieldNumber)) {
      continue;
    }
    h = absl::HashOf(h, field->number());
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        HashFields(reflection->GetMessage(message, field), false, h);
        h = absl::HashOf(h, -1);  // closes the sub-message
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        h = absl::HashOf(
            h, reflection->GetStringReference(message, field, nullptr));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        h = absl::HashOf(h, reflection->GetEnumValue(message, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        h = absl::HashOf(h, reflection->GetInt32(message, field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        h = absl::HashOf(h, reflection->GetInt64(message, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        h = absl::HashOf(h, reflection->GetUInt32(message, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        h = absl::HashOf(h, reflection->GetUInt64(message, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        h = absl::HashOf(h, reflection->GetBool(message, field));
        break;
      default:
        break;
    }
  }
}

}  // namespace

uint64_t ContentFingerprint(const v1::Event& normalized_event) {
  // The values of the set fields, not re-serialized protobuf bytes (whose
  // encoding is not canonical).
  uint64_t h = 0x6f6769;
  HashFields(normalized_event, /*envelope=*/true, h);
  return h;
}

Decider::IdKey Decider::KeyOf(absl::string_view index_key) {
  return {absl::HashOf(index_key),
          absl::HashOf(index_key.size(), index_key, 0x6f6769u)};
}

void Decider::BeginRequest() {
  in_request_ = true;
  undo_cases_.clear();
  undo_agencies_.clear();
  undo_ids_.clear();
  accepted_at_begin_ = accepted_;
}

void Decider::AbortRequest() {
  for (auto it = undo_cases_.rbegin(); it != undo_cases_.rend(); ++it) {
    if (it->second) {
      cases_[it->first] = std::move(*it->second);
    } else {
      cases_.erase(it->first);
    }
  }
  for (auto it = undo_agencies_.rbegin(); it != undo_agencies_.rend(); ++it) {
    if (it->second) {
      agencies_[it->first] = std::move(*it->second);
    } else {
      agencies_.erase(it->first);
    }
  }
  for (const IdKey& key : undo_ids_) pending_ids_.erase(key);
  accepted_ = accepted_at_begin_;
  in_request_ = false;
}

absl::StatusOr<CaseState*> Decider::Case(const std::string& id) {
  auto it = cases_.find(id);
  if (it == cases_.end()) {
    std::optional<std::string> moved;
    if (scratch_ != nullptr) {
      OGI_ASSIGN_OR_RETURN(moved, scratch_->Get(ScratchStore::kCaseState, id));
    }
    if (moved) {
      it = cases_.emplace(id, DecodeCase(*moved)).first;
    } else {
      OGI_ASSIGN_OR_RETURN(CaseState loaded, source_.LoadCase(id));
      it = cases_.emplace(id, std::move(loaded)).first;
    }
  }
  return &it->second;
}

absl::Status Decider::Trim() {
  if (cases_.size() > max_cases_) {
    for (const bool open_too : {false, true}) {
      if (open_too && cases_.size() <= max_cases_ / 2) break;
      for (auto it = cases_.begin(); it != cases_.end();) {
        const CaseState& state = it->second;
        if (state.version > 0 && !open_too && !state.facts.concluded) {
          ++it;
          continue;
        }
        // A version-0 entry (a refused first event) is not worth keeping.
        if (state.version > 0) {
          scratch_value_.clear();
          AppendCase(scratch_value_, it->first, state);
          OGI_RETURN_IF_ERROR(scratch_->Put(ScratchStore::kCaseState, it->first,
                                            scratch_value_));
        }
        cases_.erase(it++);
      }
    }
  }
  if (pending_ids_.size() > max_ids_) {
    for (const auto& [key, id] : pending_ids_) {
      char k[16], v[16];
      std::memcpy(k, &key.first, 8);
      std::memcpy(k + 8, &key.second, 8);
      std::memcpy(v, &id.fingerprint, 8);
      std::memcpy(v + 8, &id.accepted_index, 4);
      std::memcpy(v + 12, &id.version, 4);
      OGI_RETURN_IF_ERROR(scratch_->Put(ScratchStore::kEventId,
                                        absl::string_view(k, 16),
                                        absl::string_view(v, 16)));
    }
    pending_ids_.clear();
  }
  return scratch_->Write();
}

absl::StatusOr<AgencyState*> Decider::Agency(const std::string& id) {
  auto it = agencies_.find(id);
  if (it == agencies_.end()) {
    OGI_ASSIGN_OR_RETURN(AgencyState loaded, source_.LoadAgency(id));
    it = agencies_.emplace(id, std::move(loaded)).first;
  }
  return &it->second;
}

absl::StatusOr<std::optional<Decision>> Decider::CheckEventId(
    const v1::Event& normalized, const std::string& agency_id,
    uint64_t fingerprint) {
  const std::string& id = normalized.event_id();
  const std::string label = StreamLabel(normalized);
  auto reused = [&]() {
    return absl::AlreadyExistsError(Text(Msg::kRefuseEventIdReused, label, id));
  };
  StreamId stream = StreamOf(normalized);
  EncodeEventIdKey(agency_id, id, index_key_);
  const IdKey key = KeyOf(index_key_);
  std::optional<PendingId> pending;
  if (auto it = pending_ids_.find(key); it != pending_ids_.end()) {
    pending = it->second;
  } else if (scratch_ != nullptr) {
    char k[16];
    std::memcpy(k, &key.first, 8);
    std::memcpy(k + 8, &key.second, 8);
    OGI_ASSIGN_OR_RETURN(
        std::optional<std::string> moved,
        scratch_->Get(ScratchStore::kEventId, absl::string_view(k, 16)));
    if (moved && moved->size() == 16) {
      pending.emplace();
      std::memcpy(&pending->fingerprint, moved->data(), 8);
      std::memcpy(&pending->accepted_index, moved->data() + 8, 4);
      std::memcpy(&pending->version, moved->data() + 12, 4);
    }
  }
  if (pending) {
    if (pending->fingerprint != fingerprint) return reused();
    Decision d;
    d.kind = Decision::Kind::kDuplicate;
    d.stream = std::move(stream);
    d.version = pending->version;
    d.duplicate_of_accepted = pending->accepted_index;
    return d;
  }
  OGI_ASSIGN_OR_RETURN(std::optional<v1::Event> stored,
                       source_.LoadByEventId(agency_id, id));
  if (!stored) return std::optional<Decision>();
  if (ContentFingerprint(*stored) != fingerprint) {
    // The stored applicant's personal data was erased since: the retry is the
    // same event if it matches once its personal data is erased too.
    const v1::Applicant* kept = ApplicantOf(*stored);
    if (kept == nullptr || !kept->personal_data_erased()) return reused();
    v1::Event erased = normalized;
    if (v1::Applicant* a = MutableApplicantOf(erased); a != nullptr)
      MarkErased(*a);
    if (ContentFingerprint(*stored) != ContentFingerprint(erased))
      return reused();
  }
  Decision d;
  d.kind = Decision::Kind::kDuplicate;
  d.stream = std::move(stream);
  d.version = stored->version();
  d.duplicate_position = stored->position();
  return d;
}

absl::StatusOr<Decision> Decider::Decide(const v1::Event& event) {
  OGI_RETURN_IF_ERROR(ValidateEvent(event, today_));
  const bool agency = IsAgencyPayload(event.payload_case());
  const std::string label = StreamLabel(event);
  Decision d;
  d.event = event;
  d.event.clear_expected_version();
  d.stream = StreamOf(event);

  CaseState* case_state = nullptr;
  AgencyState* agency_state = nullptr;
  uint32_t current_version;
  if (agency) {
    OGI_ASSIGN_OR_RETURN(agency_state, Agency(event.agency_id()));
    current_version = agency_state->version;
  } else {
    OGI_ASSIGN_OR_RETURN(case_state, Case(event.case_id()));
    current_version = case_state->version;
    // Every stored case event names its agency, so exports and reports need no
    // lookup.
    if (d.event.agency_id().empty())
      d.event.set_agency_id(case_state->agency_id);
  }

  uint64_t fingerprint = 0;
  if (!event.event_id().empty()) {
    // The id's namespace is the agency of the event's stream (event_id.h):
    // for a case event other than `received`, its case's, whatever agency it
    // claims; a case that does not exist holds no id, so nothing is looked up
    // (the event is refused below as an unknown case).
    const bool own_agency = NamesItsEventIdAgency(event);
    const std::string& scope =
        own_agency ? event.agency_id() : case_state->agency_id;
    fingerprint = ContentFingerprint(d.event);
    if (own_agency || case_state->version > 0) {
      OGI_ASSIGN_OR_RETURN(std::optional<Decision> duplicate,
                           CheckEventId(d.event, scope, fingerprint));
      if (duplicate) return std::move(*duplicate);
    }
  }
  if (IsReservedEventId(event.event_id())) {
    // Not a retry of a stored or accepted event: a reserved id is accepted
    // only for the event it names (event_id.h).
    const std::optional<NamedEvent> named =
        ParseAssignedEventId(event.event_id());
    if (!named || !(named->stream == d.stream) ||
        named->version != current_version + 1) {
      return absl::InvalidArgumentError(
          Text(Msg::kRefuseEventIdReserved, label, event.event_id(),
               AssignedEventId(d.stream, current_version + 1),
               kAssignedEventIdPrefix));
    }
  }
  if (event.has_expected_version() &&
      event.expected_version() != current_version) {
    return absl::AbortedError(Text(Msg::kRefuseStaleVersion, label,
                                   event.expected_version(), current_version));
  }

  std::optional<CaseChange> change;
  if (agency) {
    bool parent_registered = false;
    if (event.payload_case() == v1::Event::kAgencyRegistered &&
        !event.agency_registered().parent_id().empty()) {
      OGI_ASSIGN_OR_RETURN(AgencyState * parent,
                           Agency(event.agency_registered().parent_id()));
      parent_registered = parent->version > 0;
      // Agency() may rehash the map: look the agency up again.
      OGI_ASSIGN_OR_RETURN(agency_state, Agency(event.agency_id()));
    }
    OGI_RETURN_IF_ERROR(
        DecideAgencyEvent(*agency_state, event, parent_registered));
  } else {
    if (event.payload_case() == v1::Event::kReceived) {
      OGI_ASSIGN_OR_RETURN(AgencyState * owner, Agency(event.agency_id()));
      if (owner->version == 0) {
        return absl::NotFoundError(Text(Msg::kRefuseAgencyFieldNotRegistered,
                                        label, event.agency_id()));
      }
      OGI_ASSIGN_OR_RETURN(case_state, Case(event.case_id()));
    }
    OGI_ASSIGN_OR_RETURN(change, DecideCaseEvent(*case_state, d.event));
  }

  // Accepted: record the effect, with undo information when inside a request.
  d.version = current_version + 1;
  if (agency) {
    if (in_request_)
      undo_agencies_.emplace_back(event.agency_id(), *agency_state);
    if (in_request_ && current_version == 0)
      undo_agencies_.back().second.reset();
    ApplyAgencyEvent(*agency_state, d.event);
  } else {
    if (in_request_) undo_cases_.emplace_back(event.case_id(), *case_state);
    if (in_request_ && current_version == 0) undo_cases_.back().second.reset();
    ApplyCaseChange(*case_state, *change, d.event.agency_id());
  }
  if (event.event_id().empty()) {
    // Every stored event has an id (event_id.h); remembering it lets a later
    // line carrying the same id (an export of it) be seen as a retry.
    d.event.set_event_id(AssignedEventId(d.stream, d.version));
    fingerprint = ContentFingerprint(d.event);
  }
  {
    // Accepted, the event's agencyId is its stream's agency: its namespace.
    EventIdKeyOf(d.event, index_key_);
    const IdKey key = KeyOf(index_key_);
    pending_ids_[key] =
        PendingId{fingerprint, static_cast<uint32_t>(accepted_), d.version};
    if (in_request_) undo_ids_.push_back(key);
  }
  ++accepted_;
  return d;
}

}  // namespace ogi::engine_internal
