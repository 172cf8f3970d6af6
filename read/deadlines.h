// Deadlines as the read side answers them: one case's (with its fee notice
// checked against a quote), the daily due list, and the findings `ogi check`
// adds to a year's report (each case's compliance flags, and check 8 of
// docs/REPORT.md). Rules: docs/DEADLINES.md. The calendar and "today" are the
// process's one Judge (engine/deadline.h), passed in.
//
// Thread-compatible: the functions keep no state.
#ifndef OGI_READ_DEADLINES_H_
#define OGI_READ_DEADLINES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "engine/calendar.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "projections/annual_report.h"
#include "read/output.h"

namespace ogi {

// The case's deadline (ComputeDeadline), with a per-application fee notice
// checked against QuoteFee. kNotFound for an unknown case.
absl::StatusOr<Deadline> CaseDeadline(EventStore& store,
                                      const std::string& case_id,
                                      const Calendar& calendar,
                                      absl::CivilDay today);

// The deadline as JSON (caseId, dayZero, dueOn, calendarKnown, status,
// concludedOn, overdue, workingDaysLeft/-Overdue, waitingFor, derivation,
// flags, calendarYears; one line), or as text a clerk can read aloud.
std::string RenderDeadline(const std::string& case_id, const Deadline& d,
                           const Calendar& calendar, absl::CivilDay today,
                           OutputFormat format);

struct DueOptions {
  std::string agency_id;  // empty: every agency
  bool rollup = false;
  int within = -1;  // >= 0: only cases due within this many working days (and
                    // those overdue)
  absl::CivilDay today;
  // Today by the process's clock (Judge::clock_day): a `today` before it is
  // judged on the cases as they stood at its end.
  absl::CivilDay clock_day;
};

// One open case of the due list.
struct DueRow {
  std::optional<absl::CivilDay> due;  // unset: no due date (see standing)
  std::string case_id, agency_id;
  std::string standing;  // "N working day(s) left", "... overdue", ...
  std::optional<int> working_days_left;  // negative: overdue
  bool applicant_lapsed = false;
  std::string lapse_outcome;             // with applicant_lapsed
  std::string waiting;                   // what the case waits for, ", "-joined
  std::vector<std::string> waiting_for;  // the same, as codes
};

// The open cases in scope ordered by due date (known first, earliest first,
// then by case id). kNotFound for an unknown agency.
absl::StatusOr<std::vector<DueRow>> DueList(EventStore& store,
                                            const DueOptions& options,
                                            const Calendar& calendar);

// The same on a scan already made (ScanCases: every case for a day before
// the clock's, the open ones otherwise), e.g. one kept up to date
// (read/work_list.h).
struct CaseScan;
absl::StatusOr<std::vector<DueRow>> DueListOf(const CaseScan& scan,
                                              const DueOptions& options,
                                              const Calendar& calendar);

// The due list as text (a heading, one line a case) or JSON ({"asOf", "cases":
// [...]}).
std::string RenderDueList(const std::vector<DueRow>& rows, absl::CivilDay today,
                          OutputFormat format);

// A warning about one case: "warning (RULE) case ID: MESSAGE".
struct CaseFinding {
  std::string rule;  // "compliance CODE", "check 8", "check 8, lapsed"
  std::string case_id;
  std::string message;
};
std::string FormatCaseFinding(const CaseFinding& finding);

// The compliance flags of the cases of the request's agency (or roll-up)
// received or concluded in its year, judged on `today`.
absl::StatusOr<std::vector<CaseFinding>> ComplianceFlags(
    EventStore& store, const ReportRequest& request, const Calendar& calendar,
    absl::CivilDay today);

// Check 8 of docs/REPORT.md for the request's year: each case carried into the
// next year (received by 31 December, not concluded by then) that was already
// past its due date on 31 December, and each one whose applicant's time (a
// correction, a fee payment) had run out by then, so it could have been
// concluded (OTHER_NO_CORRECTION, OTHER_FEE_UNPAID).
absl::StatusOr<std::vector<CaseFinding>> YearEndFindings(
    EventStore& store, const ReportRequest& request, const Calendar& calendar);

// The deadline of a case carried out of `year` (received by 31 December
// and not concluded by then), as it stood at the end of that day.
Deadline YearEndDeadline(const CaseState& state, const Calendar& calendar,
                         int year);

// Received by 31 December of `year` and not concluded by then.
bool CarriedOut(const CaseFacts& facts, int year);

}  // namespace ogi

#endif  // OGI_READ_DEADLINES_H_
