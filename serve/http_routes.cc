// The intake routes of the HTTP face; see http_routes.h.
#include "serve/http_routes.h"

#include <atomic>
#include <chrono>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"

namespace ogi {
namespace {

constexpr size_t kMaxErrors = 100;
constexpr char kNdjson[] = "application/x-ndjson";
// A live subscription writes a blank line after this long without events: a
// write is how a departed client is noticed (its slot freed), so it is short.
constexpr std::chrono::seconds kKeepAlive(1);

HttpResponse Ok(std::string body, std::string content_type) {
  HttpResponse response;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

// The ABORTED answer of an append carries the stream's current version.
HttpResponse Conflict(const absl::Status& status, uint32_t current_version) {
  HttpResponse response = HttpResponse::Error(status);
  response.body.resize(response.body.size() - 3);  // "}}\n"
  absl::StrAppend(&response.body, ",\"currentVersion\":", current_version,
                  "}}\n");
  return response;
}

// Checks an upload on its headers: the caller may write, the body is within
// the route's cap, and JSON or JSON Lines (a form body is refused: curl -d
// would send one).
absl::Status AdmitUpload(IntakeService& service, const HttpRequest& request,
                         const TokenInfo* caller, bool import) {
  absl::Status may = service.CheckWrite(*caller);
  if (!may.ok()) return may;
  const std::string type = request.Header("content-type");
  if (absl::StartsWithIgnoreCase(type, "application/x-www-form-urlencoded") ||
      absl::StartsWithIgnoreCase(type, "multipart/"))
    return absl::InvalidArgumentError(
        "Content-Type: send application/json or application/x-ndjson "
        "(curl: --data-binary @FILE -H 'Content-Type: application/json')");
  uint64_t length = 0;
  const uint64_t cap = import ? kMaxImportBody : kMaxAppendBody;
  if (request.HeaderCount("content-length") == 1 &&
      absl::SimpleAtoi(request.Header("content-length"), &length) &&
      length > cap)
    return absl::ResourceExhaustedError(
        import ? absl::StrCat("an import body takes at most ", cap >> 20,
                              " MiB; split it")
               : absl::StrCat("an append takes at most ", cap >> 20,
                              " MiB; use /v1/import"));
  return absl::OkStatus();
}

// The body's events: one JSON object, or JSON Lines when the content type is
// application/x-ndjson or the route is an import (blank lines skipped).
// Refusals name the line; `lines` gets each event's line number.
absl::StatusOr<std::vector<v1::Event>> ParseBody(const HttpRequest& request,
                                                 bool import,
                                                 EngineFields engine_fields,
                                                 std::vector<size_t>& lines) {
  std::vector<v1::Event> events;
  std::vector<std::string> errors;
  const bool ndjson =
      import || absl::StartsWith(request.Header("content-type"), kNdjson);
  if (!ndjson) {
    absl::StatusOr<v1::Event> event =
        ParseEventJson(request.body, engine_fields);
    if (!event.ok()) return event.status();
    lines.push_back(1);
    events.push_back(*std::move(event));
    return events;
  }
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(request.body, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<v1::Event> event = ParseEventJson(line, engine_fields);
    if (!event.ok()) {
      if (errors.size() < kMaxErrors)
        errors.push_back(
            absl::StrCat("line ", line_number, ": ", event.status().message()));
      continue;
    }
    lines.push_back(line_number);
    events.push_back(*std::move(event));
  }
  if (!errors.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "refused, nothing written:\n", absl::StrJoin(errors, "\n")));
  if (events.empty())
    return absl::InvalidArgumentError("no events in the body");
  return events;
}

// The service names events by index ("event N: " in an import, "event N of
// M: " in an append); over HTTP the line is what the sender can find.
absl::Status ByLine(const absl::Status& status,
                    const std::vector<size_t>& lines) {
  if (status.ok()) return status;
  std::string out;
  for (absl::string_view part : absl::StrSplit(status.message(), '\n')) {
    if (!out.empty()) out += '\n';
    size_t index = 0;
    absl::string_view rest = part;
    if (absl::ConsumePrefix(&rest, "event ")) {
      const size_t colon = rest.find(": ");
      const size_t end = std::min(colon, rest.find(" of "));
      if (colon != absl::string_view::npos &&
          absl::SimpleAtoi(rest.substr(0, end), &index) && index >= 1 &&
          index <= lines.size()) {
        absl::StrAppend(&out, "line ", lines[index - 1], rest.substr(colon));
        continue;
      }
    }
    out.append(part.data(), part.size());
  }
  return absl::Status(status.code(), out);
}

std::string EventLine(const v1::Event& event) {
  std::string line = MessageToJson(event);
  line += '\n';
  return line;
}

HttpResponse ServeAppend(IntakeService& service, const HttpRequest& request,
                         const TokenInfo& caller) {
  std::vector<size_t> lines;
  absl::StatusOr<std::vector<v1::Event>> events =
      ParseBody(request, false, EngineFields::kRefuse, lines);
  if (!events.ok()) return HttpResponse::Error(events.status());
  const v1::Event first = events->front();
  absl::StatusOr<std::vector<AppendedEvent>> appended =
      service.Append(caller, *std::move(events));
  if (!appended.ok()) {
    absl::Status status =
        lines.size() > 1 ? ByLine(appended.status(), lines) : appended.status();
    if (absl::IsAborted(status))
      return Conflict(status, service.CurrentVersion(first));
    return HttpResponse::Error(status);
  }
  std::string body = "{\"results\":[";
  for (size_t i = 0; i < appended->size(); ++i) {
    const AppendedEvent& a = (*appended)[i];
    absl::StrAppend(
        &body, i ? "," : "", "{\"position\":", a.position,
        ",\"version\":", a.version, ",\"duplicate\":",
        a.outcome == AppendedEvent::Outcome::kDuplicate ? "true" : "false",
        "}");
  }
  body += "]}\n";
  return Ok(std::move(body), "application/json");
}

HttpResponse ServeImport(IntakeService& service, const HttpRequest& request,
                         const TokenInfo& caller) {
  std::vector<size_t> lines;
  // An import takes `ogi export` output, as `ogi import` does.
  absl::StatusOr<std::vector<v1::Event>> events =
      ParseBody(request, true, EngineFields::kIgnore, lines);
  if (!events.ok()) return HttpResponse::Error(events.status());
  absl::StatusOr<ImportResult> result =
      service.Import(caller, *std::move(events));
  if (!result.ok()) return HttpResponse::Error(ByLine(result.status(), lines));
  return Ok(absl::StrCat("{\"events\":", result->events,
                         ",\"appended\":", result->appended,
                         ",\"duplicates\":", result->duplicates,
                         ",\"headPosition\":", result->head_position, "}\n"),
            "application/json");
}

HttpResponse ServeDeadline(IntakeService& service, const HttpRequest& request,
                           const TokenInfo& caller) {
  std::optional<absl::CivilDay> on;
  if (request.HasParam("on")) {
    absl::StatusOr<absl::CivilDay> day = ParseCivilDay(request.Param("on"));
    if (!day.ok())
      return HttpResponse::Error(absl::InvalidArgumentError(
          absl::StrCat("on: ", day.status().message())));
    on = *day;
  }
  absl::StatusOr<std::string> json =
      service.Deadline(caller, request.matches[0], on);
  if (!json.ok()) return HttpResponse::Error(json.status());
  return Ok(*std::move(json), "application/json");
}

HttpResponse ServeReadCase(IntakeService& service, const HttpRequest& request,
                           const TokenInfo& caller) {
  absl::StatusOr<std::vector<v1::Event>> events =
      service.ReadCase(caller, request.matches[0]);
  if (!events.ok()) return HttpResponse::Error(events.status());
  std::string body;
  for (const v1::Event& event : *events) body += EventLine(event);
  return Ok(std::move(body), kNdjson);
}

bool IsTrue(const std::string& flag) { return flag == "1" || flag == "true"; }
bool IsFlag(const std::string& flag) {
  return flag.empty() || IsTrue(flag) || flag == "0" || flag == "false";
}

// A header value carries only ASCII: UTF-8 (the warnings are Chinese first)
// as %XX escapes, which decodeURIComponent reads back.
std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == ' ' || c == '/' || c == ':' || c == '(' || c == ')') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// ?document=1&date=YYYY-MM-DD[&strict=1]: the whole annual report document
// rather than the tables; nullopt without document.
absl::StatusOr<std::optional<ReportDocument>> DocumentParams(
    const HttpRequest& request) {
  const std::string document = request.Param("document");
  const std::string strict = request.Param("strict");
  if (!IsFlag(document))
    return absl::InvalidArgumentError("document must be 1, true, 0 or false");
  if (!IsFlag(strict))
    return absl::InvalidArgumentError("strict must be 1, true, 0 or false");
  if (!IsTrue(document)) {
    if (request.HasParam("date") || IsTrue(strict))
      return absl::InvalidArgumentError(
          "date and strict are for the whole document: add document=1");
    return std::nullopt;
  }
  if (!request.HasParam("date") || request.Param("date").empty())
    return absl::InvalidArgumentError(
        "date: the whole document needs date=YYYY-MM-DD, the day the agency "
        "signs the report");
  absl::StatusOr<absl::CivilDay> day = ParseCivilDay(request.Param("date"));
  if (!day.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("date: ", day.status().message()));
  return ReportDocument{*day, IsTrue(strict)};
}

HttpResponse ServeReport(IntakeService& service, const HttpRequest& request,
                         const TokenInfo& caller) {
  int year = 0;  // too many digits: 0, refused by the service
  (void)absl::SimpleAtoi(request.matches[1], &year);
  const std::string rollup = request.Param("rollup");
  if (!IsFlag(rollup))
    return HttpResponse::Error(
        absl::InvalidArgumentError("rollup must be 1, true, 0 or false"));
  absl::Time as_of = absl::InfiniteFuture();
  if (request.HasParam("asOf")) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, request.Param("asOf"), &as_of,
                         &error))
      return HttpResponse::Error(absl::InvalidArgumentError(
          "asOf must be an RFC 3339 instant such as 2024-01-12T00:00:00Z"));
  }
  absl::StatusOr<std::optional<ReportDocument>> document =
      DocumentParams(request);
  if (!document.ok()) return HttpResponse::Error(document.status());
  absl::StatusOr<RenderedReport> report =
      service.Report(caller, request.matches[0], year,
                     IsTrue(rollup) ? Scope::kRollup : Scope::kAgency, as_of,
                     request.Param("format"), *document);
  if (!report.ok()) return HttpResponse::Error(report.status());
  HttpResponse response =
      Ok(std::move(report->body), std::move(report->content_type));
  if (document->has_value()) {
    response.headers.emplace_back("X-Ogi-Warnings",
                                  absl::StrCat(report->warnings.size()));
    if (!report->warnings.empty())
      response.headers.emplace_back(
          "X-Ogi-Warnings-Text",
          PercentEncode(absl::StrJoin(report->warnings, "\n")));
  }
  return response;
}

// Gives a live HTTP subscription's place back when the stream ends (or is
// never run).
struct LiveCount {
  explicit LiveCount(std::shared_ptr<std::atomic<int>> n) : n(std::move(n)) {}
  ~LiveCount() { --*n; }
  std::shared_ptr<std::atomic<int>> n;
};

// The global log from ?from=P (default 1) as JSON Lines: catch-up, then,
// unless follow=0, live until the client goes away. Blank lines are
// keep-alives, sent when nothing happened for kKeepAlive.
HttpResponse ServeSubscribe(IntakeService& service, const HttpRequest& request,
                            const TokenInfo& caller,
                            const std::shared_ptr<std::atomic<int>>& live,
                            int max_live) {
  uint64_t from = 1;
  if (request.HasParam("from") &&
      !absl::SimpleAtoi(request.Param("from"), &from))
    return HttpResponse::Error(
        absl::InvalidArgumentError("from must be a log position"));
  absl::Status may = service.CheckSubscribe(caller);
  if (!may.ok()) return HttpResponse::Error(may);
  const bool follow = request.Param("follow") != "0";
  std::shared_ptr<LiveSlot> slot;
  std::shared_ptr<LiveCount> count;
  if (follow) {
    absl::StatusOr<std::unique_ptr<LiveSlot>> reserved =
        service.ReserveLive(caller);
    if (!reserved.ok()) return HttpResponse::Error(reserved.status());
    slot = *std::move(reserved);
    // A live subscription holds a handler thread while it lasts; keep the
    // rest for appends and reads.
    if (live->fetch_add(1) >= max_live) {
      --*live;
      return HttpResponse::Error(
          absl::UnavailableError("too many live HTTP subscriptions; "
                                 "subscribe over gRPC, or retry later"));
    }
    count = std::make_shared<LiveCount>(live);
  }
  HttpResponse response;
  response.content_type = kNdjson;
  response.stream = [&service, who = caller, from, follow, slot,
                     count](HttpStreamSink& sink) {
    using Clock = std::chrono::steady_clock;
    Clock::time_point last_write = Clock::now();
    bool broken = false;
    const uint64_t until = follow ? 0 : service.HeadPosition();
    if (!follow && until < from) return;  // nothing to send
    absl::Status status = service.Subscribe(
        who, from, until,
        [&](const v1::Event& event) {
          last_write = Clock::now();
          if (!sink.Write(EventLine(event))) broken = true;
          return !broken;
        },
        [&] {
          if (broken) return true;
          if (Clock::now() - last_write > kKeepAlive) {
            last_write = Clock::now();
            if (!sink.Write("\n")) broken = true;
          }
          return broken;
        });
    if (!status.ok() && !broken) {
      // The headers are gone already; the error ends the stream as a line.
      std::string line = "{\"error\":{\"code\":";
      AppendJsonString(CodeName(status.code()), line);
      line += ",\"message\":";
      AppendJsonString(status.message(), line);
      line += "}}\n";
      (void)sink.Write(line);
    }
  };
  return response;
}

}  // namespace

HttpRouter MakeIntakeRouter(IntakeService& service) {
  return HttpRouter([&service](absl::string_view bearer) {
    return service.Authenticate(bearer);
  });
}

void AddIntakeRoutes(HttpRouter& router, IntakeService& service,
                     IntakeRoutesOptions options) {
  using Auth = HttpRouter::Auth;
  IntakeService* s = &service;
  router.Add({.method = "GET",
              .pattern = "/v1/health",
              .operation = "Health",
              .auth = Auth::kNone,
              .handler = [s, extra = options.health_extra](const HttpRequest&,
                                                           const TokenInfo*) {
                std::string body =
                    absl::StrCat("{\"status\":\"",
                                 s->IsServing() ? "serving" : "shutting down",
                                 "\",\"headPosition\":", s->HeadPosition(),
                                 ",\"refused\":", s->RefusalsJson());
                if (extra) {
                  const std::string more = extra();
                  if (!more.empty()) absl::StrAppend(&body, ",", more);
                }
                body += "}\n";
                return Ok(std::move(body), "application/json");
              }});
  router.Add({.method = "POST",
              .pattern = "/v1/events",
              .operation = "Append",
              .handler =
                  [s](const HttpRequest& r, const TokenInfo* caller) {
                    return ServeAppend(*s, r, *caller);
                  },
              .admit =
                  [s](const HttpRequest& r, const TokenInfo* caller) {
                    return AdmitUpload(*s, r, caller, false);
                  },
              .max_body = kMaxAppendBody});
  router.Add({.method = "POST",
              .pattern = "/v1/import",
              .operation = "Import",
              .handler =
                  [s](const HttpRequest& r, const TokenInfo* caller) {
                    return ServeImport(*s, r, *caller);
                  },
              .admit =
                  [s](const HttpRequest& r, const TokenInfo* caller) {
                    return AdmitUpload(*s, r, caller, true);
                  },
              .max_body = kMaxImportBody});
  router.Add({.method = "GET",
              .pattern = "/v1/deadlines/(.+)",
              .operation = "Deadline",
              .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
                return ServeDeadline(*s, r, *caller);
              }});
  router.Add({.method = "GET",
              .pattern = "/v1/cases/(.+)",
              .operation = "ReadCase",
              .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
                return ServeReadCase(*s, r, *caller);
              }});
  router.Add({.method = "GET",
              .pattern = R"(/v1/reports/(.+)/(\d+))",
              .operation = "Report",
              .handler = [s](const HttpRequest& r, const TokenInfo* caller) {
                return ServeReport(*s, r, *caller);
              }});
  auto live = std::make_shared<std::atomic<int>>(0);
  router.Add({.method = "GET",
              .pattern = "/v1/events",
              .operation = "Subscribe",
              .handler = [s, live, max_live = std::max(1, options.max_live)](
                             const HttpRequest& r, const TokenInfo* caller) {
                return ServeSubscribe(*s, r, *caller, live, max_live);
              }});
}

}  // namespace ogi
