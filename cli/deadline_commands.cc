// `ogi deadline`, `ogi due` and `ogi fee quote`; see commands.h.
#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"

#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/fees.h"
#include "engine/payload.h"
#include "engine/personal_data.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonDay(const std::optional<absl::CivilDay>& day) {
  return day ? JsonString(FormatCivilDay(*day)) : "null";
}

absl::StatusOr<CaseState> LoadCase(EventStore& store, const std::string& id,
                                   std::vector<v1::Event>* events = nullptr) {
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> stream,
                       store.ReadStream({StreamId::Kind::kCase, id}));
  if (stream.empty())
    return absl::NotFoundError(absl::StrCat("case ", id, ": unknown case"));
  CaseState state;
  for (const v1::Event& e : stream)
    ApplyCaseChange(state, CaseChangeOf(e), e.agency_id());
  if (events != nullptr) *events = std::move(stream);
  return state;
}

// The effective `received` of a case: version 1 with its amendments
// applied in order (whole or partial), or nullopt.
std::optional<v1::Received> EffectiveReceived(
    const std::vector<v1::Event>& events) {
  if (events.empty() || !events.front().has_received()) return std::nullopt;
  v1::Event effective = events.front();
  for (const v1::Event& e : events) {
    if (e.has_amended() && e.amended().version() == 1 &&
        e.amended().has_received())
      effective = ApplyAmendment(effective, e);
  }
  return effective.received();
}

}  // namespace

absl::StatusOr<FeeQuote> QuoteFee(EventStore& store, const std::string& case_id,
                                  FeeMethod method,
                                  std::optional<int64_t> pages) {
  FeeQuote quote;
  if (method == FeeMethod::kPerPage) {
    if (!pages.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("case ", case_id,
                       ": a per-page fee needs --pages (the pages provided)"));
    }
    if (*pages < 0)
      return absl::InvalidArgumentError("--pages must be 0 or more");
    OGI_RETURN_IF_ERROR(LoadCase(store, case_id).status());
    quote.fee_fen = PerPageFeeFen(*pages);
    quote.derivation = absl::StrCat(
        *pages,
        " pages: 1-30 free, 31-100 at 10 yuan, 101-200 at 20 yuan, "
        "201 and more at 40 yuan a page (国办函〔2020〕109号).");
    return quote;
  }
  std::vector<v1::Event> events;
  OGI_ASSIGN_OR_RETURN(CaseState state, LoadCase(store, case_id, &events));
  const std::optional<v1::Received> received = EffectiveReceived(events);
  if (!received.has_value() || received->applicant().personal_data_erased() ||
      (received->applicant().id_number().empty() &&
       received->applicant().name().empty())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", case_id,
        ": the applicant cannot be identified (no ID number or name, or its "
        "personal data was erased), so the month's applications cannot be "
        "counted"));
  }
  const v1::Applicant& applicant = received->applicant();
  const bool by_id = !applicant.id_number().empty();
  const absl::CivilDay day = state.facts.received_on;
  OGI_ASSIGN_OR_RETURN(
      std::vector<std::string> cases,
      store.CasesOfApplicant(by_id ? applicant.id_number() : applicant.name()));
  struct Application {
    absl::CivilDay on;
    uint64_t position;
    std::string id;
    int64_t items;
  };
  std::vector<Application> month;
  for (const std::string& id : cases) {
    std::vector<v1::Event> other;
    OGI_ASSIGN_OR_RETURN(CaseState s, LoadCase(store, id, &other));
    if (s.agency_id != state.agency_id) continue;
    const absl::CivilDay on = s.facts.received_on;
    if (on.year() != day.year() || on.month() != day.month()) continue;
    month.push_back({on, other.front().position(), id,
                     std::max<int64_t>(1, s.facts.items)});
  }
  std::sort(month.begin(), month.end(), [](const auto& a, const auto& b) {
    return std::tie(a.on, a.position) < std::tie(b.on, b.position);
  });
  int64_t first = 1;
  for (const Application& a : month) {
    if (a.id == case_id) {
      quote.first = first;
      quote.count = a.items;
      break;
    }
    first += a.items;
  }
  quote.month_cases = month.size();
  quote.fee_fen = PerApplicationFeesFen(quote.first, quote.count);
  quote.derivation = absl::StrCat(
      "The applicant (identified by ", by_id ? "ID number" : "name", ") made ",
      month.size(), " application(s) to ", state.agency_id, " in ",
      absl::FormatCivilTime(absl::CivilMonth(day)).substr(0, 7), "; this is ",
      quote.count == 1 ? absl::StrCat("number ", quote.first)
                       : absl::StrCat("numbers ", quote.first, "-",
                                      quote.first + quote.count - 1),
      ". Numbers 1-10 are free, 11-30 cost 100 yuan, 31-40 200 yuan, then "
      "100 yuan more for each further 10 (国办函〔2020〕109号).");
  return quote;
}

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
           absl::StrCat("The fee notice of ", FormatCivilDay(s.on()),
                        " states ", s.amount, " fen; the quote is ",
                        quote->fee_fen, " fen. ", quote->derivation)});
    }
  }
  return deadline;
}

absl::Status DeadlineCommand(EventStore& store, const std::string& case_id,
                             const Calendar& calendar, absl::CivilDay today,
                             OutputFormat format, std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(Deadline d,
                       CaseDeadline(store, case_id, calendar, today));
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
    out << json;
    return absl::OkStatus();
  }
  // Text: the derivation read aloud, then where the case stands.
  out << "Case " << case_id << ".\n";
  for (const DerivationStep& s : d.derivation) out << "  " << s.text << "\n";
  if (!d.calendar_known) {
    out << "  The due date is unknown: " << d.unknown_reason << ".\n";
  }
  if (d.concluded) {
    out << "  Concluded on " << FormatCivilDay(*d.concluded_on)
        << (d.due_on
                ? (d.overdue ? ", after the due date: late." : ", in time.")
                : ".")
        << "\n";
  } else if (d.due_on && left.ok()) {
    out << "  Open on " << FormatCivilDay(today) << ": "
        << (d.overdue ? absl::StrCat(*left, " working day(s) overdue.")
                      : absl::StrCat(*left, " working day(s) left."))
        << "\n";
  }
  if (!d.waiting_for.empty())
    out << "  Waiting for: " << absl::StrJoin(d.waiting_for, ", ") << ".\n";
  for (const ComplianceFlag& f : d.flags)
    out << "  Flag " << f.code << ": " << f.text << "\n";
  return absl::OkStatus();
}

namespace {

// The agency tree and every case's state from one pass over the log (sealed:
// no personal data is decrypted).
struct CaseScan {
  absl::flat_hash_map<std::string, std::string> parent;
  absl::node_hash_map<std::string, CaseState> cases;

  bool InScope(const std::string& agency, const std::string& root,
               bool rollup) const {
    if (root.empty()) return true;
    if (!rollup) return agency == root;
    for (std::string a = agency; !a.empty();) {
      if (a == root) return true;
      auto it = parent.find(a);
      a = it == parent.end() ? "" : it->second;
    }
    return false;
  }
};

// `open_only`: drop cases as they conclude, so memory follows open cases.
absl::StatusOr<CaseScan> ScanCases(EventStore& store, bool open_only) {
  CaseScan scan;
  absl::flat_hash_set<std::string> concluded;
  OGI_RETURN_IF_ERROR(store.ScanLog(
      1,
      [&](const v1::Event& e) -> absl::Status {
        if (e.has_agency_registered()) {
          scan.parent[e.agency_id()] = e.agency_registered().parent_id();
          return absl::OkStatus();
        }
        if (!IsCasePayload(e.payload_case()) || concluded.contains(e.case_id()))
          return absl::OkStatus();
        CaseState& s = scan.cases[e.case_id()];
        ApplyCaseChange(s, CaseChangeOf(e), e.agency_id());
        if (open_only && s.facts.concluded) {
          concluded.insert(e.case_id());
          scan.cases.erase(e.case_id());
        }
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kSkip, EventStore::PersonalData::kSealed));
  return scan;
}

}  // namespace

absl::StatusOr<int> WriteComplianceFlags(EventStore& store,
                                         const ReportRequest& request,
                                         const Calendar& calendar,
                                         absl::CivilDay today,
                                         std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, /*open_only=*/false));
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
  int count = 0;
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
    for (const ComplianceFlag& f : deadline.flags) {
      out << "warning (compliance " << f.code << ") case " << id << ": "
          << f.text << "\n";
      ++count;
    }
  }
  return count;
}

namespace {

// The state of a case as of the end of `day`: its effective steps dated up to
// it, folded again.
CaseState AsOf(const CaseState& state, absl::CivilDay day) {
  CaseState out;
  for (const CaseStep& s : state.steps) {
    if (s.payload == v1::Event::kAmended || s.on() > day) continue;
    ApplyCaseChange(out, CaseChange{s, std::nullopt, false}, state.agency_id);
  }
  return out;
}

// The deadline of a case carried out of `year` (received by 31 December
// and not concluded by then), as it stood at the end of that day.
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
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, /*open_only=*/false));
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

absl::StatusOr<int> WriteYearEndFindings(EventStore& store,
                                         const ReportRequest& request,
                                         const Calendar& calendar,
                                         std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, /*open_only=*/false));
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
  int count = 0;
  for (const std::string& id : ids) {
    const Deadline d =
        YearEndDeadline(scan.cases.at(id), calendar, request.year);
    if (d.overdue && d.due_on) {
      absl::StatusOr<int> late =
          calendar.WorkingDaysBetween(*d.due_on, year_end);
      out << "warning (check 8) case " << id << ": carried into "
          << request.year + 1 << " already overdue: due "
          << FormatCivilDay(*d.due_on)
          << (late.ok() ? absl::StrCat(", ", *late,
                                       " working day(s) overdue on 12-31")
                        : std::string())
          << "\n";
      ++count;
    } else if (d.applicant_lapsed) {
      out << "warning (check 8, lapsed) case " << id << ": carried into "
          << request.year + 1 << " waiting for "
          << (d.lapse_outcome == "OTHER_FEE_UNPAID" ? "a fee due by "
                                                    : "a correction due by ")
          << FormatCivilDay(*d.applicant_due_on)
          << "; the applicant's time ran out: it may be concluded as "
          << d.lapse_outcome << "\n";
      ++count;
    }
  }
  return count;
}

absl::Status DueCommand(EventStore& store, const DueOptions& options,
                        const Calendar& calendar, std::ostream& out) {
  // A day in the past is judged on the cases as they stood at its end (their
  // steps dated up to it), which needs every case; from today on, the cases
  // open now are enough.
  const bool past = options.today < options.clock_day;
  OGI_ASSIGN_OR_RETURN(CaseScan scan, ScanCases(store, /*open_only=*/!past));
  if (!options.agency_id.empty() && !scan.parent.contains(options.agency_id)) {
    return absl::NotFoundError(
        absl::StrCat("agency ", options.agency_id, ": unknown agency"));
  }
  struct Row {
    std::optional<absl::CivilDay> due;
    std::string id, agency, standing, waiting;
  };
  std::vector<Row> rows;
  for (const auto& [id, current] : scan.cases) {
    if (!scan.InScope(current.agency_id, options.agency_id, options.rollup))
      continue;
    const CaseState state = past ? AsOf(current, options.today) : current;
    if (!state.facts.received || state.facts.concluded) continue;
    const Deadline d = ComputeDeadline(state, calendar, options.today);
    Row row{d.due_on, id, state.agency_id, "",
            absl::StrJoin(d.waiting_for, ", ")};
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
        row.standing = d.overdue ? absl::StrCat(*n, " working day(s) overdue")
                                 : absl::StrCat(*n, " working day(s) left");
      }
    }
    // The applicant's own time: a lapse is work for the clerk today.
    if (d.applicant_lapsed) {
      absl::StrAppend(&row.standing, "; the applicant's time ran out on ",
                      FormatCivilDay(*d.applicant_due_on),
                      ": may be concluded as ", d.lapse_outcome);
    } else if (d.applicant_due_on) {
      absl::StrAppend(&row.standing, "; the applicant has until ",
                      FormatCivilDay(*d.applicant_due_on));
    }
    if (options.within >= 0 && !d.due_on && !d.applicant_lapsed) continue;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    // Known due dates first, earliest first; then the rest by case id.
    if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
    if (a.due != b.due) return *a.due < *b.due;
    return a.id < b.id;
  });
  out << "due on      case  agency  standing  waiting for   (as of "
      << FormatCivilDay(options.today) << ", " << rows.size()
      << " case(s) listed)\n";
  for (const Row& r : rows) {
    out << (r.due ? FormatCivilDay(*r.due) : std::string("—         ")) << "  "
        << r.id << "  " << r.agency << "  " << r.standing;
    if (!r.waiting.empty()) out << "  waiting for " << r.waiting;
    out << "\n";
  }
  return absl::OkStatus();
}

absl::Status FeeQuoteCommand(EventStore& store, const std::string& case_id,
                             FeeMethod method, std::optional<int64_t> pages,
                             std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(FeeQuote quote, QuoteFee(store, case_id, method, pages));
  out << absl::StrFormat("case %s: %d.%02d yuan (%d fen)\n  %s\n", case_id,
                         quote.fee_fen / 100, quote.fee_fen % 100,
                         quote.fee_fen, quote.derivation);
  return absl::OkStatus();
}

}  // namespace ogi
