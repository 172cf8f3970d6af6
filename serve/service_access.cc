// IntakeService, part two: who the caller is and what it may reach. The
// bearer token (Authenticate), the scope an operation needs (Require), and the
// agency reach of a token: its agency, and for a --rollup token every agency
// registered under it, including those registered earlier in the same request
// (CheckAgency, CheckCase, PrepareAppend). service.h states the rules.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/agency_state.h"
#include "engine/status_macros.h"
#include "serve/service.h"

namespace ogi {
namespace {

std::string ActorFor(const TokenInfo& caller, const std::string& actor) {
  if (actor.empty()) return caller.name;
  if (actor == caller.name || absl::StartsWith(actor, caller.name + "/"))
    return actor;  // already recorded through this system
  return absl::StrCat(caller.name, "/", actor);
}

}  // namespace

absl::StatusOr<TokenInfo> IntakeService::Authenticate(
    absl::string_view authorization) {
  constexpr absl::string_view kBearer = "Bearer ";
  // One answer whatever failed (no header, no "Bearer", a bad or revoked
  // token): the token file's.
  if (!absl::StartsWithIgnoreCase(authorization, kBearer))
    return tokens_.Authenticate("");
  return tokens_.Authenticate(authorization.substr(kBearer.size()));
}

absl::Status IntakeService::RequireWrite(const TokenInfo& caller) {
  if (caller.Has(TokenScope::kErase)) return absl::OkStatus();
  return Require(caller, TokenScope::kAppend);
}

absl::Status IntakeService::Require(const TokenInfo& caller, TokenScope scope) {
  if (caller.Has(scope)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("token ", caller.name, " lacks the scope ",
                   ScopesToString(static_cast<uint32_t>(scope)), " (it has ",
                   ScopesToString(caller.scopes), ")"));
}

absl::StatusOr<std::string> IntakeService::ParentOf(
    const std::string& agency_id, const Pending* pending) {
  if (pending != nullptr) {
    auto it = pending->agency_parent.find(agency_id);
    if (it != pending->agency_parent.end()) return it->second;
  }
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = agency_parent_.find(agency_id);
    if (it != agency_parent_.end()) return it->second;
  }
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kAgency, agency_id}));
  if (events.empty() || !events.front().has_agency_registered())
    return absl::NotFoundError(
        absl::StrCat("agency ", agency_id, ": unknown agency"));
  std::string parent = events.front().agency_registered().parent_id();
  absl::MutexLock lock(&cache_mu_);
  agency_parent_[agency_id] = parent;  // agencies never move
  return parent;
}

absl::Status IntakeService::CheckAgency(const TokenInfo& caller,
                                        const std::string& agency_id,
                                        const Pending* pending) {
  if (agency_id == caller.agency_id) return absl::OkStatus();
  const bool subtree = caller.reach == TokenReach::kSubtree;
  const absl::Status denied = absl::PermissionDeniedError(
      absl::StrCat("token ", caller.name, " may not act for agency ", agency_id,
                   " (its scope: agency ", caller.agency_id,
                   subtree ? " and the agencies under it)" : " alone)"));
  OGI_ASSIGN_OR_RETURN(
      const bool in_reach,
      InAgencyScope(
          caller.agency_id, subtree, agency_id,
          [&](const std::string& agency) { return ParentOf(agency, pending); },
          kMaxAgencyDepth));
  return in_reach ? absl::OkStatus() : denied;
}

absl::StatusOr<std::string> IntakeService::AgencyOfCase(
    const std::string& case_id, const Pending* pending) {
  if (pending != nullptr) {
    auto it = pending->case_agency.find(case_id);
    if (it != pending->case_agency.end()) return it->second;
  }
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = case_agency_.find(case_id);
    if (it != case_agency_.end()) return it->second;
  }
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store_.ReadStream({StreamId::Kind::kCase, case_id}));
  if (events.empty())
    return absl::NotFoundError(
        absl::StrCat("case ", case_id, ": unknown case"));
  absl::MutexLock lock(&cache_mu_);
  // Cases never change agency; the cache only saves reads, so it is simply
  // emptied when it grows large.
  if (case_agency_.size() >= kMaxCachedCases) case_agency_.clear();
  case_agency_[case_id] = events.front().agency_id();
  return events.front().agency_id();
}

absl::Status IntakeService::CheckCase(const TokenInfo& caller,
                                      const std::string& case_id,
                                      const Pending* pending) {
  // One answer for "no such case" and "not yours": a token learns nothing
  // about cases outside its reach, not even that they exist.
  const absl::Status not_found =
      absl::NotFoundError(absl::StrCat("case ", case_id, ": unknown case"));
  absl::StatusOr<std::string> agency = AgencyOfCase(case_id, pending);
  if (absl::IsNotFound(agency.status())) return not_found;
  OGI_RETURN_IF_ERROR(agency.status());
  absl::Status in_reach = CheckAgency(caller, *agency, pending);
  if (absl::IsPermissionDenied(in_reach)) return not_found;
  return in_reach;
}

absl::Status IntakeService::PrepareAppend(const TokenInfo& caller,
                                          v1::Event& event, Pending& pending) {
  // An erasure cannot be undone: it is the erase scope's, and every other
  // event the append scope's.
  OGI_RETURN_IF_ERROR(Require(caller, event.has_personal_data_erased()
                                          ? TokenScope::kErase
                                          : TokenScope::kAppend));
  if (event.has_agency_registered()) {
    // A tree change belongs to whoever holds the parent: a new agency under a
    // parent needs a subtree token reaching that parent (the token's own
    // agency cannot be grafted under someone else's, which would put its
    // cases in their roll-up); a root can only be the token's own agency.
    const std::string& parent = event.agency_registered().parent_id();
    if (parent.empty()) {
      if (event.agency_id() != caller.agency_id)
        return CheckAgency(caller, event.agency_id(), &pending);  // denied
    } else {
      if (caller.reach != TokenReach::kSubtree ||
          event.agency_id() == caller.agency_id)
        return absl::PermissionDeniedError(absl::StrCat(
            "token ", caller.name, " may not register agency ",
            event.agency_id(), " under agency ", parent,
            " (a tree change needs a --rollup token of the parent's tree)"));
      OGI_RETURN_IF_ERROR(CheckAgency(caller, parent, &pending));
    }
    pending.agency_parent[event.agency_id()] = parent;
  } else if (event.has_received()) {
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id(), &pending));
    // Case ids are one namespace: a taken id is refused, but without the
    // store's answer, which would give the other agency's case's version.
    absl::StatusOr<std::string> owner = AgencyOfCase(event.case_id(), &pending);
    if (owner.ok() &&
        absl::IsPermissionDenied(CheckAgency(caller, *owner, &pending)))
      return absl::AlreadyExistsError(
          absl::StrCat("case ", event.case_id(),
                       ": the case id is taken (by a case outside this token's "
                       "agencies); choose another"));
    pending.case_agency[event.case_id()] = event.agency_id();
  } else if (!event.case_id().empty()) {
    // Judged by the case's own agency, whatever agencyId the event claims.
    OGI_RETURN_IF_ERROR(CheckCase(caller, event.case_id(), &pending));
  } else {
    OGI_RETURN_IF_ERROR(CheckAgency(caller, event.agency_id(), &pending));
  }
  event.set_actor(ActorFor(caller, event.actor()));
  return absl::OkStatus();
}

}  // namespace ogi
