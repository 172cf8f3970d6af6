// The web console's routes through the socket-free router: the embedded
// pages and their headers, the session cookie as a credential (with its CSRF
// rule, revocation and expiry), the same scope checks as a token, and the
// read endpoints it added (due list paging and filters, digest check).
#include "serve/console_routes.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/serve_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "read/work_list.h"
#include "serve/console_assets.h"
#include "serve/http_routes.h"
#include "serve/service.h"
#include "serve/session.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::TestStore;
using ::testing::HasSubstr;
using ::testing::Not;

std::string HeaderOf(const HttpResponse& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (absl::EqualsIgnoreCase(k, name)) return v;
  return "";
}

// A cookie's value from a Set-Cookie header.
std::string CookieValue(const std::string& set_cookie) {
  const size_t eq = set_cookie.find('='), semi = set_cookie.find(';');
  return set_cookie.substr(eq + 1, semi - eq - 1);
}

class ConsoleRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(
        store_
            ->Append(
                {RegisterAgency("city"), RegisterAgency("city-a", "city"),
                 RegisterAgency("city-b", "city"),
                 Receive("A-1", "city-a", "2024-05-06"),
                 Receive("A-2", "city-a", "2024-05-20"),
                 Receive("A-3", "city-a", "2024-03-01"),
                 CaseEvent("A-3", "2024-03-02",
                           R"("correctionRequested":{"dueOn":"2024-03-20"})"),
                 Receive("B-1", "city-b", "2024-05-06")})
            .status());
    constexpr uint32_t kAll = 1 | 2 | 4;
    a_desk_ = Token("a-desk", "city-a", TokenReach::kAgency, kAll);
    city_ = Token("city-hub", "city", TokenReach::kSubtree, 2 | 4);
    service_ = std::make_unique<IntakeService>(
        CommandServiceOptions(*store_.store, tokens_, Calendar::BuiltIn(),
                              store_.dir.Sub("index.pb"), store_.clock));
    router_ = std::make_unique<HttpRouter>(MakeIntakeRouter(*service_));
    AddIntakeRoutes(*router_, *service_, {});
    SessionOptions sessions;
    sessions.clock = &store_.clock;
    AddConsoleRoutes(*router_, *service_, sessions);
  }

  std::string Token(const std::string& name, const std::string& agency,
                    TokenReach reach, uint32_t scopes) {
    absl::StatusOr<std::string> token =
        tokens_.Create(name, agency, reach, scopes, absl::Now());
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    std::multimap<std::string, std::string> headers = {},
                    const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    ParseTarget(target, request);
    request.headers = std::move(headers);
    request.headers.emplace("host", "127.0.0.1:7780");
    if (!body.empty())
      request.headers.emplace("content-length", std::to_string(body.size()));
    HttpRouter::Admission admission = router_->Admit(request);
    if (admission.route == nullptr) return admission.refusal;
    request.body = body;
    return router_->Handle(admission, request);
  }

  // Signs in with `token`; returns the cookie and the CSRF token.
  std::pair<std::string, std::string> SignIn(const std::string& token) {
    HttpResponse r = Call("POST", "/console/api/session",
                          {{"content-type", "application/json"}},
                          absl::StrCat("{\"token\":\"", token, "\"}"));
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string csrf_key = "\"csrf\":\"";
    const size_t at = r.body.find(csrf_key) + csrf_key.size();
    return {absl::StrCat(kSessionCookie, "=",
                         CookieValue(HeaderOf(r, "Set-Cookie"))),
            r.body.substr(at, r.body.find('"', at) - at)};
  }

  TestStore store_;
  TokenFile tokens_{store_.dir.Sub("tokens")};
  std::unique_ptr<IntakeService> service_;
  std::unique_ptr<HttpRouter> router_;
  std::string a_desk_, city_;
};

TEST_F(ConsoleRoutesTest, EveryDeepLinkIsTheAppWithItsSecurityAndCacheHeaders) {
  ASSERT_FALSE(ConsoleAssets().empty());
  for (const char* path :
       {"/console", "/console/", "/console/due", "/console/cases/A-1",
        "/console/reports/city/2024?rollup=1",
        "/console/reports/city/2024/cells/applications/new/total"}) {
    HttpResponse r = Call("GET", path, {{"accept-encoding", "gzip, br"}});
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.content_type, HasSubstr("text/html"));
    EXPECT_EQ(HeaderOf(r, "Content-Security-Policy"), kConsoleCsp);
    EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "gzip");
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(HeaderOf(r, "X-Frame-Options"), "DENY");
  }
  HttpResponse plain = Call("GET", "/console/due");
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
  EXPECT_THAT(plain.body, HasSubstr("<div id=\"app\">"));
  EXPECT_THAT(plain.body, Not(HasSubstr("A-1")));
  EXPECT_THAT(plain.body, Not(HasSubstr("<script>")));  // no inline script
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (!absl::StartsWith(asset.path, "/assets/")) continue;
    HttpResponse r = Call("GET", absl::StrCat("/console", asset.path));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, asset.raw);
    EXPECT_THAT(HeaderOf(r, "Cache-Control"), HasSubstr("immutable"));
    HttpResponse again = Call("GET", absl::StrCat("/console", asset.path),
                              {{"if-none-match", std::string(asset.etag)}});
    EXPECT_EQ(again.status, 304);
  }
  EXPECT_EQ(Call("GET", "/console/assets/missing.js").status, 404);
}

TEST_F(ConsoleRoutesTest, TheSessionCookieIsHttpOnlyStrictAndActsAsItsToken) {
  EXPECT_EQ(Call("POST", "/console/api/session",
                 {{"content-type", "application/json"}},
                 R"({"token":"ogi_00000000_nope"})")
                .status,
            401);
  EXPECT_EQ(
      Call("POST", "/console/api/session",
           {{"content-type", "application/x-www-form-urlencoded"}}, "token=x")
          .status,
      400);
  HttpResponse r = Call("POST", "/console/api/session",
                        {{"content-type", "application/json"}},
                        absl::StrCat("{\"token\":\"", a_desk_, "\"}"));
  ASSERT_EQ(r.status, 200);
  const std::string set_cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_THAT(set_cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(r.body, Not(HasSubstr(a_desk_)));  // the token never comes back
  EXPECT_THAT(set_cookie, Not(HasSubstr(a_desk_)));
  auto [cookie, csrf] = SignIn(a_desk_);
  HttpResponse due = Call("GET", "/v1/due", {{"cookie", cookie}});
  ASSERT_EQ(due.status, 200) << due.body;
  EXPECT_THAT(due.body, HasSubstr("\"A-1\""));
  EXPECT_THAT(due.body, Not(HasSubstr("B-1")));
  // Without a cookie or token: nothing.
  EXPECT_EQ(Call("GET", "/v1/due").status, 401);
  EXPECT_EQ(Call("GET", "/v1/due", {{"cookie", "ogi_session=forged"}}).status,
            401);
}

TEST_F(ConsoleRoutesTest,
       AWriteWithTheCookieNeedsTheCsrfTokenAndTheSameOrigin) {
  auto [cookie, csrf] = SignIn(a_desk_);
  const std::string event =
      R"({"caseId":"A-1","occurredOn":"2024-05-07","extended":{"workingDays":5}})";
  const uint64_t head = store_->HeadPosition();
  EXPECT_EQ(
      Call("POST", "/v1/events",
           {{"cookie", cookie}, {"content-type", "application/json"}}, event)
          .status,
      403);
  EXPECT_EQ(Call("POST", "/v1/events",
                 {{"cookie", cookie},
                  {"content-type", "application/json"},
                  {"x-csrf-token", "wrong"}},
                 event)
                .status,
            403);
  EXPECT_EQ(Call("POST", "/v1/events",
                 {{"cookie", cookie},
                  {"content-type", "application/json"},
                  {"x-csrf-token", csrf},
                  {"origin", "https://evil.example"}},
                 event)
                .status,
            403);
  EXPECT_EQ(store_->HeadPosition(), head);  // nothing written
  HttpResponse ok = Call("POST", "/v1/events",
                         {{"cookie", cookie},
                          {"content-type", "application/json"},
                          {"x-csrf-token", csrf},
                          {"origin", "http://127.0.0.1:7780"}},
                         event);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(store_->HeadPosition(), head + 1);
}

TEST_F(ConsoleRoutesTest, ASessionSeesOnlyWhatItsTokenMayByUrlEither) {
  auto [cookie, csrf] = SignIn(a_desk_);
  EXPECT_EQ(Call("GET", "/v1/cases/B-1", {{"cookie", cookie}}).status, 404);
  EXPECT_EQ(Call("GET", "/v1/due?agency=city-b", {{"cookie", cookie}}).status,
            403);
  EXPECT_EQ(Call("GET", "/v1/due?agency=city-a&rollup=1", {{"cookie", cookie}})
                .status,
            403);
  EXPECT_EQ(Call("GET", "/v1/reports/city-b/2024/cells/applications/new/total",
                 {{"cookie", cookie}})
                .status,
            403);
  HttpResponse cell =
      Call("GET", "/v1/reports/city-a/2024/cells/applications/new/total",
           {{"cookie", cookie}});
  EXPECT_EQ(cell.status, 200) << cell.body;
  EXPECT_THAT(cell.body, HasSubstr("\"A-1\""));
  // The city's roll-up token reaches both.
  auto [city_cookie, city_csrf] = SignIn(city_);
  HttpResponse all = Call("GET", "/v1/due", {{"cookie", city_cookie}});
  EXPECT_THAT(all.body, HasSubstr("\"B-1\""));
  EXPECT_THAT(all.body, HasSubstr("\"A-1\""));
}

TEST_F(ConsoleRoutesTest, ACellsCasesComeAPageAtATimeWithTheirTotal) {
  auto [cookie, csrf] = SignIn(city_);
  const std::string cell =
      "/v1/reports/city/2024/cells/applications/new/total?rollup=1";
  HttpResponse whole = Call("GET", cell, {{"cookie", cookie}});
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_THAT(whole.body, HasSubstr("\"total\":4,\"offset\":0,\"limit\":100"));
  // By agency, then case id: A-1, A-2, A-3, B-1.
  HttpResponse second =
      Call("GET", cell + "&offset=1&limit=2", {{"cookie", cookie}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_THAT(second.body, HasSubstr("\"total\":4,\"offset\":1,\"limit\":2"));
  EXPECT_THAT(second.body, HasSubstr("\"A-2\""));
  EXPECT_THAT(second.body, HasSubstr("\"A-3\""));
  EXPECT_THAT(second.body, Not(HasSubstr("\"A-1\"")));
  EXPECT_THAT(second.body, Not(HasSubstr("\"B-1\"")));
  HttpResponse beyond = Call("GET", cell + "&offset=9", {{"cookie", cookie}});
  EXPECT_THAT(beyond.body, HasSubstr("\"total\":4,\"offset\":4"));
  EXPECT_THAT(beyond.body, HasSubstr("\"cases\":[]"));
  for (const char* bad : {"&limit=0", "&limit=1001", "&offset=-1"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Call("GET", cell + bad, {{"cookie", cookie}}).status, 400);
  }
  // A case appended since is in the next answer (the index catches up).
  ASSERT_OK(store_->Append({Receive("B-2", "city-b", "2024-05-31")}).status());
  HttpResponse after = Call("GET", cell + "&offset=4", {{"cookie", cookie}});
  EXPECT_THAT(after.body, HasSubstr("\"total\":5"));
  EXPECT_THAT(after.body, HasSubstr("\"B-2\""));
}

TEST_F(ConsoleRoutesTest, ACellsChangesSinceAnInstantAreTheCasesThatMovedIt) {
  auto [cookie, csrf] = SignIn(city_);
  const std::string since = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%SZ", store_.clock.Now(), absl::UTCTimeZone());
  store_.clock.Advance(absl::Minutes(1));
  ASSERT_OK(store_
                ->Append({Receive("A-4", "city-a", "2024-04-01"),
                          CaseEvent("A-1", "2024-05-31",
                                    R"("answered":{"outcome":"DISCLOSED"})")})
                .status());
  const std::string cells = "/v1/reports/city/2024/cells/applications/";
  const std::string query = "/changes?rollup=1&asOf=" + since;
  // A late entry entered 新收; A-1, answered, left 结转下年度 and A-4 entered
  // it.
  HttpResponse added =
      Call("GET", cells + "new/total" + query, {{"cookie", cookie}});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_THAT(added.body, HasSubstr("\"total\":1,"));
  EXPECT_THAT(added.body,
              HasSubstr("{\"caseId\":\"A-4\",\"agencyId\":\"city-a\","
                        "\"was\":0,\"now\":1,\"step\":\"received\""));
  HttpResponse carried =
      Call("GET", cells + "carried_out/total" + query, {{"cookie", cookie}});
  ASSERT_EQ(carried.status, 200) << carried.body;
  EXPECT_THAT(carried.body, HasSubstr("\"total\":2,"));
  EXPECT_THAT(carried.body,
              HasSubstr("{\"caseId\":\"A-1\",\"agencyId\":\"city-a\","
                        "\"was\":1,\"now\":0,\"step\":\"answered\""));
  EXPECT_THAT(carried.body, HasSubstr("\"caseId\":\"A-4\""));
  HttpResponse page =
      Call("GET", cells + "carried_out/total" + query + "&offset=1&limit=1",
           {{"cookie", cookie}});
  EXPECT_THAT(page.body, HasSubstr("\"total\":2,\"offset\":1,\"limit\":1"));
  EXPECT_THAT(page.body, Not(HasSubstr("\"A-1\"")));
  // Since now: nothing. Without asOf: refused; another agency's: forbidden.
  HttpResponse none =
      Call("GET",
           cells + "new/total/changes?rollup=1&asOf=" +
               absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", store_.clock.Now(),
                                absl::UTCTimeZone()),
           {{"cookie", cookie}});
  EXPECT_THAT(none.body, HasSubstr("\"total\":0,"));
  EXPECT_EQ(
      Call("GET", cells + "new/total/changes?rollup=1", {{"cookie", cookie}})
          .status,
      400);
  auto [a_cookie, a_csrf] = SignIn(a_desk_);
  EXPECT_EQ(Call("GET",
                 "/v1/reports/city-b/2024/cells/applications/new/total/"
                 "changes?asOf=" +
                     since,
                 {{"cookie", a_cookie}})
                .status,
            403);
}

TEST_F(ConsoleRoutesTest, SignOutRevocationAndIdlenessEndTheSession) {
  auto [cookie, csrf] = SignIn(a_desk_);
  EXPECT_EQ(
      Call("POST", "/console/api/session/end", {{"cookie", cookie}}).status,
      403);  // sign-out is a write: it needs the CSRF token
  HttpResponse out = Call("POST", "/console/api/session/end",
                          {{"cookie", cookie}, {"x-csrf-token", csrf}});
  EXPECT_EQ(out.status, 200);
  EXPECT_THAT(HeaderOf(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(Call("GET", "/v1/due", {{"cookie", cookie}}).status, 401);

  auto [cookie2, csrf2] = SignIn(a_desk_);
  ASSERT_OK(tokens_.Revoke("a-desk", absl::Now()));
  EXPECT_EQ(Call("GET", "/v1/due", {{"cookie", cookie2}}).status, 401);

  auto [cookie3, csrf3] = SignIn(city_);
  EXPECT_EQ(Call("GET", "/v1/due", {{"cookie", cookie3}}).status, 200);
  store_.clock.Advance(absl::Hours(3));
  EXPECT_EQ(Call("GET", "/v1/due", {{"cookie", cookie3}}).status, 401);
}

TEST_F(ConsoleRoutesTest, TheDueListIsFilteredThenPaged) {
  DuePageOptions options;
  options.due.agency_id = "city";
  options.due.rollup = true;
  options.due.today = options.due.clock_day = absl::CivilDay(2024, 6, 1);
  options.limit = 2;
  ASSERT_OK_AND_ASSIGN(DuePage first,
                       DuePageOf(*store_.store, options, Calendar::BuiltIn()));
  EXPECT_EQ(first.total, 4u);
  ASSERT_EQ(first.rows.size(), 2u);
  options.offset = 2;
  ASSERT_OK_AND_ASSIGN(DuePage second,
                       DuePageOf(*store_.store, options, Calendar::BuiltIn()));
  ASSERT_EQ(second.rows.size(), 2u);
  EXPECT_NE(first.rows[0].case_id, second.rows[0].case_id);
  options.offset = 0;
  options.status = "lapsed";
  ASSERT_OK_AND_ASSIGN(DuePage lapsed,
                       DuePageOf(*store_.store, options, Calendar::BuiltIn()));
  ASSERT_EQ(lapsed.total, 1u);
  EXPECT_EQ(lapsed.rows[0].case_id, "A-3");
  EXPECT_THAT(RenderDuePage(lapsed),
              HasSubstr("\"waitingForCodes\":[\"correction\"]"));
  options.status = "";
  options.case_query = "b-";
  ASSERT_OK_AND_ASSIGN(DuePage found,
                       DuePageOf(*store_.store, options, Calendar::BuiltIn()));
  ASSERT_EQ(found.total, 1u);
  EXPECT_EQ(found.rows[0].case_id, "B-1");
  options.status = "unknown";
  EXPECT_FALSE(DuePageOf(*store_.store, options, Calendar::BuiltIn()).ok());
  options.status = "";
  options.limit = kMaxDuePage + 1;
  EXPECT_FALSE(DuePageOf(*store_.store, options, Calendar::BuiltIn()).ok());
}

// The open cases kept up to date answer exactly what a scan of the whole log
// does, after every kind of change: a case concluded, events after its
// conclusion, a new case, a new agency.
TEST_F(ConsoleRoutesTest, OpenCasesCaughtUpEqualAScanFromTheStart) {
  OpenCases open(*store_.store);
  DueOptions options;
  options.agency_id = "city";
  options.rollup = true;
  options.today = options.clock_day = absl::CivilDay(2024, 6, 1);
  auto ids = [](const std::vector<DueRow>& rows) {
    std::vector<std::string> out;
    for (const DueRow& r : rows)
      out.push_back(absl::StrCat(r.case_id, " ", r.standing));
    return out;
  };
  auto same = [&] {
    absl::StatusOr<std::vector<DueRow>> cached =
        open.Due(options, Calendar::BuiltIn());
    absl::StatusOr<std::vector<DueRow>> scanned =
        DueList(*store_.store, options, Calendar::BuiltIn());
    ASSERT_TRUE(cached.ok() && scanned.ok());
    EXPECT_EQ(ids(*cached), ids(*scanned));
  };
  same();
  ASSERT_OK(store_
                ->Append({CaseEvent("A-1", "2024-05-30",
                                    R"("answered":{"outcome":"DISCLOSED"})")})
                .status());
  same();
  ASSERT_OK(store_
                ->Append({CaseEvent("A-1", "2024-05-31",
                                    R"("archived":{"archiveRef":"X"})"),
                          RegisterAgency("city-c", "city"),
                          Receive("C-1", "city-c", "2024-05-31"),
                          CaseEvent("A-2", "2024-05-31",
                                    R"("extended":{"workingDays":10})")})
                .status());
  same();
  absl::StatusOr<std::vector<DueRow>> rows =
      open.Due(options, Calendar::BuiltIn());
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT(ids(*rows), ::testing::Contains(HasSubstr("C-1")));
  EXPECT_THAT(ids(*rows), Not(::testing::Contains(HasSubstr("A-1 "))));
}

TEST_F(ConsoleRoutesTest, TheDigestCheckSaysWhetherTheLogExtendsADigest) {
  ASSERT_OK_AND_ASSIGN(LogDigest head, HeadDigest(*store_.store));
  const std::string auth = absl::StrCat("Bearer ", city_);
  HttpResponse now = Call("GET", "/v1/digest", {{"authorization", auth}});
  EXPECT_THAT(now.body, HasSubstr(FormatLogDigest(head)));
  HttpResponse same =
      Call("GET", absl::StrCat("/v1/digest?check=", FormatLogDigest(head)),
           {{"authorization", auth}});
  EXPECT_THAT(same.body, HasSubstr("\"extends\":true"));
  LogDigest altered = head;
  altered.link[0] ^= 1;
  HttpResponse other =
      Call("GET", absl::StrCat("/v1/digest?check=", FormatLogDigest(altered)),
           {{"authorization", auth}});
  EXPECT_THAT(other.body, HasSubstr("\"extends\":false"));
  LogDigest beyond = head;
  beyond.position += 5;
  EXPECT_THAT(
      Call("GET", absl::StrCat("/v1/digest?check=", FormatLogDigest(beyond)),
           {{"authorization", auth}})
          .body,
      HasSubstr("beyond the head"));
  EXPECT_EQ(
      Call("GET", "/v1/digest?check=12:zz", {{"authorization", auth}}).status,
      400);
}

}  // namespace
}  // namespace ogi
