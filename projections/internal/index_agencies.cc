// The report index's agencies; see index_agencies.h.
#include "projections/internal/index_agencies.h"

#include <algorithm>
#include <optional>

#include "engine/civil_date.h"
#include "engine/load_state.h"
#include "engine/status_macros.h"
#include "projections/internal/catch_up_state.h"

namespace ogi::projections_internal {
namespace {

// Where one document counts in part 二, by year; all 0 for no document.
struct DocumentYears {
  int kind = 0;
  int issued = 0;
  // The year it stops being in force (现行有效): its repeal, its expiry or the
  // day after its validUntil, whichever is first, never before `issued`; 0 if
  // none.
  int ended = 0;
  int repealed = 0;  // 0: not repealed
  friend bool operator==(const DocumentYears&, const DocumentYears&) = default;
};

DocumentYears YearsOf(const AgencyState& state, const std::string& id) {
  DocumentYears y;
  const auto it = state.documents.find(id);
  if (it == state.documents.end()) return y;
  const AgencyDocument& d = it->second;
  y.kind = d.kind;
  y.issued = static_cast<int>(d.issued_on.year());
  std::optional<absl::CivilDay> end;
  for (const std::optional<absl::CivilDay>& day :
       {d.repealed_on, d.expired_on,
        d.valid_until ? std::optional<absl::CivilDay>(*d.valid_until + 1)
                      : std::nullopt}) {
    if (day && (!end || *day < *end)) end = day;
  }
  if (end) y.ended = std::max(static_cast<int>(end->year()), y.issued);
  if (d.repealed_on) y.repealed = static_cast<int>(d.repealed_on->year());
  return y;
}

// Adds (sign +1) or takes back (-1) what a document counts in part 二.
void AddDocument(v1::AgencyIndex& agency, const DocumentYears& d, int sign) {
  if (d.issued == 0) return;
  const bool regulation = d.kind == v1::DocumentIssued::REGULATION;
  v1::YearFigures& issued = Year(agency, d.issued);
  regulation ? issued.set_regulations_issued(issued.regulations_issued() + sign)
             : issued.set_normative_issued(issued.normative_issued() + sign);
  if (d.ended != 0) {
    v1::YearFigures& y = Year(agency, d.ended);
    regulation ? y.set_regulations_ended(y.regulations_ended() + sign)
               : y.set_normative_ended(y.normative_ended() + sign);
  }
  if (d.repealed != 0) {
    v1::YearFigures& y = Year(agency, d.repealed);
    regulation ? y.set_regulations_repealed(y.regulations_repealed() + sign)
               : y.set_normative_repealed(y.normative_repealed() + sign);
  }
}

std::optional<AgencyYearCounts> CountsIn(const AgencyState& state, int year) {
  const auto it = state.counts.find(year);
  if (it == state.counts.end()) return std::nullopt;
  return it->second;
}

bool SameCounts(const AgencyYearCounts& a, const AgencyYearCounts& b) {
  return a.licensing == b.licensing && a.penalty == b.penalty &&
         a.enforcement == b.enforcement &&
         a.administrative_fees_fen == b.administrative_fees_fen;
}

}  // namespace

absl::Status IndexAgencies::Fold(const v1::Event& e) {
  auto it = states_.find(e.agency_id());
  if (it == states_.end()) {
    OGI_ASSIGN_OR_RETURN(AgencyState loaded,
                         LoadAgencyState(store_, e.agency_id(), e.position()));
    it = states_.emplace(e.agency_id(), std::move(loaded)).first;
  }
  AgencyState& state = it->second;
  const std::string& document = DocumentIdOf(e);
  const DocumentYears document_before = YearsOf(state, document);
  auto day = ParseCivilDay(e.occurred_on());
  const int year = day.ok() ? static_cast<int>(day->year()) : 0;
  const std::optional<AgencyYearCounts> counts_before = CountsIn(state, year);

  ApplyAgencyEvent(state, e);

  v1::AgencyIndex& saved = (*saved_.mutable_agencies())[e.agency_id()];
  saved.set_name(state.name);
  saved.set_parent_id(state.parent_id);
  if (const DocumentYears after = YearsOf(state, document);
      !(after == document_before)) {
    AddDocument(saved, document_before, -1);
    AddDocument(saved, after, +1);
    v1::DocumentRecord& record = (*saved.mutable_documents())[document];
    record.set_kind(after.kind);
    record.set_issued_year(after.issued);
    record.set_ended_year(after.ended);
  }
  if (const std::optional<AgencyYearCounts> after = CountsIn(state, year);
      after && !(counts_before && SameCounts(*counts_before, *after))) {
    v1::YearFigures& y = Year(saved, year);
    y.set_licensing(after->licensing);
    y.set_penalty(after->penalty);
    y.set_enforcement(after->enforcement);
    y.set_administrative_fees_fen(after->administrative_fees_fen);
  }
  if (e.has_narrative_set()) {
    const int report_year = e.narrative_set().year();
    const AgencyNarrative& n = state.narratives[report_year];
    if (!n.overview.empty())
      (*saved.mutable_overview())[report_year] = n.overview;
    if (!n.problems.empty())
      (*saved.mutable_problems())[report_year] = n.problems;
    if (!n.other.empty()) (*saved.mutable_other())[report_year] = n.other;
  }
  return absl::OkStatus();
}

}  // namespace ogi::projections_internal
