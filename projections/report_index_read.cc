// The report index's answer: a report from the saved figures, at the
// checkpoint or, with the cell table's change log, as of an earlier instant;
// see report_index.h. (report_index.cc keeps the figures up to date.)
#include <map>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "engine/agency_state.h"
#include "engine/event_view.h"
#include "engine/fees.h"
#include "engine/key_codec.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "projections/internal/catch_up_state.h"
#include "projections/internal/cell_postings.h"
#include "projections/internal/cell_table.h"
#include "projections/internal/report_rules.h"
#include "projections/report_index.h"

namespace ogi {

using projections_internal::CellKind;
using projections_internal::CellTable;
using projections_internal::kAppealCells;

namespace {

absl::Time TimeOf(int64_t seconds, int32_t nanos) {
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

// The recordedAt of the event at `position` (>= 1).
absl::StatusOr<absl::Time> RecordedAtOf(EventStore& store, uint64_t position) {
  std::optional<absl::Time> at;
  absl::Status scanned = store.ScanRecords(
      position,
      [&](const EventStore::StoredRecord& r) -> absl::Status {
        EventView view;
        if (DecodeEventView(r.record, view) && view.position == r.position) {
          at = TimeOf(view.recorded_seconds, view.recorded_nanos);
        } else {
          v1::Event event;
          OGI_RETURN_IF_ERROR(DecodeRecord(r.record, r.position, event));
          at = TimeOf(event.recorded_at().seconds(),
                      event.recorded_at().nanos());
        }
        return absl::CancelledError();  // one record is enough
      },
      EventStore::ChainCheck::kSkip);
  if (!scanned.ok() && !absl::IsCancelled(scanned)) return scanned;
  if (!at) return absl::DataLossError(absl::StrCat("no event at ", position));
  return *at;
}

// Adds `sign` to the cell (row, column) and, for a category column, to the
// row's total.
void AddApplication(AnnualReport& r, AppRow row, int column, int sign) {
  if (column < 0 || column >= kApplicationColumns) return;
  r.cell(row, column) += sign;
  if (column != kTotalColumn) r.cell(row, kTotalColumn) += sign;
}

int Byte(absl::string_view detail, size_t i) {
  return i < detail.size() ? static_cast<unsigned char>(detail[i]) : -1;
}

// Adds `sign` times what one posting (of `kind`, in `posting_year`, with
// `detail`) counts in year n's report: the posting's side of the rules in
// cell_postings.h.
void AddPosting(AnnualReport& r, int n, CellKind kind, int posting_year,
                absl::string_view detail, int sign) {
  const int column = Byte(detail, 0);
  switch (kind) {
    case CellKind::kNew:
      if (posting_year == n) AddApplication(r, AppRow::kNew, column, sign);
      return;
    case CellKind::kResult: {
      const int result = Byte(detail, 0);
      if (posting_year != n || result < 0 || result >= kResultRows) return;
      AddApplication(r, static_cast<AppRow>(kFirstResultRow + result),
                     Byte(detail, 1), sign);
      AddApplication(r, AppRow::kResultsTotal, Byte(detail, 1), sign);
      return;
    }
    case CellKind::kCarried:
    case CellKind::kOpen: {
      const bool open = kind == CellKind::kOpen;
      if (posting_year == n || (open && posting_year < n))
        AddApplication(r, AppRow::kCarriedOut, column, sign);
      if (posting_year == n - 1 || (open && posting_year < n - 1))
        AddApplication(r, AppRow::kCarriedIn, column, sign);
      return;
    }
    case CellKind::kAppeal: {
      const int group = Byte(detail, 0), appeal_column = Byte(detail, 1);
      if (posting_year != n || group < 0 || group >= kAppealGroups ||
          appeal_column < 0 || appeal_column >= kAppealColumns)
        return;
      r.appeals[group][appeal_column] += sign;
      r.appeals[group][static_cast<int>(AppealColumn::kTotal)] += sign;
      return;
    }
    case CellKind::kFee: {
      const int64_t fen = projections_internal::FeeOfDetail(detail);
      if (posting_year != n || fen < 0) return;
      r.fee_applications += sign;
      r.fee_paid_fen = SaturatingAdd(r.fee_paid_fen, sign * fen);
      return;
    }
  }
}

}  // namespace

absl::flat_hash_set<std::string> ReportIndex::ScopeOf(
    const ReportRequest& request) const {
  return AgencyScope(request.agency_id, request.scope == Scope::kRollup,
                     state_.agencies(),
                     [](const v1::AgencyIndex& a) -> const std::string& {
                       return a.parent_id();
                     });
}

void ReportIndex::SumFigures(const absl::flat_hash_set<std::string>& scope,
                             int n, bool proactive, AnnualReport& r) const {
  for (const std::string& id : scope) {
    auto agency = state_.agencies().find(id);
    if (agency == state_.agencies().end()) continue;
    // Years are few (one per year of history): walk them all, summing what is
    // before and in year n.
    for (const auto& [year, y] : agency->second.years()) {
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
      if (proactive) {
        p.regulations.in_force +=
            y.regulations_issued() - y.regulations_ended();
        p.normative_documents.in_force +=
            y.normative_issued() - y.normative_ended();
      }
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
      r.fee_applications += y.fee_applications();
      r.fee_paid_fen = SaturatingAdd(r.fee_paid_fen, y.fee_paid_fen());
      if (!proactive) continue;
      p.regulations.issued += y.regulations_issued();
      p.regulations.repealed += y.regulations_repealed();
      p.normative_documents.issued += y.normative_issued();
      p.normative_documents.repealed += y.normative_repealed();
      p.licensing = SaturatingAdd(p.licensing, y.licensing());
      p.penalty = SaturatingAdd(p.penalty, y.penalty());
      p.enforcement = SaturatingAdd(p.enforcement, y.enforcement());
      p.administrative_fees_fen =
          SaturatingAdd(p.administrative_fees_fen, y.administrative_fees_fen());
    }
  }
}

absl::StatusOr<ReportIndex::Instant> ReportIndex::InstantOf(absl::Time as_of) {
  const uint64_t head = state_.checkpoint();
  if (head == instant_checkpoint_ && as_of == instant_as_of_) return instant_;
  if (head == 0) return Instant{0, absl::InfinitePast()};
  OGI_ASSIGN_OR_RETURN(const absl::Time last, RecordedAtOf(store_, head));
  if (last <= as_of) return Instant{head, last};
  // recordedAt never decreases along the log: the events recorded by
  // `as_of` are a prefix. Find its end: lo is in it, hi is not.
  uint64_t lo = 0, hi = head;
  absl::Time lo_time = absl::InfinitePast();
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    OGI_ASSIGN_OR_RETURN(const absl::Time t, RecordedAtOf(store_, mid));
    if (t <= as_of) {
      lo = mid;
      lo_time = t;
    } else {
      hi = mid;
    }
  }
  instant_checkpoint_ = head;
  instant_as_of_ = as_of;
  instant_ = Instant{lo, lo_time};
  return instant_;
}

absl::StatusOr<CellTable*> ReportIndex::CaughtUpCells() {
  if (cells_ == nullptr && !path_.empty()) {
    absl::StatusOr<std::unique_ptr<CellTable>> table =
        CellTable::Open(CellTablePath(path_), saving_ == Saving::kSave
                                                  ? CellTable::Mode::kWrite
                                                  : CellTable::Mode::kRead);
    if (table.ok()) cells_ = *std::move(table);
  }
  if (cells_ == nullptr || cells_->checkpoint() != state_.checkpoint()) {
    return absl::FailedPreconditionError(
        "the cell table does not hold the index's checkpoint");
  }
  return cells_.get();
}

absl::StatusOr<const ReportIndex::AgenciesThen*> ReportIndex::AgenciesAt(
    uint64_t position) {
  if (position == agencies_position_) return &agencies_then_;
  agencies_position_ = UINT64_MAX;
  agencies_then_.clear();
  for (const auto& [id, saved] : state_.agencies()) {
    OGI_ASSIGN_OR_RETURN(AgencyState state,
                         LoadAgencyState(store_, id, position + 1));
    if (!state.name.empty()) agencies_then_.emplace(id, std::move(state));
  }
  agencies_position_ = position;
  return &agencies_then_;
}

std::vector<int> ReportIndex::YearsOf(const std::string& agency, int first,
                                      int last) const {
  std::vector<int> years;
  auto it = state_.agencies().find(agency);
  if (it == state_.agencies().end()) return years;
  for (const auto& [year, figures] : it->second.years()) {
    if (year >= first && year <= last) years.push_back(year);
  }
  std::sort(years.begin(), years.end());
  return years;
}

absl::StatusOr<AnnualReport> ReportIndex::Report(const ReportRequest& request) {
  if (request.year < 1000 || request.year > 9999) {
    return absl::InvalidArgumentError(Text(Msg::kYearNotAYear, request.year));
  }
  if (request.as_of != absl::InfiniteFuture()) {
    OGI_ASSIGN_OR_RETURN(const Instant at, InstantOf(request.as_of));
    if (at.position < state_.checkpoint()) return ReportAt(request, at);
  }
  const auto& agencies = state_.agencies();
  auto root = agencies.find(request.agency_id);
  if (root == agencies.end() || root->second.name().empty()) {
    return absl::NotFoundError(
        Text(Msg::kAgencyNotRegistered, request.agency_id));
  }
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
  SumFigures(ScopeOf(request), n, /*proactive=*/true, r);
  return r;
}

absl::StatusOr<AnnualReport> ReportIndex::ReportAt(const ReportRequest& request,
                                                   const Instant& at) {
  OGI_ASSIGN_OR_RETURN(CellTable * cells, CaughtUpCells());
  // The agencies (names, tree, part 二, narratives) as of `at`, from their
  // streams: agency events are few.
  OGI_ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string> scope,
                       ScopeAt(request, at.position));
  OGI_ASSIGN_OR_RETURN(const AgenciesThen* then, AgenciesAt(at.position));
  const AgenciesThen& agencies = *then;
  auto root = agencies.find(request.agency_id);
  AnnualReport r;
  const int n = request.year;
  r.agency_id = request.agency_id;
  r.agency_name = root->second.name;
  r.rollup = request.scope == Scope::kRollup;
  r.year = n;
  r.position = at.position;
  OGI_ASSIGN_OR_RETURN(r.chain_link, store_.LinkAt(at.position));
  r.recorded_until = at.recorded_at;
  if (auto it = root->second.narratives.find(n);
      it != root->second.narratives.end())
    r.narrative = it->second;
  // Parts 三 and 四 and the fee line: the figures now, less what the changes
  // of postings after `at` added (cell_table.h). Each change log range
  // starts at `at`, so this reads only the changes after it that can touch
  // year n: late entries and amendments for its own kinds, conclusions of
  // the cases still open at `at` for the carried ones.
  SumFigures(scope, n, /*proactive=*/false, r);
  for (const std::string& id : scope) {
    projections_internal::AddProactive(agencies.at(id), n, r.proactive);
    auto take_back = [&](CellKind kind, int year) -> absl::Status {
      OGI_ASSIGN_OR_RETURN(const auto changes,
                           cells->ChangesAfter(id, kind, year, at.position));
      for (const auto& [rest, then] : changes) {
        const int net = (then.was ? 1 : 0) - (then.is ? 1 : 0);
        if (net == 0) continue;
        projections_internal::PostingRest posting;
        if (!projections_internal::SplitPostingRest(rest, posting))
          return absl::DataLossError("the cell table holds a malformed key");
        AddPosting(r, n, kind, year, posting.detail, net);
      }
      return absl::OkStatus();
    };
    for (const CellKind kind : {CellKind::kNew, CellKind::kResult,
                                CellKind::kAppeal, CellKind::kFee}) {
      OGI_RETURN_IF_ERROR(take_back(kind, n));
    }
    OGI_RETURN_IF_ERROR(take_back(CellKind::kCarried, n - 1));
    OGI_RETURN_IF_ERROR(take_back(CellKind::kCarried, n));
    for (const int year : YearsOf(id, 0, n))
      OGI_RETURN_IF_ERROR(take_back(CellKind::kOpen, year));
  }
  return r;
}

}  // namespace ogi
