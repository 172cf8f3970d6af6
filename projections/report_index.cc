// The report index; see report_index.h.
#include "projections/report_index.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"

#include "engine/case_state.h"
#include "engine/event_view.h"
#include "engine/key_codec.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/progress.h"
#include "engine/status_macros.h"
#include "projections/internal/catch_up_state.h"
#include "projections/internal/cell_postings.h"
#include "projections/internal/cell_table.h"
#include "projections/internal/index_agencies.h"
#include "projections/internal/record_pipe.h"
#include "projections/internal/report_rules.h"

namespace ogi {
namespace {

using projections_internal::AppealColumnOf;
using projections_internal::AppealGroupOf;
using projections_internal::ColumnOf;
using projections_internal::ResultIndexOf;

using projections_internal::CaseFigures;
using projections_internal::CellPosting;
using projections_internal::CellPostingsOf;
using projections_internal::CellTable;
using projections_internal::FigureDeltas;
using projections_internal::HeldCases;

// Where one case counts, by year: everything the report reads of it.
struct Contribution {
  struct AppealCell {
    int year;
    int cell;  // group * kAppealColumns + column
    friend bool operator==(const AppealCell&, const AppealCell&) = default;
  };
  bool counted = false;
  absl::string_view agency;  // into the case's state
  int column = 0;
  int received_year = 0;
  int result_year = 0;  // 0: not concluded
  int result_index = 0;
  std::vector<AppealCell> appeals;
  std::vector<std::pair<int, int64_t>> fees;  // (year, fen paid in it)
  friend bool operator==(const Contribution&, const Contribution&) = default;
};

// Reads only the facts MayChangeContribution names: keep them in step.
Contribution ContributionOf(const CaseState& s) {
  Contribution c;
  const CaseFacts& f = s.facts;
  if (!f.received) return c;
  c.counted = true;
  c.agency = s.agency_id;
  c.column = ColumnOf(f);
  c.received_year = static_cast<int>(f.received_on.year());
  if (const int result = ResultIndexOf(f); result >= 0) {
    c.result_year = static_cast<int>(f.concluded_on.year());
    c.result_index = result;
  }
  for (const Appeal& a : f.appeals) {
    c.appeals.push_back({static_cast<int>(a.filed_on.year()),
                         AppealGroupOf(a.kind) * kAppealColumns +
                             AppealColumnOf(a.result_in_filing_year)});
  }
  projections_internal::ForEachFeeYear(
      s, [&](int year, int64_t fen) { c.fees.emplace_back(year, fen); });
  return c;
}

// Whether folding a step with this payload can change the case's
// Contribution: only the facts ContributionOf reads (received, category,
// conclusion and outcome, appeals, fee payments) and amendments, which may
// change any of them.
bool MayChangeContribution(PayloadCase payload) {
  switch (payload) {
    case v1::Event::kReceived:
    case v1::Event::kAnswered:
    case v1::Event::kWithdrawn:
    case v1::Event::kAppealFiled:
    case v1::Event::kAppealDecided:
    case v1::Event::kFeePaid:
    case v1::Event::kAmended:
      return true;
    default:
      return false;
  }
}

void Add(FigureDeltas& deltas, const Contribution& c, int sign) {
  if (!c.counted) return;
  FigureDeltas::Years& agency = deltas.Agency(c.agency);
  for (const int column : {c.column, kTotalColumn}) {
    if (column == c.column && column == kTotalColumn)
      continue;  // no category: counted in the total only
    CaseFigures& received = agency[c.received_year];
    received.new_cases[column] += sign;
    if (c.result_year != 0) {
      CaseFigures& concluded = agency[c.result_year];
      concluded.results[c.result_index * kApplicationColumns + column] += sign;
    }
  }
  for (const Contribution::AppealCell& a : c.appeals) {
    CaseFigures& y = agency[a.year];
    const int total = a.cell - a.cell % kAppealColumns +
                      static_cast<int>(AppealColumn::kTotal);
    y.appeals[a.cell] += sign;
    y.appeals[total] += sign;
  }
  for (const auto& [year, fen] : c.fees) {
    CaseFigures& y = agency[year];
    y.fee_applications += sign;
    y.fee_paid_fen += sign * fen;
  }
}

// Steps that change nothing the report reads, on a concluded case: no need to
// load it.
bool LeavesConcludedFiguresAlone(PayloadCase payload) {
  return payload == v1::Event::kArchived || payload == v1::Event::kReanswered;
}

}  // namespace

ReportIndex::ReportIndex(EventStore& store, std::string path, Saving saving)
    : store_(store), path_(std::move(path)), saving_(saving) {}

ReportIndex::~ReportIndex() = default;

std::string ReportIndex::CellTablePath(const std::string& path) {
  return path + ".cells";
}

absl::Status ReportIndex::OpenCellsForWriting() {
  if (cells_ != nullptr) return absl::OkStatus();
  OGI_ASSIGN_OR_RETURN(
      cells_, CellTable::Open(CellTablePath(path_), CellTable::Mode::kWrite));
  if (cells_->checkpoint() < state_.checkpoint()) {
    // The table is behind the figures (new, or older than them): fold the
    // whole log again, which rebuilds both (cell_table.h).
    state_.Clear();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ReportIndex>> ReportIndex::Open(
    EventStore& store, std::string path, Saving saving) {
  std::unique_ptr<ReportIndex> index(
      new ReportIndex(store, std::move(path), saving));
  std::FILE* file = std::fopen(index->path_.c_str(), "rb");
  if (file == nullptr) return index;
  std::string bytes;
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.append(buffer, got);
  const bool read_error = std::ferror(file) != 0;
  std::fclose(file);
  if (read_error)
    return absl::UnavailableError(Text(Msg::kCannotRead, index->path_));
  if (!index->state_.ParseFromString(bytes)) {
    return absl::DataLossError(Text(Msg::kIndexDoesNotDecode, index->path_));
  }
  if (index->state_.checkpoint() > store.HeadPosition()) {
    OGI_RETURN_IF_ERROR(store.CatchUpWithWriter());
  }
  if (index->state_.checkpoint() > store.HeadPosition()) {
    return absl::DataLossError(Text(Msg::kIndexAheadOfStore, index->path_,
                                    index->state_.checkpoint(),
                                    store.HeadPosition()));
  }
  return index;
}

absl::StatusOr<ReportIndex::CatchUpStats> ReportIndex::CatchUp(
    size_t recent_cases) {
  CatchUpStats stats;
  // Whoever saves the figures keeps the cell table with them.
  const bool writing_cells = !path_.empty() && saving_ == Saving::kSave;
  if (writing_cells) OGI_RETURN_IF_ERROR(OpenCellsForWriting());
  CellTable* const cells = writing_cells ? cells_.get() : nullptr;
  HeldCases cases(recent_cases);
  FigureDeltas deltas;
  uint64_t checkpoint = state_.checkpoint();
  int64_t last_seconds = 0;
  int32_t last_nanos = 0;
  projections_internal::IndexAgencies agencies(store_, state_);
  EventView view;
  v1::Event event;  // the records that take the full parse
  // A long catch-up (a rebuild) says how far it got; a short one, as before
  // most reports, shows nothing.
  const uint64_t end = std::min(until_, store_.HeadPosition());
  const uint64_t to_fold = end > checkpoint ? end - checkpoint : 0;
  ProgressTicker ticker(
      to_fold >= kLongCatchUpEvents ? store_.progress() : nullptr,
      Msg::kProgressIndexing, to_fold);
  // RocksDB's reading overlaps the fold, on a second thread.
  absl::Status scanned = projections_internal::ScanRecordsAhead(
      store_, state_.checkpoint() + 1,
      [&](const EventStore::StoredRecord& r) -> absl::Status {
        if (r.position > until_) return absl::CancelledError();
        // Case events of the usual shape are read from their bytes; agency
        // events, amendments and anything unusual are parsed fully.
        std::optional<CaseChange> change;
        const v1::Event* parsed = nullptr;
        if (DecodeEventView(r.record, view) && view.position == r.position)
          change = CaseChangeOfView(view);
        if (!change) {
          event.Clear();
          OGI_RETURN_IF_ERROR(DecodeRecord(r.record, r.position, event));
          view = ViewOf(event);
          parsed = &event;
        }
        ++stats.events;
        ticker.Tick(stats.events);
        checkpoint = r.position;
        last_seconds = view.recorded_seconds;
        last_nanos = view.recorded_nanos;
        if (IsAgencyPayload(view.payload)) return agencies.Fold(*parsed);
        CaseState* held = cases.FindOpen(view.case_id);
        bool was_open = held != nullptr;
        std::optional<size_t> slot;  // set: a concluded case held in the ring
        CaseState recalled;
        if (held == nullptr && view.payload != v1::Event::kReceived) {
          slot = cases.FindConcluded(view.case_id);
          if (slot && LeavesConcludedFiguresAlone(view.payload)) {
            // Nothing the report reads changes: record the step only.
            cases.Fold(*slot, change ? *change : CaseChangeOf(*parsed));
            return absl::OkStatus();
          }
          if (slot) {
            held = &cases.Recall(*slot, recalled);
            ++stats.cases_recalled;
          }
        }
        if (held == nullptr) {
          CaseState loaded;
          if (view.payload != v1::Event::kReceived) {
            // Archiving or re-answering a case concluded long ago changes no
            // figure: no need to load it.
            if (LeavesConcludedFiguresAlone(view.payload))
              return absl::OkStatus();
            // Concluded long ago (or open before this catch-up): rebuild
            // the case from its stream.
            OGI_ASSIGN_OR_RETURN(
                loaded,
                LoadCaseState(store_, std::string(view.case_id), r.position));
            ++stats.cases_loaded;
          }
          held = &cases.AddOpen(view.case_id, std::move(loaded));
          was_open = true;
        }
        CaseState& s = *held;
        if (!change) change = CaseChangeOf(*parsed);
        if (MayChangeContribution(view.payload)) {
          const Contribution before = ContributionOf(s);
          std::vector<CellPosting> cells_before;
          if (cells != nullptr) cells_before = CellPostingsOf(view.case_id, s);
          ApplyCaseChange(s, *change, view.agency_id);
          const Contribution after = ContributionOf(s);
          if (!(before == after)) {
            Add(deltas, before, -1);
            Add(deltas, after, +1);
          }
          if (cells != nullptr) {
            OGI_RETURN_IF_ERROR(cells->Change(
                cells_before, CellPostingsOf(view.case_id, s), r.position));
          }
        } else {
          ApplyCaseChange(s, *change, view.agency_id);
        }
        if (slot) {
          cases.Recalled(*slot, *change, s);
          return absl::OkStatus();
        }
        // No step un-concludes a case (an amendment keeps the payload type).
        if (was_open && s.facts.concluded) cases.Conclude(view.case_id);
        return absl::OkStatus();
      },
      // A rebuild folds millions of events; `ogi verify` checks the chain.
      EventStore::ChainCheck::kSkip);
  deltas.AddTo(state_);
  state_.set_checkpoint(checkpoint);
  if (!absl::IsCancelled(scanned)) OGI_RETURN_IF_ERROR(scanned);
  ticker.Finish();
  if (stats.events > 0) {
    state_.set_recorded_until(absl::FormatTime(
        absl::RFC3339_full,
        absl::FromUnixSeconds(last_seconds) + absl::Nanoseconds(last_nanos),
        absl::UTCTimeZone()));
  }
  stats.open_cases = cases.open_cases();
  // The table first: it may be ahead of the saved figures, never behind.
  if (cells != nullptr && stats.events > 0)
    OGI_RETURN_IF_ERROR(cells->Commit(checkpoint));
  if (stats.events > 0) OGI_RETURN_IF_ERROR(Save());
  return stats;
}

absl::Status ReportIndex::CheckAgainstLog(EventStore& store,
                                          const std::string& path) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<ReportIndex> saved, Open(store, path));
  std::unique_ptr<ReportIndex> rebuilt(
      new ReportIndex(store, "", Saving::kInMemory));
  rebuilt->until_ = saved->checkpoint();
  OGI_RETURN_IF_ERROR(rebuilt->CatchUp().status());
  if (!google::protobuf::util::MessageDifferencer::Equals(saved->state_,
                                                          rebuilt->state_)) {
    return absl::DataLossError(
        Text(Msg::kIndexDisagrees, path, saved->checkpoint()));
  }
  return absl::OkStatus();
}

absl::Status ReportIndex::Save() const {
  if (path_.empty() || saving_ == Saving::kInMemory) return absl::OkStatus();
  const std::string temp = path_ + ".tmp";
  std::string bytes;
  (void)state_.SerializeToString(&bytes);  // fails only past 2 GiB
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(Text(Msg::kCannotWrite, temp));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError(Text(Msg::kCannotWrite, temp));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(temp.c_str(), path_.c_str()) != 0) {
    return absl::UnavailableError(Text(Msg::kCannotReplaceFile, path_));
  }
  return absl::OkStatus();
}

}  // namespace ogi
