// The annual report, by replaying the log; see annual_report.h.
#include "projections/annual_report.h"

#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "engine/civil_date.h"
#include "engine/fees.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/status_macros.h"
#include "projections/internal/cell_postings.h"
#include "projections/internal/report_rules.h"

namespace ogi {
namespace {

using projections_internal::AppealColumnOf;
using projections_internal::AppealGroupOf;
using projections_internal::ColumnOf;

// A case as replayed, with the position of each of its events (index = version
// - 1) so the cases behind a cell can name the event that put them there.
struct Case {
  CaseState state;
  std::vector<uint64_t> positions;
};

// Everything a report needs, replayed up to the request's as-of instant.
struct Replayed {
  std::map<std::string, AgencyState> agencies;
  absl::node_hash_map<std::string, Case> cases;
  uint64_t position = 0;
  absl::Time recorded_until = absl::InfinitePast();
};

absl::Time RecordedAt(const v1::Event& event) {
  return absl::FromUnixSeconds(event.recorded_at().seconds()) +
         absl::Nanoseconds(event.recorded_at().nanos());
}

absl::StatusOr<Replayed> Replay(EventStore& store, absl::Time as_of) {
  Replayed r;
  // recordedAt never decreases along the log (the store stamps max(now, last)),
  // so the events recorded by `as_of` are a prefix of the log: the scan stops
  // at the first later one.
  const absl::Status beyond = absl::CancelledError("as-of reached");
  absl::Status scanned = store.ScanLog(
      1,
      [&](const v1::Event& e) -> absl::Status {
        if (RecordedAt(e) > as_of) return beyond;
        r.position = e.position();
        r.recorded_until = RecordedAt(e);
        if (IsAgencyPayload(e.payload_case())) {
          ApplyAgencyEvent(r.agencies[e.agency_id()], e);
          return absl::OkStatus();
        }
        Case& c = r.cases[e.case_id()];
        ApplyCaseChange(c.state, CaseChangeOf(e), e.agency_id());
        c.positions.push_back(e.position());
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kVerify, EventStore::PersonalData::kSealed);
  if (!scanned.ok() && scanned != beyond) return scanned;
  return r;
}

// The agencies whose figures the report sums: the agency, and with a roll-up
// everything below it.
absl::flat_hash_set<std::string> InScope(const Replayed& r,
                                         const ReportRequest& request) {
  return AgencyScope(
      request.agency_id, request.scope == Scope::kRollup, r.agencies,
      [](const AgencyState& a) -> const std::string& { return a.parent_id; });
}

// Calls `visit(row, column_or_-1)` for each part 三 row the case counts in for
// `year` (rules A3-A6); for result rows `column` is the case's column. Appeals
// are separate.
template <typename Visit>
void ClassifyApplication(const CaseFacts& f, int year, Visit visit) {
  if (!f.received) return;
  const absl::CivilDay jan1(year, 1, 1);
  const absl::CivilDay dec31(year, 12, 31);
  if (f.received_on >= jan1 && f.received_on <= dec31) visit(AppRow::kNew);
  if (f.received_on < jan1 && !(f.concluded && f.concluded_on < jan1))
    visit(AppRow::kCarriedIn);
  if (f.concluded && f.concluded_on >= jan1 && f.concluded_on <= dec31 &&
      f.outcome >= 1 && f.outcome <= kResultRows) {
    visit(static_cast<AppRow>(kFirstResultRow + f.outcome - 1));
  }
  if (f.received_on <= dec31 && !(f.concluded && f.concluded_on <= dec31))
    visit(AppRow::kCarriedOut);
}

absl::Status CheckRequest(const Replayed& r, const ReportRequest& request) {
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
  }
  if (!r.agencies.contains(request.agency_id)) {
    return absl::NotFoundError(
        Text(Msg::kAgencyNotRegistered, request.agency_id));
  }
  return absl::OkStatus();
}

}  // namespace

namespace projections_internal {

void AddProactive(const AgencyState& agency, int year, ProactiveTable& t) {
  const absl::CivilDay dec31(year, 12, 31);
  for (const auto& [id, d] : agency.documents) {
    DocumentCounts& counts = d.kind == v1::DocumentIssued::REGULATION
                                 ? t.regulations
                                 : t.normative_documents;
    if (d.issued_on.year() == year) ++counts.issued;
    if (d.repealed_on && d.repealed_on->year() == year) ++counts.repealed;
    const bool ended = (d.repealed_on && *d.repealed_on <= dec31) ||
                       (d.expired_on && *d.expired_on <= dec31) ||
                       (d.valid_until && *d.valid_until + 1 <= dec31);
    if (d.issued_on <= dec31 && !ended) ++counts.in_force;
  }
  if (auto it = agency.counts.find(year); it != agency.counts.end()) {
    t.licensing = SaturatingAdd(t.licensing, it->second.licensing);
    t.penalty = SaturatingAdd(t.penalty, it->second.penalty);
    t.enforcement = SaturatingAdd(t.enforcement, it->second.enforcement);
    t.administrative_fees_fen = SaturatingAdd(
        t.administrative_fees_fen, it->second.administrative_fees_fen);
  }
}

}  // namespace projections_internal

absl::StatusOr<AnnualReport> ComputeAnnualReport(EventStore& store,
                                                 const ReportRequest& request) {
  OGI_ASSIGN_OR_RETURN(Replayed r, Replay(store, request.as_of));
  OGI_RETURN_IF_ERROR(CheckRequest(r, request));
  const absl::flat_hash_set<std::string> scope = InScope(r, request);
  const int year = request.year;

  AnnualReport report;
  const AgencyState& root = r.agencies.at(request.agency_id);
  report.agency_id = request.agency_id;
  report.agency_name = root.name;
  report.rollup = request.scope == Scope::kRollup;
  report.year = year;
  report.position = r.position;
  OGI_ASSIGN_OR_RETURN(report.chain_link, store.LinkAt(r.position));
  report.recorded_until = r.recorded_until;
  if (auto it = root.narratives.find(year); it != root.narratives.end())
    report.narrative = it->second;

  for (const auto& [id, agency] : r.agencies) {
    if (scope.contains(id))
      projections_internal::AddProactive(agency, year, report.proactive);
  }

  for (const auto& [id, c] : r.cases) {
    if (!scope.contains(c.state.agency_id)) continue;
    const CaseFacts& f = c.state.facts;
    const int column = ColumnOf(f);
    ClassifyApplication(f, year, [&](AppRow row) {
      ++report.cell(row, column);
      ++report.cell(row, kTotalColumn);
      if (static_cast<int>(row) >= kFirstResultRow &&
          static_cast<int>(row) < kFirstResultRow + kResultRows) {
        ++report.cell(AppRow::kResultsTotal, column);
        ++report.cell(AppRow::kResultsTotal, kTotalColumn);
      }
    });
    for (const Appeal& a : f.appeals) {
      if (a.filed_on.year() != year) continue;
      auto& group = report.appeals[AppealGroupOf(a.kind)];
      ++group[AppealColumnOf(a.result_in_filing_year)];
      ++group[static_cast<int>(AppealColumn::kTotal)];
    }
    projections_internal::ForEachFeeYear(c.state, [&](int paid, int64_t fen) {
      if (paid != year) return;
      ++report.fee_applications;
      report.fee_paid_fen = SaturatingAdd(report.fee_paid_fen, fen);
    });
  }
  return report;
}

absl::StatusOr<CellCode> ParseCellCode(absl::string_view section,
                                       absl::string_view row,
                                       absl::string_view column) {
  CellCode code;
  code.applications = section == "applications";
  const bool applications = code.applications;
  if (!applications && section != "appeals") {
    return absl::InvalidArgumentError(
        Text(Msg::kCellSectionUnknown, section.substr(0, 32)));
  }
  int row_index = -1, column_index = -1;
  if (applications) {
    for (int i = 0; i < kApplicationRows; ++i) {
      if (ApplicationRowCode(static_cast<AppRow>(i)) == row) row_index = i;
    }
    for (int i = 0; i < kApplicationColumns; ++i) {
      if (ApplicationColumnCode(i) == column) column_index = i;
    }
  } else {
    for (int i = 0; i < kAppealGroups; ++i) {
      if (AppealGroupCode(static_cast<AppealGroup>(i)) == row) row_index = i;
    }
    for (int i = 0; i < kAppealColumns; ++i) {
      if (AppealColumnCode(static_cast<AppealColumn>(i)) == column)
        column_index = i;
    }
  }
  if (row_index < 0)
    return absl::InvalidArgumentError(
        Text(Msg::kCellRowUnknown, row.substr(0, 40)));
  if (column_index < 0) {
    return absl::InvalidArgumentError(
        Text(Msg::kCellColumnUnknown, column.substr(0, 40)));
  }
  code.row = row_index;
  code.column = column_index;
  return code;
}

namespace {

// Whether the cell's row is a result row or the results total: its cases
// are there by their conclusion, not their receipt.
bool ByConclusion(const CellCode& code) {
  return code.applications && code.row >= kFirstResultRow &&
         code.row <= static_cast<int>(AppRow::kResultsTotal);
}

// The deciding version of a case in an applications cell.
uint32_t DecidingVersionIn(const CaseState& s, const CellCode& code) {
  const CaseFacts& f = s.facts;
  return ByConclusion(code)
             ? projections_internal::DecidingVersion(
                   s,
                   f.withdrawn ? v1::Event::kWithdrawn : v1::Event::kAnswered,
                   f.concluded_on)
             : projections_internal::DecidingVersion(s, v1::Event::kReceived,
                                                     f.received_on);
}

}  // namespace

CaseInCell CaseInCellOf(const std::string& case_id, const CaseState& state,
                        const std::vector<uint64_t>& positions,
                        const CellCode& code, uint32_t version) {
  const uint64_t position =
      version > 0 && version <= positions.size() ? positions[version - 1] : 0;
  if (!code.applications && version > 0 && version <= state.steps.size()) {
    const CaseStep& s = state.steps[version - 1];
    return CaseInCell{
        case_id,  state.agency_id,        version,
        position, FormatCivilDay(s.on()), std::string(PayloadName(s.payload))};
  }
  const CaseFacts& f = state.facts;
  const bool by_conclusion = ByConclusion(code);
  const PayloadCase step = !by_conclusion ? v1::Event::kReceived
                           : f.withdrawn  ? v1::Event::kWithdrawn
                                          : v1::Event::kAnswered;
  return CaseInCell{
      case_id,
      state.agency_id,
      version,
      position,
      FormatCivilDay(by_conclusion ? f.concluded_on : f.received_on),
      std::string(PayloadName(step))};
}

absl::StatusOr<std::vector<CaseInCell>> CasesInCell(
    EventStore& store, const ReportRequest& request, absl::string_view section,
    absl::string_view row, absl::string_view column) {
  OGI_ASSIGN_OR_RETURN(const CellCode code,
                       ParseCellCode(section, row, column));
  const bool applications = code.applications;
  const int row_index = code.row;
  const int column_index = code.column;
  OGI_ASSIGN_OR_RETURN(Replayed r, Replay(store, request.as_of));
  OGI_RETURN_IF_ERROR(CheckRequest(r, request));
  const absl::flat_hash_set<std::string> scope = InScope(r, request);
  std::vector<CaseInCell> out;
  for (const auto& entry : r.cases) {
    // Named references, not structured bindings: the lambdas below capture
    // them (clang before 16 cannot capture a structured binding).
    const std::string& id = entry.first;
    const Case& c = entry.second;
    if (!scope.contains(c.state.agency_id)) continue;
    const CaseFacts& f = c.state.facts;
    if (applications) {
      if (column_index != kTotalColumn && column_index != ColumnOf(f)) continue;
      ClassifyApplication(f, request.year, [&](AppRow counted) {
        const int i = static_cast<int>(counted);
        const bool is_result =
            i >= kFirstResultRow && i < kFirstResultRow + kResultRows;
        if (i == row_index ||
            (row_index == static_cast<int>(AppRow::kResultsTotal) &&
             is_result)) {
          out.push_back(CaseInCellOf(id, c.state, c.positions, code,
                                     DecidingVersionIn(c.state, code)));
        }
      });
    } else {
      for (const Appeal& a : f.appeals) {
        if (a.filed_on.year() != request.year ||
            AppealGroupOf(a.kind) != row_index)
          continue;
        const int col = AppealColumnOf(a.result_in_filing_year);
        if (column_index != static_cast<int>(AppealColumn::kTotal) &&
            column_index != col)
          continue;
        // Matched by appeal id: a case may have several appeals on one day.
        const uint32_t version =
            projections_internal::AppealDecidingVersion(c.state, a);
        if (version == 0) continue;  // unreachable: the appeal has its filing
        out.push_back(CaseInCellOf(id, c.state, c.positions, code, version));
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CaseInCell& a, const CaseInCell& b) {
              return std::tie(a.agency_id, a.case_id, a.version) <
                     std::tie(b.agency_id, b.case_id, b.version);
            });
  return out;
}

std::string FenToWanYuan(int64_t fen) {
  constexpr int64_t kFenPerWan = 1000000;
  const bool negative = fen < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string out = absl::StrCat(negative ? "-" : "", magnitude / kFenPerWan);
  uint64_t fraction = magnitude % kFenPerWan;
  if (fraction == 0) return out;
  std::string digits = absl::StrFormat("%06d", fraction);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return absl::StrCat(out, ".", digits);
}

}  // namespace ogi
