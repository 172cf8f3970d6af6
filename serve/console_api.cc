// The read endpoints the console needs beside the intake's; see
// console_routes.h and docs/SERVE.md. Each checks the caller's scope and
// agency reach through the IntakeService, as every intake route does.
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "read/output.h"
#include "read/reports.h"
#include "read/work_list.h"
#include "serve/console_routes.h"

namespace ogi {
namespace {

HttpResponse Json(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  response.headers.push_back({"Cache-Control", "no-store"});
  return response;
}

absl::StatusOr<bool> RollupParam(const HttpRequest& request) {
  const std::string rollup = request.Param("rollup");
  if (rollup == "" || rollup == "0" || rollup == "false") return false;
  if (rollup == "1" || rollup == "true") return true;
  return absl::InvalidArgumentError("rollup must be 1, true, 0 or false");
}

// A cell's cases come a page at a time: a roll-up's cell can hold hundreds
// of thousands.
constexpr size_t kCellPage = 100;
constexpr size_t kMaxCellPage = 1000;

absl::StatusOr<size_t> SizeParam(const HttpRequest& request,
                                 const std::string& name, size_t fallback) {
  if (!request.HasParam(name)) return fallback;
  size_t value = 0;
  if (!absl::SimpleAtoi(request.Param(name), &value))
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be a whole number"));
  return value;
}

// The agency and roll-up a request reads, checked against the caller: its
// own agency (and subtree, for a roll-up token) unless ?agency= names one in
// reach.
absl::Status ResolveAgency(IntakeService& service, const TokenInfo& caller,
                           TokenScope scope, const std::string& agency_id,
                           bool rollup) {
  if (agency_id.empty())
    return absl::InvalidArgumentError("agency: an agency id is required");
  absl::Status valid = ValidateStreamId("agencyId", agency_id);
  if (!valid.ok()) return valid;
  absl::Status may = service.Authorize(caller, scope, agency_id);
  if (!may.ok()) return may;
  if (rollup && caller.reach != TokenReach::kSubtree)
    return absl::PermissionDeniedError(absl::StrCat(
        "token ", caller.name, " may not read the agencies under ", agency_id,
        " (its scope: agency ", caller.agency_id, " alone)"));
  return absl::OkStatus();
}

// The open cases kept up to date for the due list, read once in the
// background when the routes are made, so the first work list does not wait
// for a scan of the whole log.
struct WarmOpenCases {
  explicit WarmOpenCases(EventStore& store) : cases(store) {
    warm = std::thread([this] {
      // A failure here is met again, and answered, by the first request.
      (void)cases.CatchUp();
    });
  }
  ~WarmOpenCases() { warm.join(); }
  OpenCases cases;
  std::thread warm;
};

HttpResponse ServeDue(IntakeService& service, WarmOpenCases& open,
                      const HttpRequest& request, const TokenInfo& caller) {
  DuePageOptions options;
  options.open_cases = &open.cases;
  options.due.agency_id =
      request.HasParam("agency") ? request.Param("agency") : caller.agency_id;
  absl::StatusOr<bool> rollup = RollupParam(request);
  if (!rollup.ok()) return HttpResponse::Error(rollup.status());
  // Without ?agency=, a roll-up token sees its whole subtree.
  options.due.rollup =
      request.HasParam("rollup")
          ? *rollup
          : !request.HasParam("agency") && caller.reach == TokenReach::kSubtree;
  absl::Status may = ResolveAgency(service, caller, TokenScope::kRead,
                                   options.due.agency_id, options.due.rollup);
  if (!may.ok()) return HttpResponse::Error(may);
  if (request.HasParam("within")) {
    if (!absl::SimpleAtoi(request.Param("within"), &options.due.within) ||
        options.due.within < 0)
      return HttpResponse::Error(absl::InvalidArgumentError(
          "within must be a number of working days (0 or more)"));
  }
  options.due.clock_day = service.reader().Today();
  options.due.today = options.due.clock_day;
  if (request.HasParam("on")) {
    absl::StatusOr<absl::CivilDay> day = ParseCivilDay(request.Param("on"));
    if (!day.ok())
      return HttpResponse::Error(absl::InvalidArgumentError(
          absl::StrCat("on: ", day.status().message())));
    options.due.today = *day;
  }
  options.status = request.Param("status");
  options.case_query = request.Param("q");
  absl::StatusOr<size_t> offset = SizeParam(request, "offset", 0);
  absl::StatusOr<size_t> limit = SizeParam(request, "limit", 50);
  if (!offset.ok()) return HttpResponse::Error(offset.status());
  if (!limit.ok()) return HttpResponse::Error(limit.status());
  options.offset = *offset;
  options.limit = *limit;
  absl::StatusOr<DuePage> page =
      DuePageOf(service.store(), options, service.reader().calendar());
  if (!page.ok()) return HttpResponse::Error(page.status());
  return Json(RenderDuePage(*page));
}

// A cell route's request: the report (agency, year, rollup, asOf, with the
// caller's reach checked), the section named and the page.
struct CellQuery {
  ReportRequest report;
  std::string section, row, column;
  CellPage page;
};
absl::StatusOr<CellQuery> CellQueryOf(IntakeService& service,
                                      const HttpRequest& request,
                                      const TokenInfo& caller) {
  CellQuery q;
  ReportRequest& report = q.report;
  report.agency_id = request.matches[0];
  if (!absl::SimpleAtoi(request.matches[1], &report.year) ||
      report.year < 1000 || report.year > 9999)
    return absl::InvalidArgumentError("year must be a year such as 2023");
  OGI_ASSIGN_OR_RETURN(const bool rollup, RollupParam(request));
  report.scope = rollup ? Scope::kRollup : Scope::kAgency;
  OGI_RETURN_IF_ERROR(ResolveAgency(service, caller, TokenScope::kReport,
                                    report.agency_id, rollup));
  if (request.HasParam("asOf")) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, request.Param("asOf"),
                         &report.as_of, &error))
      return absl::InvalidArgumentError(
          "asOf must be an RFC 3339 instant such as 2024-01-12T00:00:00Z");
  }
  q.section = request.matches[2];
  q.row = request.matches[3];
  q.column = request.matches[4];
  OGI_ASSIGN_OR_RETURN(q.page.offset, SizeParam(request, "offset", 0));
  OGI_ASSIGN_OR_RETURN(q.page.limit, SizeParam(request, "limit", kCellPage));
  if (q.page.limit < 1 || q.page.limit > kMaxCellPage)
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be from 1 to ", kMaxCellPage));
  return q;
}

absl::Status SectionIs(const std::string& asked, const std::string& row,
                       const std::string& section) {
  if (asked == section) return absl::OkStatus();
  return absl::NotFoundError(
      absl::StrCat("row ", row, " is in section ", section, ", not ", asked));
}

HttpResponse ServeCell(IntakeService& service, const HttpRequest& request,
                       const TokenInfo& caller) {
  absl::StatusOr<CellQuery> q = CellQueryOf(service, request, caller);
  if (!q.ok()) return HttpResponse::Error(q.status());
  absl::StatusOr<CellCases> cell =
      service.reader().Cases(q->report, q->row, q->column, q->page);
  if (!cell.ok()) return HttpResponse::Error(cell.status());
  absl::Status section = SectionIs(q->section, q->row, cell->section);
  if (!section.ok()) return HttpResponse::Error(section);
  return Json(RenderCellCases(*cell, OutputFormat::kJson));
}

// The cases whose count in the cell changed since asOf (required).
HttpResponse ServeCellChanges(IntakeService& service,
                              const HttpRequest& request,
                              const TokenInfo& caller) {
  absl::StatusOr<CellQuery> q = CellQueryOf(service, request, caller);
  if (!q.ok()) return HttpResponse::Error(q.status());
  if (q->report.as_of == absl::InfiniteFuture())
    return HttpResponse::Error(absl::InvalidArgumentError(
        "asOf is required: the changes since that instant"));
  absl::StatusOr<CellChanges> changes =
      service.reader().Changes(q->report, q->row, q->column, q->page);
  if (!changes.ok()) return HttpResponse::Error(changes.status());
  absl::Status section = SectionIs(q->section, q->row, changes->section);
  if (!section.ok()) return HttpResponse::Error(section);
  return Json(RenderCellChangesJson(*changes));
}

HttpResponse ServeDigest(IntakeService& service, const HttpRequest& request,
                         const TokenInfo& caller) {
  if (!caller.Has(TokenScope::kReport) && !caller.Has(TokenScope::kRead))
    return HttpResponse::Error(absl::PermissionDeniedError(absl::StrCat(
        "token ", caller.name, " lacks the scope read or report")));
  if (request.HasParam("check")) {
    absl::StatusOr<LogDigest> digest = ParseLogDigest(request.Param("check"));
    if (!digest.ok()) return HttpResponse::Error(digest.status());
    absl::StatusOr<std::string> json =
        CheckDigestJson(service.store(), *digest);
    if (!json.ok()) return HttpResponse::Error(json.status());
    return Json(*std::move(json));
  }
  absl::StatusOr<LogDigest> head = HeadDigest(service.store());
  if (!head.ok()) return HttpResponse::Error(head.status());
  return Json(absl::StrCat("{\"digest\":", JsonString(FormatLogDigest(*head)),
                           ",\"headPosition\":", head->position, "}\n"));
}

// One verification of the whole log at a time, in the background: POST
// starts it (or joins the one running), GET tells its state and the last
// result.
class VerifyRunner {
 public:
  explicit VerifyRunner(EventStore& store) : store_(store) {}
  ~VerifyRunner() {
    if (thread_.joinable()) thread_.join();
  }

  std::string Start() {
    {
      absl::MutexLock lock(&mu_);
      if (!running_) {
        if (thread_.joinable()) thread_.join();
        running_ = true;
        started_ = absl::Now();
        thread_ = std::thread([this] { Run(); });
      }
    }
    return State();
  }

  std::string State() {
    absl::MutexLock lock(&mu_);
    std::string json =
        absl::StrCat("{\"running\":", running_ ? "true" : "false",
                     ",\"headPosition\":", store_.HeadPosition());
    if (running_)
      absl::StrAppend(
          &json, ",\"startedAt\":",
          JsonString(absl::FormatTime(absl::RFC3339_sec, started_,
                                      absl::UTCTimeZone())),
          ",\"seconds\":", absl::ToInt64Seconds(absl::Now() - started_));
    if (!last_.empty()) absl::StrAppend(&json, ",\"last\":", last_);
    return json + "}\n";
  }

 private:
  void Run() {
    const absl::Time start = absl::Now();
    absl::StatusOr<EventStore::VerifyResult> result = store_.Verify(1);
    std::string json = absl::StrCat(
        "{\"finishedAt\":",
        JsonString(absl::FormatTime(absl::RFC3339_sec, absl::Now(),
                                    absl::UTCTimeZone())),
        ",\"seconds\":", absl::ToDoubleSeconds(absl::Now() - start),
        ",\"ok\":", result.ok() ? "true" : "false");
    if (result.ok()) {
      LogDigest head{result->head_position, result->head_link};
      absl::StrAppend(&json, ",\"events\":", result->events,
                      ",\"headDigest\":", JsonString(FormatLogDigest(head)));
    } else {
      absl::StrAppend(&json,
                      ",\"error\":", JsonString(result.status().message()));
    }
    json += "}";
    absl::MutexLock lock(&mu_);
    last_ = std::move(json);
    running_ = false;
  }

  EventStore& store_;
  absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time started_ ABSL_GUARDED_BY(mu_);
  std::string last_ ABSL_GUARDED_BY(mu_);  // JSON of the last result
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

absl::Status RequireReport(IntakeService& service, const TokenInfo& caller) {
  return service.Authorize(caller, TokenScope::kReport, caller.agency_id);
}

}  // namespace

void AddConsoleApiRoutes(HttpRouter& router, IntakeService& service) {
  IntakeService* s = &service;
  auto open = std::make_shared<WarmOpenCases>(service.store());
  router.Add(
      {.method = "GET",
       .pattern = "/v1/due",
       .operation = "Due",
       .handler = [s, open](const HttpRequest& r, const TokenInfo* caller) {
         return ServeDue(*s, *open, r, *caller);
       }});
  router.Add(
      {.method = "GET",
       .pattern = R"(/v1/reports/(.+)/(\d+)/cells/([a-z]+)/([^/]+)/([^/]+))",
       .operation = "ReportCell",
       .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
         return ServeCell(*s, r, *caller);
       }});
  router.Add(
      {.method = "GET",
       .pattern =
           R"(/v1/reports/(.+)/(\d+)/cells/([a-z]+)/([^/]+)/([^/]+)/changes)",
       .operation = "ReportCellChanges",
       .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
         return ServeCellChanges(*s, r, *caller);
       }});
  router.Add({.method = "GET",
              .pattern = "/v1/digest",
              .operation = "Digest",
              .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
                return ServeDigest(*s, r, *caller);
              }});
  auto verify = std::make_shared<VerifyRunner>(service.store());
  router.Add(
      {.method = "GET",
       .pattern = "/v1/verify",
       .operation = "VerifyState",
       .handler = [s, verify](const HttpRequest&, const TokenInfo* caller) {
         absl::Status may = RequireReport(*s, *caller);
         if (!may.ok()) return HttpResponse::Error(may);
         return Json(verify->State());
       }});
  router.Add(
      {.method = "POST",
       .pattern = "/v1/verify",
       .operation = "Verify",
       .handler = [s, verify](const HttpRequest&, const TokenInfo* caller) {
         absl::Status may = RequireReport(*s, *caller);
         if (!may.ok()) return HttpResponse::Error(may);
         return Json(verify->Start());
       }});
}

}  // namespace ogi
