#include "read/case_scan.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/status_macros.h"

namespace ogi {

absl::StatusOr<CaseState> LoadCase(EventStore& store, const std::string& id,
                                   std::vector<v1::Event>* events) {
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> stream,
                       store.ReadStream({StreamId::Kind::kCase, id}));
  if (stream.empty()) return absl::NotFoundError(Text(Msg::kUnknownCase, id));
  CaseState state;
  for (const v1::Event& e : stream)
    ApplyCaseChange(state, CaseChangeOf(e), e.agency_id());
  if (events != nullptr) *events = std::move(stream);
  return state;
}

bool CaseScan::InScope(const std::string& agency, const std::string& root,
                       bool rollup) const {
  if (root.empty()) return true;
  if (!rollup) return agency == root;
  for (std::string a = agency; !a.empty();) {
    if (a == root) return true;
    auto it = parent.find(a);
    a = it == parent.end() ? "" : it->second;
  }
  return false;
}

absl::StatusOr<CaseScan> ScanCases(EventStore& store, CaseSelection selection) {
  const bool open_only = selection == CaseSelection::kOpenOnly;
  CaseScan scan;
  absl::flat_hash_set<std::string> concluded;
  OGI_RETURN_IF_ERROR(store.ScanLog(
      1,
      [&](const v1::Event& e) -> absl::Status {
        if (e.has_agency_registered()) {
          scan.parent[e.agency_id()] = e.agency_registered().parent_id();
          return absl::OkStatus();
        }
        if (!IsCasePayload(e.payload_case()) || concluded.contains(e.case_id()))
          return absl::OkStatus();
        CaseState& s = scan.cases[e.case_id()];
        ApplyCaseChange(s, CaseChangeOf(e), e.agency_id());
        if (open_only && s.facts.concluded) {
          concluded.insert(e.case_id());
          scan.cases.erase(e.case_id());
        }
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kSkip, EventStore::PersonalData::kSealed));
  return scan;
}

CaseState AsOf(const CaseState& state, absl::CivilDay day) {
  CaseState out;
  for (const CaseStep& s : state.steps) {
    if (s.payload == v1::Event::kAmended || s.on() > day) continue;
    ApplyCaseChange(out, CaseChange{s, std::nullopt, false}, state.agency_id);
  }
  return out;
}

}  // namespace ogi
