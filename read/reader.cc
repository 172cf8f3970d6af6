#include "read/reader.h"

namespace ogi {

Reader::Reader(ReaderOptions options)
    : store_(*options.store),
      calendar_(*options.calendar),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      index_path_(std::move(options.index_path)),
      index_saving_(options.index_saving),
      notes_(options.notes) {}

absl::CivilDay Reader::Today() const { return AgencyDay(clock_.Now()); }

ReportOptions Reader::ReplayOptions() const {
  ReportOptions options;
  options.calendar = &calendar_;
  options.notes = notes_;
  return options;
}

absl::StatusOr<ReportOptions> Reader::IndexOptions() {
  ReportOptions options = ReplayOptions();
  options.index_path = index_path_;
  options.index_saving = index_saving_;
  if (index_ == nullptr) {
    absl::StatusOr<std::unique_ptr<ReportIndex>> opened =
        ReportIndex::Open(store_, index_path_, index_saving_);
    if (!opened.ok()) return opened.status();
    index_ = *std::move(opened);
  }
  options.index = index_.get();
  return options;
}

absl::StatusOr<std::string> Reader::Report(ReportOptions options) {
  const ReportOptions replay = ReplayOptions();
  options.calendar = replay.calendar;
  options.notes = replay.notes;
  if (index_path_.empty()) return RenderYearReport(store_, options);
  absl::MutexLock lock(&index_mu_);
  absl::StatusOr<ReportOptions> index = IndexOptions();
  if (!index.ok()) return index.status();
  options.index_path = index->index_path;
  options.index_saving = index->index_saving;
  options.index = index->index;
  return RenderYearReport(store_, options);
}

absl::StatusOr<std::string> Reader::Deadline(const std::string& case_id,
                                             std::optional<absl::CivilDay> on,
                                             OutputFormat format) {
  const absl::CivilDay today = on ? *on : Today();
  absl::StatusOr<ogi::Deadline> d =
      CaseDeadline(store_, case_id, calendar_, today);
  if (!d.ok()) return d.status();
  return RenderDeadline(case_id, *d, calendar_, today, format);
}

absl::StatusOr<std::string> Reader::Due(const DueOptions& options,
                                        OutputFormat format) {
  absl::StatusOr<std::vector<DueRow>> rows =
      DueList(store_, options, calendar_);
  if (!rows.ok()) return rows.status();
  return RenderDueList(*rows, options.today, format);
}

absl::StatusOr<FeeQuote> Reader::QuoteFee(const std::string& case_id,
                                          FeeMethod method,
                                          std::optional<int64_t> pages) {
  return ogi::QuoteFee(store_, case_id, method, pages);
}

absl::StatusOr<YearCheck> Reader::Check(const ReportRequest& request,
                                        absl::CivilDay today) {
  Judge judge;
  judge.calendar = &calendar_;
  judge.today = today;
  judge.clock_day = Today();
  if (index_path_.empty())
    return CheckYear(store_, request, ReplayOptions(), judge);
  absl::MutexLock lock(&index_mu_);
  absl::StatusOr<ReportOptions> index = IndexOptions();
  if (!index.ok()) return index.status();
  return CheckYear(store_, request, *index, judge);
}

absl::StatusOr<CellCases> Reader::Cases(const ReportRequest& request,
                                        const std::string& row,
                                        const std::string& column,
                                        CellPage page) {
  if (index_path_.empty())
    return CasesOfCell(store_, request, row, column, ReplayOptions(), page);
  absl::MutexLock lock(&index_mu_);
  absl::StatusOr<ReportOptions> index = IndexOptions();
  if (!index.ok()) return index.status();
  return CasesOfCell(store_, request, row, column, *index, page);
}

absl::StatusOr<CellChanges> Reader::Changes(const ReportRequest& request,
                                            const std::string& row,
                                            const std::string& column,
                                            CellPage page) {
  if (index_path_.empty())
    return ChangesOfCell(store_, request, row, column, ReplayOptions(), page);
  absl::MutexLock lock(&index_mu_);
  absl::StatusOr<ReportOptions> index = IndexOptions();
  if (!index.ok()) return index.status();
  return ChangesOfCell(store_, request, row, column, *index, page);
}

}  // namespace ogi
