#include "read/deadlines.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "engine/civil_date.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "read/case_scan.h"
#include "read/fee_quote.h"

namespace ogi {

absl::StatusOr<Deadline> CaseDeadline(EventStore& store,
                                      const std::string& case_id,
                                      const Calendar& calendar,
                                      absl::CivilDay today) {
  OGI_ASSIGN_OR_RETURN(CaseState state, LoadCase(store, case_id));
  Deadline deadline = ComputeDeadline(state, calendar, today);
  // A per-application fee notice: its amount against the quote.
  for (const CaseStep& s : state.steps) {
    if (s.payload != v1::Event::kFeeNoticed ||
        s.code != v1::FeeNoticed::PER_APPLICATION)
      continue;
    absl::StatusOr<FeeQuote> quote =
        QuoteFee(store, case_id, FeeMethod::kPerApplication, 0);
    if (quote.ok() && quote->fee_fen != s.amount) {
      deadline.flags.push_back(
          {"FEE_AMOUNT_DIFFERS",
           Text(Msg::kFeeAmountDiffersQuote, FormatCivilDay(s.on()), s.amount,
                quote->fee_fen, quote->derivation)});
    }
  }
  return deadline;
}

std::string RenderDeadline(const std::string& case_id, const Deadline& d,
                           const Calendar& calendar, absl::CivilDay today,
                           OutputFormat format) {
  absl::StatusOr<int> left =
      d.due_on && !d.concluded
          ? (today <= *d.due_on ? calendar.WorkingDaysBetween(today, *d.due_on)
                                : calendar.WorkingDaysBetween(*d.due_on, today))
          : absl::StatusOr<int>(0);
  if (format == OutputFormat::kJson) {
    std::string json = absl::StrCat(
        "{\"caseId\":", JsonString(case_id),
        ",\"dayZero\":", JsonDay(d.day_zero), ",\"dueOn\":", JsonDay(d.due_on),
        ",\"calendarKnown\":", d.calendar_known ? "true" : "false",
        ",\"status\":\"", d.concluded ? "concluded" : "open",
        "\",\"concludedOn\":", JsonDay(d.concluded_on),
        ",\"overdue\":", d.overdue ? "true" : "false");
    if (!d.calendar_known)
      absl::StrAppend(&json,
                      ",\"unknownReason\":", JsonString(d.unknown_reason));
    if (d.due_on && !d.concluded && left.ok()) {
      absl::StrAppend(
          &json,
          d.overdue ? ",\"workingDaysOverdue\":" : ",\"workingDaysLeft\":",
          *left);
    }
    if (!d.lapse_outcome.empty()) {
      absl::StrAppend(
          &json, ",\"applicantDueOn\":",
          d.applicant_due_on ? JsonDay(*d.applicant_due_on)
                             : std::string("null"),
          ",\"applicantLapsed\":", d.applicant_lapsed ? "true" : "false",
          ",\"lapseOutcome\":", JsonString(d.lapse_outcome));
    }
    absl::StrAppend(&json, ",\"waitingFor\":[");
    for (size_t i = 0; i < d.waiting_for.size(); ++i)
      absl::StrAppend(&json, i ? "," : "", JsonString(d.waiting_for[i]));
    absl::StrAppend(&json, "],\"derivation\":[");
    for (size_t i = 0; i < d.derivation.size(); ++i) {
      const DerivationStep& s = d.derivation[i];
      absl::StrAppend(&json, i ? "," : "", "{\"kind\":", JsonString(s.kind),
                      ",\"from\":", JsonDay(s.from), ",\"to\":", JsonDay(s.to),
                      ",\"workingDays\":", s.working_days,
                      ",\"text\":", JsonString(s.text), "}");
    }
    absl::StrAppend(&json, "],\"flags\":[");
    for (size_t i = 0; i < d.flags.size(); ++i) {
      absl::StrAppend(&json, i ? "," : "",
                      "{\"code\":", JsonString(d.flags[i].code),
                      ",\"text\":", JsonString(d.flags[i].text), "}");
    }
    absl::StrAppend(&json, "],\"calendarYears\":[",
                    absl::StrJoin(d.calendar_years, ","), "]}\n");
    return json;
  }
  // Text: the derivation read aloud, then where the case stands.
  std::string out = Text(Msg::kDeadlineCase, case_id) + "\n";
  for (const DerivationStep& s : d.derivation)
    absl::StrAppend(&out, "  ", s.text, "\n");
  if (!d.calendar_known) {
    absl::StrAppend(&out, "  ", Text(Msg::kDeadlineUnknown, d.unknown_reason),
                    "\n");
  }
  if (d.concluded) {
    absl::StrAppend(&out, "  ",
                    Text(!d.due_on   ? Msg::kDeadlineConcluded
                         : d.overdue ? Msg::kDeadlineConcludedLate
                                     : Msg::kDeadlineConcludedInTime,
                         FormatCivilDay(*d.concluded_on)),
                    "\n");
  } else if (d.due_on && left.ok()) {
    absl::StrAppend(
        &out, "  ",
        Text(d.overdue ? Msg::kDeadlineOpenOverdue : Msg::kDeadlineOpenLeft,
             FormatCivilDay(today), *left),
        "\n");
  }
  if (!d.waiting_for.empty()) {
    absl::StrAppend(
        &out, "  ",
        Text(Msg::kDeadlineWaitingFor, WaitingForText(d.waiting_for)), "\n");
  }
  for (const ComplianceFlag& f : d.flags)
    absl::StrAppend(&out, "  ", Text(Msg::kDeadlineFlag, f.code, f.text), "\n");
  return out;
}

std::string FormatCaseFinding(const CaseFinding& finding) {
  // The rule is a code in JSON ("check 8", "compliance CODE"); in text, a
  // label in the process's language.
  std::string rule = finding.rule;
  if (absl::StartsWith(rule, "compliance ")) {
    rule = Text(Msg::kCheckRuleCompliance, rule.substr(11));
  } else if (rule == "check 8") {
    rule = Text(Msg::kCheckRuleYearEnd);
  } else if (rule == "check 8, lapsed") {
    rule = Text(Msg::kCheckRuleYearEndLapsed);
  }
  return absl::StrCat(
      Text(Msg::kCheckCaseWarning, rule, finding.case_id, finding.message),
      "\n");
}

absl::StatusOr<std::vector<CaseFinding>> ComplianceFlags(
    EventStore& store, const ReportRequest& request, const Calendar& calendar,
    absl::CivilDay today) {
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, CaseSelection::kAll));
  std::vector<std::string> ids;
  for (const auto& [id, state] : scan.cases) {
    if (!scan.InScope(state.agency_id, request.agency_id,
                      request.scope == Scope::kRollup))
      continue;
    const bool in_year = state.facts.received_on.year() == request.year ||
                         (state.facts.concluded &&
                          state.facts.concluded_on.year() == request.year);
    if (in_year) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<CaseFinding> findings;
  for (const std::string& id : ids) {
    const CaseState& state = scan.cases.at(id);
    Deadline deadline = ComputeDeadline(state, calendar, today);
    // A per-application fee notice is checked against a quote, which looks
    // at the applicant's other cases.
    if (std::any_of(state.steps.begin(), state.steps.end(),
                    [](const CaseStep& s) {
                      return s.payload == v1::Event::kFeeNoticed &&
                             s.code == v1::FeeNoticed::PER_APPLICATION;
                    })) {
      OGI_ASSIGN_OR_RETURN(deadline, CaseDeadline(store, id, calendar, today));
    }
    for (const ComplianceFlag& f : deadline.flags)
      findings.push_back({absl::StrCat("compliance ", f.code), id, f.text});
  }
  return findings;
}

Deadline YearEndDeadline(const CaseState& state, const Calendar& calendar,
                         int year) {
  const absl::CivilDay year_end(year, 12, 31);
  return ComputeDeadline(AsOf(state, year_end), calendar, year_end);
}

bool CarriedOut(const CaseFacts& f, int year) {
  const absl::CivilDay year_end(year, 12, 31);
  return f.received && f.received_on <= year_end &&
         (!f.concluded || f.concluded_on > year_end);
}

absl::StatusOr<std::vector<CaseFinding>> YearEndFindings(
    EventStore& store, const ReportRequest& request, const Calendar& calendar) {
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, CaseSelection::kAll));
  const absl::CivilDay year_end(request.year, 12, 31);
  std::vector<std::string> ids;
  for (const auto& [id, state] : scan.cases) {
    if (state.version == 0 || !CarriedOut(state.facts, request.year) ||
        !scan.InScope(state.agency_id, request.agency_id,
                      request.scope == Scope::kRollup))
      continue;
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<CaseFinding> findings;
  for (const std::string& id : ids) {
    const Deadline d =
        YearEndDeadline(scan.cases.at(id), calendar, request.year);
    if (d.overdue && d.due_on) {
      absl::StatusOr<int> late =
          calendar.WorkingDaysBetween(*d.due_on, year_end);
      findings.push_back(
          {"check 8", id,
           absl::StrCat(Text(Msg::kCheckCarriedOverdue, request.year + 1,
                             FormatCivilDay(*d.due_on)),
                        late.ok() ? Text(Msg::kCheckCarriedOverdueDays, *late)
                                  : std::string())});
    } else if (d.applicant_lapsed) {
      findings.push_back(
          {"check 8, lapsed", id,
           Text(d.lapse_outcome == "OTHER_FEE_UNPAID"
                    ? Msg::kCheckCarriedLapsedFee
                    : Msg::kCheckCarriedLapsedCorrection,
                request.year + 1, FormatCivilDay(*d.applicant_due_on),
                EnumValueTerm("Outcome", d.lapse_outcome))});
    }
  }
  return findings;
}

absl::StatusOr<std::vector<DueRow>> DueList(EventStore& store,
                                            const DueOptions& options,
                                            const Calendar& calendar) {
  // A day in the past is judged on the cases as they stood at its end (their
  // steps dated up to it), which needs every case; from today on, the cases
  // open now are enough.
  const bool past = options.today < options.clock_day;
  OGI_ASSIGN_OR_RETURN(
      CaseScan scan,
      ScanCases(store, past ? CaseSelection::kAll : CaseSelection::kOpenOnly));
  return DueListOf(scan, options, calendar);
}

absl::StatusOr<std::vector<DueRow>> DueListOf(const CaseScan& scan,
                                              const DueOptions& options,
                                              const Calendar& calendar) {
  const bool past = options.today < options.clock_day;
  if (!options.agency_id.empty() && !scan.parent.contains(options.agency_id)) {
    return absl::NotFoundError(Text(Msg::kUnknownAgency, options.agency_id));
  }
  std::vector<DueRow> rows;
  for (const auto& [id, current] : scan.cases) {
    if (!scan.InScope(current.agency_id, options.agency_id, options.rollup))
      continue;
    const CaseState state = past ? AsOf(current, options.today) : current;
    if (!state.facts.received || state.facts.concluded) continue;
    const Deadline d = ComputeDeadline(state, calendar, options.today);
    DueRow row;
    row.due = d.due_on;
    row.case_id = id;
    row.agency_id = state.agency_id;
    row.waiting = absl::StrJoin(d.waiting_for, ", ");
    row.waiting_for = d.waiting_for;
    row.applicant_lapsed = d.applicant_lapsed;
    row.lapse_outcome = d.applicant_lapsed ? d.lapse_outcome : "";
    if (!d.calendar_known) {
      row.standing = "due date unknown (calendar)";
    } else if (!d.due_on) {
      row.standing = "no answer due";
    } else {
      absl::StatusOr<int> n =
          d.overdue ? calendar.WorkingDaysBetween(*d.due_on, options.today)
                    : calendar.WorkingDaysBetween(options.today, *d.due_on);
      if (!n.ok()) {
        row.standing = std::string(n.status().message());
      } else {
        if (options.within >= 0 && !d.overdue && *n > options.within &&
            !d.applicant_lapsed)
          continue;
        row.working_days_left = d.overdue ? -*n : *n;
        row.standing = Text(d.overdue ? Msg::kDueOverdue : Msg::kDueLeft, *n);
      }
    }
    // The applicant's own time: a lapse is work for the clerk today.
    if (d.applicant_lapsed) {
      absl::StrAppend(
          &row.standing,
          Text(Msg::kDueApplicantLapsed, FormatCivilDay(*d.applicant_due_on),
               EnumValueTerm("Outcome", d.lapse_outcome)));
    } else if (d.applicant_due_on) {
      absl::StrAppend(&row.standing, Text(Msg::kDueApplicantUntil,
                                          FormatCivilDay(*d.applicant_due_on)));
    }
    if (options.within >= 0 && !d.due_on && !d.applicant_lapsed) continue;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const DueRow& a, const DueRow& b) {
    // Known due dates first, earliest first; then the rest by case id.
    if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
    if (a.due != b.due) return *a.due < *b.due;
    return a.case_id < b.case_id;
  });
  return rows;
}

std::string RenderDueList(const std::vector<DueRow>& rows, absl::CivilDay today,
                          OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::string json =
        absl::StrCat("{\"asOf\":", JsonDay(today), ",\"cases\":[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const DueRow& r = rows[i];
      absl::StrAppend(&json, i ? "," : "",
                      "{\"caseId\":", JsonString(r.case_id),
                      ",\"agencyId\":", JsonString(r.agency_id),
                      ",\"dueOn\":", JsonDay(r.due));
      if (r.working_days_left) {
        absl::StrAppend(&json,
                        *r.working_days_left < 0 ? ",\"workingDaysOverdue\":"
                                                 : ",\"workingDaysLeft\":",
                        std::abs(*r.working_days_left));
      }
      absl::StrAppend(
          &json, ",\"standing\":", JsonString(r.standing),
          ",\"waitingFor\":", JsonString(r.waiting),
          ",\"applicantLapsed\":", r.applicant_lapsed ? "true" : "false");
      if (r.applicant_lapsed)
        absl::StrAppend(&json,
                        ",\"lapseOutcome\":", JsonString(r.lapse_outcome));
      json += "}";
    }
    return json + "]}\n";
  }
  std::string out =
      Text(Msg::kDueHeader, FormatCivilDay(today), rows.size()) + "\n";
  for (const DueRow& r : rows) {
    absl::StrAppend(&out,
                    r.due ? FormatCivilDay(*r.due) : std::string("—         "),
                    "  ", r.case_id, "  ", r.agency_id, "  ", r.standing);
    if (!r.waiting_for.empty()) {
      absl::StrAppend(&out,
                      Text(Msg::kDueWaitingFor, WaitingForText(r.waiting_for)));
    }
    out += "\n";
  }
  return out;
}

}  // namespace ogi
