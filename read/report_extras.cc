#include "read/report_extras.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/deadline.h"
#include "engine/status_macros.h"
#include "read/case_scan.h"
#include "read/deadlines.h"
#include "read/output.h"

namespace ogi {
namespace {

struct ExtrasGroup {
  int64_t concluded = 0;
  int64_t on_time = 0;
  int64_t late = 0;
  int64_t unknown = 0;  // calendar unknown
  int64_t no_due = 0;   // concluded while no answer was due (waiting for
                        // a correction or a fee): neither on time nor late
  int64_t open_past_due = 0;
  std::vector<int> working_days;  // to conclusion

  void AddConcluded(const Deadline& d, std::optional<int> days) {
    ++concluded;
    if (!d.calendar_known) {
      ++unknown;
    } else if (!d.due_on) {
      ++no_due;
    } else if (d.overdue) {
      ++late;
    } else {
      ++on_time;
    }
    if (days) working_days.push_back(*days);
  }
  // The nearest-rank percentile of the working days to conclusion.
  std::optional<int> Percentile(int p) {
    if (working_days.empty()) return std::nullopt;
    std::sort(working_days.begin(), working_days.end());
    const size_t rank =
        (static_cast<size_t>(p) * working_days.size() + 99) / 100;
    return working_days[std::max<size_t>(rank, 1) - 1];
  }
};

}  // namespace

absl::StatusOr<std::string> ReportExtras(EventStore& store,
                                         const ReportRequest& request,
                                         const Calendar& calendar,
                                         ReportFormat format) {
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, CaseSelection::kAll));
  const absl::CivilDay year_end(request.year, 12, 31);
  std::map<std::string, ExtrasGroup> groups;  // "" = all
  for (const auto& [id, state] : scan.cases) {
    if (state.version == 0 || !state.facts.received ||
        !scan.InScope(state.agency_id, request.agency_id,
                      request.scope == Scope::kRollup))
      continue;
    const std::string channel = absl::StrCat(
        "channel ",
        v1::Received::Channel_Name(
            static_cast<v1::Received::Channel>(state.facts.channel)));
    const std::string category = absl::StrCat(
        "category ",
        v1::Applicant::Category_Name(
            static_cast<v1::Applicant::Category>(state.facts.category)));
    const CaseFacts& f = state.facts;
    if (f.concluded && f.concluded_on.year() == request.year) {
      const Deadline d = ComputeDeadline(state, calendar, f.concluded_on);
      absl::StatusOr<int> days =
          calendar.WorkingDaysBetween(d.day_zero, f.concluded_on);
      const std::optional<int> n =
          days.ok() ? std::optional<int>(*days) : std::nullopt;
      for (const std::string& g : {std::string(), channel, category})
        groups[g].AddConcluded(d, n);
    }
    if (CarriedOut(f, request.year)) {
      const Deadline d = YearEndDeadline(state, calendar, request.year);
      if (d.overdue) {
        for (const std::string& g : {std::string(), channel, category})
          ++groups[g].open_past_due;
      }
    }
  }
  groups[""];  // always the total row
  auto rate = [](const ExtrasGroup& g) {
    const int64_t judged = g.on_time + g.late;
    return judged == 0 ? std::string("null")
                       : absl::StrFormat(
                             "%.4f", static_cast<double>(g.on_time) / judged);
  };
  auto opt = [](std::optional<int> v) {
    return v ? absl::StrCat(*v) : std::string("null");
  };
  if (format == ReportFormat::kJson) {
    std::string json = "{";
    bool first = true;
    for (auto& [name, g] : groups) {
      absl::StrAppend(
          &json, first ? "" : ",", JsonString(name.empty() ? "all" : name),
          ":{\"concluded\":", g.concluded, ",\"onTime\":", g.on_time,
          ",\"answeredLate\":", g.late, ",\"onTimeRate\":", rate(g),
          ",\"medianWorkingDays\":", opt(g.Percentile(50)),
          ",\"p90WorkingDays\":", opt(g.Percentile(90)),
          ",\"openPastDueAtYearEnd\":", g.open_past_due,
          ",\"calendarUnknown\":", g.unknown, ",\"noDueDate\":", g.no_due, "}");
      first = false;
    }
    return json + "}";
  }
  std::string text = absl::StrCat(
      "\nBeyond the official format (", request.year,
      "; working days from day 0 to the conclusion, the due date per "
      "docs/DEADLINES.md; concluded = on time + late + calendar unknown + no "
      "due "
      "date):\n",
      absl::StrFormat("%-40s %9s %8s %6s %8s %7s %8s %7s %5s %12s\n", "group",
                      "concluded", "on time", "late", "unknown", "no due",
                      "rate", "median", "p90", "open late 12-31"));
  for (auto& [name, g] : groups) {
    absl::StrAppend(
        &text, absl::StrFormat("%-40s %9d %8d %6d %8d %7d %8s %7s %5s %12d\n",
                               name.empty() ? "all" : name, g.concluded,
                               g.on_time, g.late, g.unknown, g.no_due, rate(g),
                               opt(g.Percentile(50)), opt(g.Percentile(90)),
                               g.open_past_due));
  }
  const ExtrasGroup& all = groups[""];
  if (all.unknown > 0 || all.no_due > 0) {
    absl::StrAppend(
        &text, "unknown: the calendar does not cover the period (", all.unknown,
        " case(s)); no due: concluded while waiting for a correction or a fee "
        "(",
        all.no_due, "); `ogi check` names each case.\n");
  }
  return text;
}

}  // namespace ogi
