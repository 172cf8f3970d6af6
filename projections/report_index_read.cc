// The report index's answer: a report from the saved figures; see
// report_index.h. (report_index.cc keeps the figures up to date.)
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "engine/agency_state.h"
#include "engine/fees.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "projections/internal/catch_up_state.h"
#include "projections/report_index.h"

namespace ogi {

using projections_internal::kAppealCells;

absl::StatusOr<AnnualReport> ReportIndex::Report(
    const ReportRequest& request) const {
  if (request.as_of != absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        "the report index answers for the head of the log only; use a replay");
  }
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
  }
  const auto& agencies = state_.agencies();
  auto root = agencies.find(request.agency_id);
  if (root == agencies.end() || root->second.name().empty()) {
    return absl::NotFoundError(
        Text(Msg::kAgencyNotRegistered, request.agency_id));
  }
  const absl::flat_hash_set<std::string> scope =
      AgencyScope(request.agency_id, request.scope == Scope::kRollup, agencies,
                  [](const v1::AgencyIndex& a) -> const std::string& {
                    return a.parent_id();
                  });

  AnnualReport r;
  const int n = request.year;
  r.agency_id = request.agency_id;
  r.agency_name = root->second.name();
  r.rollup = request.scope == Scope::kRollup;
  r.year = n;
  r.position = state_.checkpoint();
  OGI_ASSIGN_OR_RETURN(r.chain_link, store_.LinkAt(r.position));
  r.recorded_until = absl::InfinitePast();
  if (!state_.recorded_until().empty()) {
    std::string error;
    (void)absl::ParseTime(absl::RFC3339_full, state_.recorded_until(),
                          &r.recorded_until, &error);
  }
  auto text = [&](const google::protobuf::Map<int32_t, std::string>& texts) {
    auto it = texts.find(n);
    return it == texts.end() ? std::string() : it->second;
  };
  r.narrative = {text(root->second.overview()), text(root->second.problems()),
                 text(root->second.other())};

  for (const std::string& id : scope) {
    const v1::AgencyIndex& agency = agencies.at(id);
    // Years are few (one per year of history): walk them all, summing what is
    // before and in year n.
    for (const auto& [year, y] : agency.years()) {
      if (year > n) continue;
      for (int col = 0; col < kApplicationColumns; ++col) {
        int64_t results = 0;
        for (int row = 0; row < kResultRows; ++row)
          results += y.results(row * kApplicationColumns + col);
        const int64_t net = y.new_cases(col) - results;
        r.cell(AppRow::kCarriedOut, col) += net;
        if (year < n) r.cell(AppRow::kCarriedIn, col) += net;
      }
      ProactiveTable& p = r.proactive;
      p.regulations.in_force += y.regulations_issued() - y.regulations_ended();
      p.normative_documents.in_force +=
          y.normative_issued() - y.normative_ended();
      if (year != n) continue;
      for (int col = 0; col < kApplicationColumns; ++col) {
        r.cell(AppRow::kNew, col) += y.new_cases(col);
        for (int row = 0; row < kResultRows; ++row) {
          const int64_t v = y.results(row * kApplicationColumns + col);
          r.applications[kFirstResultRow + row][col] += v;
          r.cell(AppRow::kResultsTotal, col) += v;
        }
      }
      for (int i = 0; i < kAppealCells; ++i)
        r.appeals[i / kAppealColumns][i % kAppealColumns] += y.appeals(i);
      p.regulations.issued += y.regulations_issued();
      p.regulations.repealed += y.regulations_repealed();
      p.normative_documents.issued += y.normative_issued();
      p.normative_documents.repealed += y.normative_repealed();
      p.licensing = SaturatingAdd(p.licensing, y.licensing());
      p.penalty = SaturatingAdd(p.penalty, y.penalty());
      p.enforcement = SaturatingAdd(p.enforcement, y.enforcement());
      p.administrative_fees_fen =
          SaturatingAdd(p.administrative_fees_fen, y.administrative_fees_fen());
      r.fee_applications += y.fee_applications();
      r.fee_paid_fen = SaturatingAdd(r.fee_paid_fen, y.fee_paid_fen());
    }
  }
  return r;
}

}  // namespace ogi
