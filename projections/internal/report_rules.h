// Where a case's facts land in the report's tables: shared by the replaying
// report (annual_report.cc) and the report index (report_index.cc), so the two
// cannot classify differently. Never included outside projections/.
#ifndef OGI_PROJECTIONS_INTERNAL_REPORT_RULES_H_
#define OGI_PROJECTIONS_INTERNAL_REPORT_RULES_H_

#include "engine/agency_state.h"
#include "engine/case_state.h"
#include "projections/annual_report.h"
#include "proto/event.pb.h"

namespace ogi::projections_internal {

// Part 三's column of a case: its (corrected) applicant category (A2).
inline int ColumnOf(const CaseFacts& f) {
  return f.category >= 1 && f.category <= 6 ? f.category - 1 : kTotalColumn;
}

// Part 三's result row of a concluded case (A5), as an index among the 22
// result rows; -1 if none.
inline int ResultIndexOf(const CaseFacts& f) {
  return f.concluded && f.outcome >= 1 && f.outcome <= kResultRows
             ? f.outcome - 1
             : -1;
}

inline int AppealGroupOf(int kind) {
  switch (kind) {
    case v1::AppealFiled::LITIGATION_DIRECT:
      return static_cast<int>(AppealGroup::kLitigationDirect);
    case v1::AppealFiled::LITIGATION_AFTER_RECONSIDERATION:
      return static_cast<int>(AppealGroup::kLitigationAfterReconsideration);
    default:
      return static_cast<int>(AppealGroup::kReconsideration);
  }
}

// Part 四's column of an appeal, from the latest decision dated in its filing
// year (B2, B3).
inline int AppealColumnOf(int result_in_filing_year) {
  switch (result_in_filing_year) {
    case v1::AppealDecided::UPHELD:
      return static_cast<int>(AppealColumn::kUpheld);
    case v1::AppealDecided::CORRECTED:
      return static_cast<int>(AppealColumn::kCorrected);
    case v1::AppealDecided::OTHER:
      return static_cast<int>(AppealColumn::kOther);
    default:
      return static_cast<int>(AppealColumn::kPending);
  }
}

// Part 六: the fen paid in each year, by the date of each payment (after a
// first notice is paid a case may be charged again, possibly the next year).
// Calls `visit(year, fen)` once per year with payments.
template <typename Visit>
void ForEachFeeYear(const CaseState& s, Visit visit) {
  int year = 0;
  int64_t fen = 0;
  for (const CaseStep& step : s.steps) {  // effective steps, in date order
    if (step.payload != v1::Event::kFeePaid) continue;
    const int paid = static_cast<int>(step.on().year());
    if (paid != year && fen > 0) visit(year, fen);
    if (paid != year) fen = 0;
    year = paid;
    fen += step.amount;
  }
  if (fen > 0) visit(year, fen);
}

// Adds what one agency counts in part 二 of `year` (documents issued, repealed
// and in force at 31 Dec; decisions and fees collected) to `t`. Shared by the
// replay and the report index's as-of reports (annual_report.cc).
void AddProactive(const AgencyState& agency, int year, ProactiveTable& t);

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_REPORT_RULES_H_
