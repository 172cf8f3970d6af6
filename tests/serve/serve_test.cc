// The intake service through real clients: a gRPC stub and an HTTP client, on
// ephemeral loopback ports, against one store.
#include <arpa/inet.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "cli/serve_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "engine/personal_data.h"
#include "proto/service.grpc.pb.h"
#include "serve/server.h"
#include "serve/service.h"
#include "serve/tokens.h"
#include "tests/testing/builders.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::Ev;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::TestStore;
using ::testing::HasSubstr;

constexpr TokenReach kAgency = TokenReach::kAgency;
constexpr TokenReach kSubtree = TokenReach::kSubtree;

// The service as `ogi serve` builds it.
ServiceOptions OptionsFor(EventStore& store, TokenFile& tokens, Clock& clock,
                          const std::string& index_path) {
  return CommandServiceOptions(store, tokens, Calendar::BuiltIn(), index_path,
                               clock);
}

// The agency tree: city ─┬─ city-a ── city-a-1
//                        └─ city-b
class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(
        store_
            ->Append({RegisterAgency("city"), RegisterAgency("city-a", "city"),
                      RegisterAgency("city-a-1", "city-a"),
                      RegisterAgency("city-b", "city"),
                      Receive("A-1", "city-a", "2024-05-06"),
                      Receive("A1-1", "city-a-1", "2024-05-06"),
                      Receive("B-1", "city-b", "2024-05-06")})
            .status());
    constexpr uint32_t kAll = 1 | 2 | 4;
    city_ = MakeToken("city-hub", "city", kSubtree, kAll | 8);
    a_tree_ = MakeToken("a-portal", "city-a", kSubtree, kAll);
    a_only_ = MakeToken("a-desk", "city-a", kAgency, kAll);
    read_only_ = MakeToken("auditor", "city", kSubtree, 2 | 4);
    revoked_ = MakeToken("old", "city", kSubtree, kAll);
    ASSERT_OK(tokens_.Revoke("old", absl::Now()));

    service_ = std::make_unique<IntakeService>(OptionsFor(
        *store_.store, tokens_, store_.clock, store_.dir.Sub("index.pb")));
    ServerOptions server_options;
    server_options.grpc_address = "127.0.0.1:0";
    server_options.http_address = "127.0.0.1:0";
    ASSERT_OK_AND_ASSIGN(server_, Server::Start(*service_, server_options));
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::Intake::NewStub(channel_);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::string MakeToken(const std::string& name, const std::string& agency,
                        TokenReach reach, uint32_t scopes) {
    absl::StatusOr<std::string> token =
        tokens_.Create(name, agency, reach, scopes, absl::Now());
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty())
      context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }

  grpc::Status GrpcAppend(const std::string& token,
                          const std::vector<v1::Event>& events,
                          v1::AppendResponse* response = nullptr,
                          grpc::ClientContext* context = nullptr) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::AppendResponse ignored;
    std::unique_ptr<grpc::ClientContext> own;
    if (context == nullptr) {
      own = Context(token);
      context = own.get();
    }
    return stub_->Append(context, request,
                         response != nullptr ? response : &ignored);
  }

  grpc::Status GrpcImport(const std::string& token,
                          const std::vector<std::vector<v1::Event>>& chunks,
                          v1::ImportResponse* response) {
    auto context = Context(token);
    auto writer = stub_->Import(context.get(), response);
    for (const auto& chunk : chunks) {
      v1::ImportRequest request;
      for (const v1::Event& e : chunk) *request.add_events() = e;
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Subscribes with catch_up_only and returns the events received.
  grpc::Status GrpcCatchUp(const std::string& token, uint64_t from,
                           std::vector<v1::Event>& events) {
    auto context = Context(token);
    v1::SubscribeRequest request;
    request.set_from_position(from);
    request.set_catch_up_only(true);
    auto reader = stub_->Subscribe(context.get(), request);
    v1::Event event;
    while (reader->Read(&event)) events.push_back(event);
    return reader->Finish();
  }

  httplib::Result HttpPost(const std::string& path, const std::string& token,
                           const std::string& body,
                           const std::string& type = "application/json") {
    return http_->Post(path.c_str(), Auth(token), body, type.c_str());
  }

  httplib::Result HttpGet(const std::string& path, const std::string& token) {
    return http_->Get(path.c_str(), Auth(token));
  }

  TestStore store_;
  TokenFile tokens_{store_.dir.Sub("ogi-tokens")};
  std::unique_ptr<IntakeService> service_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Intake::Stub> stub_;
  std::unique_ptr<httplib::Client> http_;
  std::string city_, a_tree_, a_only_, read_only_, revoked_;
};

v1::Event Step(const std::string& case_id, const std::string& event_id) {
  v1::Event e = Ev(
      absl::StrCat(R"({"caseId":")", case_id, R"(","occurredOn":"2024-05-07",)",
                   R"("correctionRequested":{"note":"出生年月不清"}})"));
  e.set_event_id(event_id);
  return e;
}

std::string Json(const v1::Event& event) { return MessageToJson(event); }

// --- The auth matrix: every operation, both protocols. ---

struct Expect {
  std::string who;
  grpc::StatusCode grpc;
  int http;
};

// The whole annual report document over HTTP: the report route's checks, a
// clear refusal naming the parameter, and CheckDocument's warnings counted in
// a header (and listed, percent-encoded UTF-8).
TEST_F(ServeTest, ReportDocumentOverHttp) {
  const std::string path = "/v1/reports/city-a/2024?document=1";
  auto r = HttpGet(path + "&date=2025-01-20", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(r->body, HasSubstr("2024年政府信息公开工作年度报告"));
  EXPECT_THAT(r->body, HasSubstr("2025年1月20日"));
  // No narrative is set: one warning for each of the three parts.
  EXPECT_EQ(r->get_header_value("X-Ogi-Warnings"), "3");
  EXPECT_THAT(r->get_header_value("X-Ogi-Warnings-Text"),
              HasSubstr("document/overview"));
  // (httplib's client percent-decodes header values; the browser test reads
  // the escaped header back with decodeURIComponent.)
  EXPECT_THAT(r->get_header_value("X-Ogi-Warnings-Text"),
              HasSubstr("document/other"));
  // strict=1 refuses it; md is the other rendering.
  r = HttpGet(path + "&date=2025-01-20&strict=1", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  r = HttpGet(path + "&date=2025-01-20&format=md", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("markdown"));
  // Once every narrative is set, no warning.
  for (const char* section : {"OVERVIEW", "PROBLEMS", "OTHER"}) {
    grpc::Status set = GrpcAppend(
        city_, {Ev(absl::StrCat(R"({"agencyId":"city-a","occurredOn":)",
                                R"("2024-05-20","narrativeSet":{"year":)",
                                R"(2024,"section":")", section,
                                R"(","text":"概述"}})"))});
    ASSERT_TRUE(set.ok()) << set.error_message();
  }
  r = HttpGet(path + "&date=2025-01-20&strict=1", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("X-Ogi-Warnings"), "0");
  EXPECT_FALSE(r->has_header("X-Ogi-Warnings-Text"));
  // The tables carry no warnings header.
  r = HttpGet("/v1/reports/city-a/2024?format=html", city_);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("X-Ogi-Warnings"));
  // Refusals name the parameter.
  const struct {
    std::string query;
    std::string message;
  } bad[] = {
      {"?document=1", "date: the whole document needs date=YYYY-MM-DD"},
      {"?document=1&date=", "date: the whole document needs"},
      {"?document=1&date=2025-02-30", "date: "},
      {"?document=1&date=2025-01-20&format=csv", "format: "},
      {"?document=1&date=2025-01-20&format=text", "format: "},
      {"?document=yes&date=2025-01-20", "document must be"},
      {"?date=2025-01-20", "add document=1"},
  };
  for (const auto& b : bad) {
    r = HttpGet("/v1/reports/city-a/2024" + b.query, city_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.query;
    EXPECT_THAT(r->body, HasSubstr("INVALID_ARGUMENT")) << b.query;
    EXPECT_THAT(r->body, HasSubstr(b.message)) << b.query;
  }
  // The report route's scope and reach: another agency's document is refused
  // as its tables are, and a token without report gets none.
  r = HttpGet("/v1/reports/city-b/2024?document=1&date=2025-01-20", a_tree_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("年度报告")));
  r = HttpGet("/v1/reports/city-a/2024?document=1&date=2025-01-20&rollup=1",
              a_only_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  const std::string no_report = MakeToken("reader", "city", kSubtree, 1 | 2);
  r = HttpGet(path + "&date=2025-01-20", no_report);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = HttpGet(path + "&date=2025-01-20", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServeTest, EveryOperationChecksTokenScopeAndAgency) {
  const std::string garbage = "ogi_00000000_" + std::string(43, 'x');
  // Operations on agency city-b (outside a_tree_ and a_only_).
  struct Op {
    std::string name;
    std::function<grpc::StatusCode(const std::string&)> grpc;
    std::function<int(const std::string&)> http;
    // Whose scope lacks the operation.
    std::string lacking;
  };
  int n = 0;
  auto fresh = [&] { return absl::StrCat("N-", ++n); };
  std::vector<Op> ops = {
      {"Append",
       [&](const std::string& t) {
         return GrpcAppend(t, {Receive(fresh(), "city-b", "2024-05-06")})
             .error_code();
       },
       [&](const std::string& t) {
         auto r = HttpPost("/v1/events", t,
                           Json(Receive(fresh(), "city-b", "2024-05-06")));
         return r ? r->status : -1;
       },
       read_only_},
      {"Import",
       [&](const std::string& t) {
         v1::ImportResponse response;
         return GrpcImport(t, {{Receive(fresh(), "city-b", "2024-05-06")}},
                           &response)
             .error_code();
       },
       [&](const std::string& t) {
         auto r = HttpPost("/v1/import", t,
                           Json(Receive(fresh(), "city-b", "2024-05-06")),
                           "application/x-ndjson");
         return r ? r->status : -1;
       },
       read_only_},
      {"ReadCase",
       [&](const std::string& t) {
         v1::ReadCaseRequest request;
         request.set_case_id("B-1");
         v1::ReadCaseResponse response;
         return stub_->ReadCase(Context(t).get(), request, &response)
             .error_code();
       },
       [&](const std::string& t) {
         auto r = HttpGet("/v1/cases/B-1", t);
         return r ? r->status : -1;
       },
       ""},
      {"Deadline",
       [&](const std::string& t) {
         v1::DeadlineRequest request;
         request.set_case_id("B-1");
         v1::DeadlineResponse response;
         return stub_->Deadline(Context(t).get(), request, &response)
             .error_code();
       },
       [&](const std::string& t) {
         auto r = HttpGet("/v1/deadlines/B-1", t);
         return r ? r->status : -1;
       },
       ""},
      {"Report",
       [&](const std::string& t) {
         v1::ReportRequest request;
         request.set_agency_id("city-b");
         request.set_year(2024);
         v1::ReportResponse response;
         return stub_->Report(Context(t).get(), request, &response)
             .error_code();
       },
       [&](const std::string& t) {
         auto r = HttpGet("/v1/reports/city-b/2024", t);
         return r ? r->status : -1;
       },
       ""},
      {"Subscribe",
       [&](const std::string& t) {
         std::vector<v1::Event> events;
         grpc::Status s = GrpcCatchUp(t, 1, events);
         // In-scope callers see city-b's events; others nothing of them.
         const bool saw_b = std::any_of(
             events.begin(), events.end(),
             [](const v1::Event& e) { return e.agency_id() == "city-b"; });
         return s.ok() && !saw_b ? grpc::StatusCode::PERMISSION_DENIED
                                 : s.error_code();
       },
       [&](const std::string& t) {
         auto r = HttpGet("/v1/events?from=1&follow=0", t);
         if (!r) return -1;
         if (r->status == 200 &&
             r->body.find("\"agencyId\":\"city-b\"") == std::string::npos)
           return 403;
         return r->status;
       },
       ""},
  };
  const std::string no_report = MakeToken("no-report", "city", kSubtree, 1 | 2);
  const std::string no_read = MakeToken("no-read", "city", kSubtree, 1 | 4);
  for (Op& op : ops) {
    SCOPED_TRACE(op.name);
    std::string lacking = op.lacking;
    if (op.name == "Report") lacking = no_report;
    if (op.name == "ReadCase" || op.name == "Deadline" ||
        op.name == "Subscribe")
      lacking = no_read;
    // A case outside the token's agencies is answered as an unknown case.
    const bool on_case = op.name == "ReadCase" || op.name == "Deadline";
    const Expect outside =
        on_case ? Expect{"", grpc::StatusCode::NOT_FOUND, 404}
                : Expect{"", grpc::StatusCode::PERMISSION_DENIED, 403};
    std::vector<Expect> expects = {
        {"", grpc::StatusCode::UNAUTHENTICATED, 401},
        {garbage, grpc::StatusCode::UNAUTHENTICATED, 401},
        {revoked_, grpc::StatusCode::UNAUTHENTICATED, 401},
        {lacking, grpc::StatusCode::PERMISSION_DENIED, 403},
        {a_tree_, outside.grpc, outside.http},
        {a_only_, outside.grpc, outside.http},
        {city_, grpc::StatusCode::OK, 200},
    };
    for (const Expect& e : expects) {
      SCOPED_TRACE(e.who.empty() ? "no token" : e.who.substr(0, 12));
      EXPECT_EQ(op.grpc(e.who), e.grpc);
      EXPECT_EQ(op.http(e.who), e.http);
    }
  }
  // Health needs no token.
  v1::HealthResponse health;
  EXPECT_TRUE(
      stub_->Health(Context("").get(), v1::HealthRequest(), &health).ok());
  EXPECT_EQ(health.status(), v1::HealthResponse::SERVING);
  auto r = HttpGet("/v1/health", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServeTest, RollupReachesTheSubtreeOnlyAndAgencyOnlyTokensDoNot) {
  // a_tree_ appends to city-a-1 (under city-a); a_only_ may not.
  EXPECT_TRUE(GrpcAppend(a_tree_, {Step("A1-1", "s1")}).ok());
  EXPECT_EQ(GrpcAppend(a_only_, {Step("A1-1", "s2")}).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(GrpcAppend(a_only_, {Step("A-1", "s3")}).ok());
  // Registering an agency: under the subtree yes, elsewhere no.
  EXPECT_TRUE(GrpcAppend(a_tree_, {RegisterAgency("city-a-2", "city-a")}).ok());
  EXPECT_EQ(
      GrpcAppend(a_tree_, {RegisterAgency("city-b-1", "city-b")}).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // ... and the new agency is in a_tree_'s scope at once.
  EXPECT_TRUE(
      GrpcAppend(a_tree_, {Receive("A2-1", "city-a-2", "2024-05-06")}).ok());
  // A roll-up report needs a roll-up token.
  auto r = HttpGet("/v1/reports/city-a/2024?rollup=1", a_only_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = HttpGet("/v1/reports/city-a/2024?rollup=1", a_tree_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // Subscribe sends only the token's agencies.
  std::vector<v1::Event> events;
  ASSERT_TRUE(GrpcCatchUp(a_only_, 1, events).ok());
  ASSERT_FALSE(events.empty());
  for (const v1::Event& e : events) EXPECT_EQ(e.agency_id(), "city-a");
}

TEST_F(ServeTest, EveryAppendRecordsTheAuthenticatedSystemAsActor) {
  v1::Event with_actor = Step("A-1", "act-1");
  with_actor.set_actor("clerk-17");
  ASSERT_TRUE(GrpcAppend(a_only_, {with_actor}).ok());
  auto r = HttpPost("/v1/events", a_tree_, Json(Step("A1-1", "act-2")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_OK_AND_ASSIGN(auto first, store_->FindByEventId("city-a", "act-1"));
  ASSERT_OK_AND_ASSIGN(auto second, store_->FindByEventId("city-a-1", "act-2"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->actor(), "a-desk/clerk-17");
  EXPECT_EQ(second->actor(), "a-portal");
  // A retry of the same eventId is a duplicate, not a second event.
  v1::AppendResponse response;
  ASSERT_TRUE(GrpcAppend(a_only_, {with_actor}, &response).ok());
  EXPECT_TRUE(response.results(0).duplicate());
  EXPECT_EQ(response.results(0).position(), first->position());
}

TEST_F(ServeTest, VersionConflictIsAbortedWithTheCurrentVersion) {
  v1::Event e = Step("A-1", "vc-1");
  e.set_expected_version(5);
  auto context = Context(city_);
  grpc::Status s = GrpcAppend(city_, {e}, nullptr, context.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(s.error_message(), HasSubstr("current version 1"));
  auto it = context->GetServerTrailingMetadata().find("ogi-current-version");
  ASSERT_NE(it, context->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "1");

  auto r = HttpPost("/v1/events", city_, Json(e));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"ABORTED\""));
  EXPECT_THAT(r->body, HasSubstr("\"currentVersion\":1"));
  e.set_expected_version(1);
  EXPECT_TRUE(GrpcAppend(city_, {e}).ok());
}

TEST_F(ServeTest, ErrorsCarryTheCliMessagesAndCodes) {
  const uint64_t head = store_->HeadPosition();
  // Malformed JSON names the field; several lines name the line.
  auto r = HttpPost("/v1/events", city_,
                    R"({"caseId":"A-1","occurredOn":"2024-05-07","bogus":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("bogus"));
  r = HttpPost(
      "/v1/events", city_,
      Json(Step("A-1", "e-1")) + "\n\n" + Json(Step("NOPE", "e-2")) + "\n",
      "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("line 3: case NOPE: unknown case"));
  // A lifecycle refusal in the second event refuses both (atomic).
  v1::Event answered = Ev(
      R"({"caseId":"A-1","occurredOn":"2024-05-08","answered":{"outcome":"DISCLOSED"}})");
  v1::Event again = answered;
  r = HttpPost("/v1/events", city_, Json(answered) + "\n" + Json(again),
               "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_THAT(r->body, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_EQ(store_->HeadPosition(), head);
  // The same over gRPC.
  grpc::Status s = GrpcAppend(city_, {answered, again});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("event 2 of 2: "));
  EXPECT_EQ(store_->HeadPosition(), head);
  // No personal data in errors: an applicant's name in a refused event is not
  // echoed.
  v1::Event dup = Receive("A-1", "city-a", "2024-05-06");
  r = HttpPost("/v1/events", city_, Json(dup));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("张某")));
}

TEST_F(ServeTest, ImportIsRefusedWholeOnOneBadEventAndIdempotent) {
  const uint64_t head = store_->HeadPosition();
  std::vector<std::vector<v1::Event>> chunks;
  for (int c = 0; c < 3; ++c) {
    std::vector<v1::Event> chunk;
    for (int i = 0; i < 100; ++i) {
      v1::Event e =
          Receive(absl::StrCat("IMP-", c, "-", i), "city-a", "2024-05-06");
      e.set_event_id(absl::StrCat("imp-", c, "-", i));
      chunk.push_back(e);
    }
    chunks.push_back(chunk);
  }
  auto bad = chunks;
  bad[2][50] = Step("IMP-NONE", "imp-bad");  // an unknown case: event 251
  v1::ImportResponse response;
  grpc::Status s = GrpcImport(city_, bad, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("nothing written"));
  EXPECT_THAT(s.error_message(), HasSubstr("event 251: case IMP-NONE"));
  EXPECT_EQ(store_->HeadPosition(), head);

  s = GrpcImport(city_, chunks, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.appended(), 300u);
  EXPECT_EQ(response.head_position(), head + 300);
  s = GrpcImport(city_, chunks, &response);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(response.appended(), 0u);
  EXPECT_EQ(response.duplicates(), 300u);

  // Over HTTP, the refusal names the line.
  std::string body;
  for (int i = 0; i < 5; ++i) {
    v1::Event e = Receive(absl::StrCat("H-", i), "city-a", "2024-05-06");
    body += Json(e) + "\n";
  }
  body +=
      R"({"caseId":"H-0","occurredOn":"2024-05-07","answered":{"outcome":"NOPE"}})";
  auto r = HttpPost("/v1/import", city_, body, "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("line 6: "));
  EXPECT_EQ(store_->HeadPosition(), head + 300);
}

TEST_F(ServeTest, ReadCaseMasksPersonalDataWithoutThePersonalScope) {
  v1::ReadCaseRequest request;
  request.set_case_id("A-1");
  v1::ReadCaseResponse masked, shown;
  ASSERT_TRUE(stub_->ReadCase(Context(a_tree_).get(), request, &masked).ok());
  ASSERT_TRUE(stub_->ReadCase(Context(city_).get(), request, &shown).ok());
  ASSERT_EQ(masked.events_size(), 1);
  EXPECT_NE(masked.events(0).received().applicant().name(), "张某");
  EXPECT_EQ(shown.events(0).received().applicant().name(), "张某");
  auto r = HttpGet("/v1/cases/A-1", a_tree_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("张某")));
  EXPECT_THAT(r->body, HasSubstr("\"caseId\":\"A-1\""));
}

TEST_F(ServeTest, ReportAndDeadlineAreTheCommandsOutputs) {
  ReportOptions options;
  options.request.year = 2024;
  options.request.agency_id = "city";
  options.request.scope = Scope::kRollup;
  options.format = ReportFormat::kCsv;
  std::ostringstream expected;
  ASSERT_OK(ReportCommand(*store_.store, options, expected));
  auto r = HttpGet("/v1/reports/city/2024?rollup=1&format=csv", read_only_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, expected.str());
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  v1::ReportRequest request;
  request.set_agency_id("city");
  request.set_year(2024);
  request.set_rollup(true);
  request.set_format("csv");
  v1::ReportResponse response;
  ASSERT_TRUE(
      stub_->Report(Context(read_only_).get(), request, &response).ok());
  EXPECT_EQ(response.body(), expected.str());

  std::ostringstream deadline;
  ASSERT_OK(DeadlineCommand(*store_.store, "B-1", Calendar::BuiltIn(),
                            absl::CivilDay(2024, 6, 1), OutputFormat::kJson,
                            deadline));
  r = HttpGet("/v1/deadlines/B-1", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, deadline.str());
  v1::DeadlineRequest dr;
  dr.set_case_id("B-1");
  dr.set_on("2024-06-01");
  v1::DeadlineResponse dresponse;
  ASSERT_TRUE(stub_->Deadline(Context(city_).get(), dr, &dresponse).ok());
  EXPECT_EQ(dresponse.json(), deadline.str());
}

TEST_F(ServeTest, SubscribeCatchesUpThenGoesLiveInOrderWhileAppendsRace) {
  // A catch-up long enough to race: 3,000 stored events, half of them steps
  // that carry no agencyId of their own.
  for (int b = 0; b < 15; ++b) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < 100; ++i) {
      const std::string id = absl::StrCat("P-", b, "-", i);
      batch.push_back(Receive(id, i % 2 ? "city-a" : "city-b", "2024-05-06"));
      batch.push_back(Step(id, ""));
    }
    ASSERT_OK(store_->Append(batch).status());
  }
  constexpr int kWriters = 4, kPerWriter = 60;
  const uint64_t start_head = store_->HeadPosition();
  const uint64_t total = start_head + kWriters * kPerWriter * 2;
  auto context = Context(city_);
  // A gap would leave the reader waiting: fail by deadline instead of hanging.
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(60));
  v1::SubscribeRequest request;
  request.set_from_position(1);
  std::atomic<bool> go{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string id = absl::StrCat("R-", w, "-", i);
        grpc::Status s =
            GrpcAppend(city_, {Receive(id, "city-b", "2024-05-06")});
        EXPECT_TRUE(s.ok()) << s.error_message();
        s = GrpcAppend(city_, {Step(id, "")});
        EXPECT_TRUE(s.ok()) << s.error_message();
      }
    });
  }
  auto reader = stub_->Subscribe(context.get(), request);
  go = true;  // appends race the catch-up
  std::vector<uint64_t> positions;
  v1::Event event;
  while (positions.size() < total && reader->Read(&event))
    positions.push_back(event.position());
  for (auto& t : writers) t.join();
  context->TryCancel();
  (void)reader->Finish();
  ASSERT_EQ(positions.size(), total);
  for (uint64_t i = 0; i < total; ++i) ASSERT_EQ(positions[i], i + 1);

  // HTTP: from a position, catch-up only.
  auto r = HttpGet(absl::StrCat("/v1/events?follow=0&from=", total - 9), city_);
  ASSERT_TRUE(r);
  std::vector<std::string> lines =
      absl::StrSplit(r->body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_THAT(lines.back(), HasSubstr(absl::StrCat("\"position\":", total)));
}

TEST_F(ServeTest, ShutdownDrainsAppendsInFlight) {
  constexpr int kWriters = 16;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> refused{0};
  std::atomic<int> acknowledged_count{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        v1::Event e =
            Receive(absl::StrCat("D-", w, "-", i), "city-a", "2024-05-06");
        e.set_event_id(absl::StrCat("d-", w, "-", i));
        grpc::Status s = GrpcAppend(city_, {e});
        if (s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(e.event_id());
          ++acknowledged_count;
        } else {
          // Refused by the drain, or cut off by the listener's stop.
          EXPECT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                      s.error_code() == grpc::StatusCode::CANCELLED)
              << s.error_message();
          ++refused;
          if (i > 1000) return;
        }
      }
    });
  }
  // Shut down once every writer is under way: some appends acknowledged.
  while (acknowledged_count < 4 * kWriters && refused == 0)
    std::this_thread::yield();
  server_->Shutdown();
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_FALSE(service_->IsServing());
  EXPECT_GT(acknowledged.size(), 0u);
  // Every acknowledged append is in the store, and nothing else was added.
  for (const std::string& id : acknowledged) {
    ASSERT_OK_AND_ASSIGN(auto found, store_->FindByEventId("city-a", id));
    EXPECT_TRUE(found.has_value()) << id;
  }
  EXPECT_EQ(store_->HeadPosition(), 7 + acknowledged.size());
  ASSERT_OK(store_->Verify(1).status());
  // After the drain the service refuses appends.
  EXPECT_THAT(service_->Append(*tokens_.Authenticate(city_),
                               {Receive("LATE", "city-a", "2024-05-06")}),
              ::ogi::testing::StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace ogi

namespace ogi {
namespace {

TEST(ServeTlsTest, BothProtocolsServeTlsWithTheGivenCertificate) {
  testing::TestStore store;
  const std::string cert = store.dir.Sub("cert.pem");
  const std::string key = store.dir.Sub("key.pem");
  ASSERT_EQ(
      std::system(
          absl::StrCat(
              "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
              "/CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
              " -keyout ",
              key, " -out ", cert, " 2>/dev/null")
              .c_str()),
      0);
  ASSERT_OK(store->Append({testing::RegisterAgency("city")}).status());
  TokenFile tokens(store.dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city", kAgency, 1 | 2, absl::Now()));
  IntakeService service(OptionsFor(*store.store, tokens, store.clock, ""));
  ServerOptions server_options;
  server_options.grpc_address = "127.0.0.1:0";
  server_options.http_address = "127.0.0.1:0";
  server_options.tls_cert = cert;
  server_options.tls_key = key;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Server> server,
                       Server::Start(service, server_options));

  std::ifstream in(cert);
  std::stringstream pem;
  pem << in.rdbuf();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(absl::StrCat("localhost:", server->grpc_port()),
                          grpc::SslCredentials(ssl)));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  v1::AppendRequest request;
  *request.add_events() = Receive("T-1", "city", "2024-05-06");
  v1::AppendResponse response;
  grpc::Status s = stub->Append(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();

  httplib::SSLClient https("localhost", server->http_port());
  https.set_ca_cert_path(cert.c_str());
  auto r = https.Get("/v1/cases/T-1", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // Plain HTTP is not served on the TLS port.
  httplib::Client plain("127.0.0.1", server->http_port());
  auto refused = plain.Get("/v1/health");
  EXPECT_TRUE(!refused || refused->status != 200);
  server->Shutdown();
}

}  // namespace
}  // namespace ogi

namespace ogi {
namespace {

TEST_F(ServeTest, AgenciesAndCasesOpenedEarlierInTheRequestAreInReach) {
  // A roll-up token registers an agency under its subtree, then a child of
  // it, then opens and works a case there: all in one atomic request.
  std::vector<v1::Event> events = {RegisterAgency("city-a-3", "city-a"),
                                   RegisterAgency("city-a-3-1", "city-a-3"),
                                   Receive("A31-1", "city-a-3-1", "2024-05-06"),
                                   Step("A31-1", "a31-s")};
  grpc::Status s = GrpcAppend(a_tree_, events);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Outside the subtree it is refused whole.
  const uint64_t head = store_->HeadPosition();
  events = {RegisterAgency("city-a-4", "city-a"),
            RegisterAgency("city-b-9", "city-b")};
  EXPECT_EQ(GrpcAppend(a_tree_, events).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(store_->HeadPosition(), head);
}

TEST_F(ServeTest, ACaseIsJudgedByItsOwnAgencyNotTheOneClaimed) {
  // B-1 is city-b's; claiming city-a does not get a city-a token in, and the
  // refusal does not say whose the case is.
  v1::Event e = Step("B-1", "claim-1");
  e.set_agency_id("city-a");
  auto r = HttpPost("/v1/events", a_only_, Json(e));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("city-b")));
  // The same answer as for a case that does not exist.
  auto unknown = HttpPost("/v1/events", a_only_, Json(Step("Z-9", "claim-2")));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(absl::StrReplaceAll(unknown->body, {{"Z-9", "B-1"}}), r->body);
}

TEST_F(ServeTest, AgencyIdsWithSlashesReachTheirReports) {
  ASSERT_OK(store_->Append({RegisterAgency("city/x", "city")}).status());
  auto r = HttpGet("/v1/reports/city/x/2024?format=csv", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(ServeTest, ReimportingExportedEventsIsANoOp) {
  std::string body;
  for (int i = 0; i < 20; ++i) {
    v1::Event e = Receive(absl::StrCat("X-", i), "city-a", "2024-05-06");
    e.set_event_id(absl::StrCat("x-", i));
    e.set_actor("clerk-7");
    body += Json(e) + "\n";
  }
  auto r = HttpPost("/v1/import", a_tree_, body, "application/x-ndjson");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  // What a downstream system got back (with the recorded actor), sent again,
  // by the same system and by another.
  std::string exported;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(
        auto e, store_->FindByEventId("city-a", absl::StrCat("x-", i)));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->actor(), "a-portal/clerk-7");
    exported += Json(*e) + "\n";
  }
  const uint64_t head = store_->HeadPosition();
  for (const std::string& token : {a_tree_, city_}) {
    r = HttpPost("/v1/import", token, exported, "application/x-ndjson");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_THAT(r->body, HasSubstr("\"appended\":0,\"duplicates\":20"));
  }
  EXPECT_EQ(store_->HeadPosition(), head);
}

TEST_F(ServeTest, ARevokedTokenLosesItsLiveSubscription) {
  auto context = Context(a_tree_);
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(context.get(), request);
  v1::Event event;
  ASSERT_TRUE(reader->Read(&event));  // caught up at least one
  ASSERT_OK(tokens_.Revoke("a-portal", absl::Now()));
  while (reader->Read(&event)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServeTest, ShutdownEndsSubscriptionsWithWhereToResume) {
  auto context = Context(city_);
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(context.get(), request);
  v1::Event event;
  uint64_t last = 0;
  while (last < store_->HeadPosition() && reader->Read(&event))
    last = event.position();
  std::thread stop([&] { server_->Shutdown(); });
  while (reader->Read(&event)) {
  }
  grpc::Status s = reader->Finish();
  stop.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr(absl::StrCat("subscribe again from position ", last + 1)));
}

// A clock that can hold an append inside the store's commit (the store reads
// the clock there), to catch it in flight.
class GateClock : public Clock {
 public:
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      waiting_ = true;
      mu_.Await(absl::Condition(
          +[](bool* closed) { return !*closed; }, &closed_));
      waiting_ = false;
    }
    return absl::FromCivil(absl::CivilSecond(2024, 6, 1, 12, 0, 0),
                           absl::UTCTimeZone());
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  void AwaitWaiter() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&waiting_));
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    closed_ = false;
  }

 private:
  absl::Mutex mu_;
  bool closed_ = false;
  bool waiting_ = false;
};

TEST(ServeDrainTest, DrainWaitsForTheAppendInFlightAndRefusesNewOnes) {
  testing::TempDir dir;
  GateClock clock;
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<EventStore> store,
      EventStore::Open({.path = dir.Sub("db"), .clock = &clock}));
  ASSERT_OK(store->Append({RegisterAgency("city")}).status());
  TokenFile tokens(dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city", kAgency, 1, absl::Now()));
  ASSERT_OK_AND_ASSIGN(TokenInfo caller, tokens.Authenticate(token));
  IntakeService service(OptionsFor(*store, tokens, clock, ""));

  clock.Close();
  std::atomic<bool> appended{false};
  std::thread writer([&] {
    EXPECT_OK(service.Append(caller, {Receive("C-1", "city", "2024-05-06")})
                  .status());
    appended = true;
  });
  clock.AwaitWaiter();  // the append is inside the store's commit
  std::atomic<bool> appended_when_drained{false};
  std::atomic<bool> drained{false};
  std::thread drainer([&] {
    service.Drain();
    appended_when_drained = store->HeadPosition() == 2;  // C-1 is committed
    drained = true;
  });
  while (service.IsServing()) std::this_thread::yield();
  // Draining: a new append is refused while the first is still held.
  EXPECT_THAT(service.Append(caller, {Receive("C-2", "city", "2024-05-06")}),
              testing::StatusIs(absl::StatusCode::kUnavailable));
  // The append is still held in the commit, so Drain cannot have returned.
  EXPECT_FALSE(drained);
  clock.Open();
  writer.join();
  drainer.join();
  EXPECT_TRUE(appended_when_drained);
  EXPECT_EQ(store->HeadPosition(), 2u);
}

}  // namespace
}  // namespace ogi

// --- Issue 13: hostile and careless clients. Each test replays an attack of
// the review and checks it now fails safely, with the data intact. ---

namespace ogi {
namespace {

// Sends `request` on a fresh loopback connection and returns the server's
// answer: its headers and Content-Length bytes of body (waiting at most 10 s
// for each read).
std::string RawHttp(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    answer.append(buffer, n);
    const size_t end = answer.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    size_t length = 0;
    const size_t at = answer.find("Content-Length: ");
    if (at != std::string::npos && at < end)
      (void)absl::SimpleAtoi(
          answer.substr(at + 16, answer.find("\r\n", at) - at - 16), &length);
    if (answer.size() >= end + 4 + length) break;
  }
  ::close(fd);
  return answer;
}

// Every byte of every file under `dir`.
std::string AllFileBytes(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    all += bytes.str();
  }
  return all;
}

v1::Event EraseEvent(const std::string& case_id) {
  return testing::CaseEvent(case_id, "2024-05-07",
                            R"("personalDataErased":{"reason":"PIPL 47"})");
}

TEST(ServeErasureTest, Issue13ErasureNeedsTheEraseScopeAndPurgesTheKey) {
  TestStore t;
  ASSERT_OK(
      t->Append({RegisterAgency("city"), Receive("E-1", "city", "2024-05-06"),
                 Receive("E-2", "city", "2024-05-06")})
          .status());
  // The cases' keys, read from the store as an outside reader would.
  t.store.reset();
  std::string key1, key2;
  {
    testing::RawDb db(t.dir.Sub("db"));
    key1 = db.Get(static_cast<testing::RawDb::Family>(4), "kE-1")
               .substr(kKeyIdSize, kPersonalKeySize);
    key2 = db.Get(static_cast<testing::RawDb::Family>(4), "kE-2")
               .substr(kKeyIdSize, kPersonalKeySize);
  }
  ASSERT_EQ(key1.size(), kPersonalKeySize);
  t.Reopen();
  TokenFile tokens(t.dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string appender,
      tokens.Create("portal", "city", kAgency, 1 | 2 | 8, absl::Now()));
  ASSERT_OK_AND_ASSIGN(std::string eraser,
                       tokens.Create("dpo", "city", kAgency, 16, absl::Now()));
  IntakeService service(OptionsFor(*t.store, tokens, t.clock, ""));
  ServerOptions options;
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Server> server,
                       Server::Start(service, options));
  httplib::Client http("127.0.0.1", server->http_port());
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  auto grpc_append = [&](const std::string& token, const v1::Event& e) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::AppendRequest request;
    *request.add_events() = e;
    v1::AppendResponse response;
    return stub->Append(&context, request, &response);
  };
  const httplib::Headers as_appender = {
      {"Authorization", "Bearer " + appender}};
  const httplib::Headers as_eraser = {{"Authorization", "Bearer " + eraser}};
  const uint64_t head = t->HeadPosition();

  // An append token cannot erase, on either protocol; nothing is written.
  auto r = http.Post("/v1/events", as_appender, Json(EraseEvent("E-1")),
                     "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_THAT(r->body, HasSubstr("erase"));
  EXPECT_EQ(grpc_append(appender, EraseEvent("E-1")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(t->HeadPosition(), head);
  // ... nor can an erase token append anything else.
  EXPECT_EQ(grpc_append(eraser, Step("E-1", "not-an-erasure")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The erase token erases, over HTTP and over gRPC; when answered, the key
  // is in no file of the live store (WAL included).
  r = http.Post("/v1/events", as_eraser, Json(EraseEvent("E-1")),
                "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(AllFileBytes(t.dir.Sub("db")).find(key1), std::string::npos);
  EXPECT_NE(AllFileBytes(t.dir.Sub("db")).find(key2), std::string::npos)
      << "the other case's key is still there (the scan can see keys)";
  grpc::Status s = grpc_append(eraser, EraseEvent("E-2"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(AllFileBytes(t.dir.Sub("db")).find(key2), std::string::npos);

  // The personal data is gone for readers; the log still verifies.
  r = http.Get("/v1/cases/E-1", as_appender);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("110101199001011234")));
  server->Shutdown();
  EXPECT_OK(t->Verify(1).status());
}

TEST_F(ServeTest, Issue13ATokenCannotGraftItsAgencyIntoAnotherTree) {
  const std::string rogue = MakeToken("rogue", "rogue", kAgency, 1 | 2);
  const std::string rogue_tree = MakeToken("rogue-t", "rogue", kSubtree, 1);
  const uint64_t head = store_->HeadPosition();
  for (const std::string& token : {rogue, rogue_tree}) {
    EXPECT_EQ(
        GrpcAppend(token, {RegisterAgency("rogue", "city-b")}).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    auto r =
        HttpPost("/v1/events", token, Json(RegisterAgency("rogue", "city-b")));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << r->body;
  }
  // A subtree token may not graft its own agency under one it reaches
  // either (that would be a cycle or a move), nor register elsewhere.
  EXPECT_EQ(GrpcAppend(a_tree_, {RegisterAgency("x", "city-b")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GrpcAppend(a_tree_, {RegisterAgency("y")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(store_->HeadPosition(), head);
  // As a root, its own agency is fine; city-b's roll-up is unchanged.
  EXPECT_TRUE(GrpcAppend(rogue, {RegisterAgency("rogue")}).ok());
  EXPECT_OK(store_->Verify(1).status());
}

TEST_F(ServeTest, Issue13AmountsAndCountsAboveTheirMaximaAreRefused) {
  const uint64_t head = store_->HeadPosition();
  struct Row {
    std::string name, payload, field;
  } rows[] = {
      {"fees", R"("feesCollected":{"amountFen":"9223372036854775807"})",
       "feesCollected.amountFen"},
      {"decisions",
       R"("decisionsRecorded":{"kind":"LICENSING","count":"1000000001"})",
       "decisionsRecorded.count"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    v1::Event e =
        Ev(absl::StrCat(R"({"agencyId":"city-a","occurredOn":"2024-05-07",)",
                        row.payload, "}"));
    grpc::Status s = GrpcAppend(city_, {e});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(row.field));
    auto r = HttpPost("/v1/events", city_, Json(e));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_THAT(r->body, HasSubstr(row.field));
    EXPECT_THAT(r->body, HasSubstr("must be at most"));
    // The CLI and `ogi import` append through the same validation.
    EXPECT_THAT(store_->Append({e}).status(),
                testing::StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_EQ(store_->HeadPosition(), head);
  // At the maximum it is taken, twice, and the year's sum does not wrap.
  v1::Event max = Ev(
      R"({"agencyId":"city-a","occurredOn":"2024-05-07","feesCollected":{"amountFen":"1000000000000"}})");
  ASSERT_TRUE(GrpcAppend(city_, {max, max}).ok());
  auto r = HttpGet("/v1/reports/city-a/2024?format=json", city_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // 2 x 10^12 fen = 2 x 10^6 万元.
  EXPECT_THAT(r->body, HasSubstr(R"("amount_wan_yuan":"2000000")"));
  EXPECT_OK(store_->Verify(1).status());
}

TEST_F(ServeTest, Issue13GrpcRefusesUnknownProtobufFieldsAsJsonDoes) {
  const uint64_t head = store_->HeadPosition();
  v1::Event e = Step("A-1", "unknown-1");
  e.mutable_correction_requested()
      ->GetReflection()
      ->MutableUnknownFields(e.mutable_correction_requested())
      ->AddVarint(999, 1);
  grpc::Status s = GrpcAppend(city_, {e});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("correctionRequested"));
  v1::ImportResponse response;
  EXPECT_EQ(GrpcImport(city_, {{e}}, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(store_->HeadPosition(), head);
}

TEST_F(ServeTest, Issue13GrpcRefusesInvalidUtf8NamingTheField) {
  // gRPC's own parsing answered INTERNAL with an empty message.
  const uint64_t head = store_->HeadPosition();
  v1::Event e = Receive("U-1", "city", "2024-05-06");
  e.mutable_received()->mutable_applicant()->set_name("\xe5\xbc");  // cut
  grpc::Status s = GrpcAppend(city_, {Receive("U-0", "city", "2024-05-06"), e});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("events[1].received.applicant.name: string is not "
                        "valid UTF-8"));
  v1::ImportResponse response;
  s = GrpcImport(city_, {{Receive("U-2", "city", "2024-05-06")}, {e}},
                 &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("events[0].received.applicant.name"));
  v1::ReadCaseRequest read;
  read.set_case_id("A-\xff");
  v1::ReadCaseResponse read_response;
  s = stub_->ReadCase(Context(city_).get(), read, &read_response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("caseId: string is not valid"));
  EXPECT_EQ(store_->HeadPosition(), head);
  // Well-formed requests still go through the same path.
  EXPECT_TRUE(GrpcAppend(city_, {Receive("U-3", "city", "2024-05-06")}).ok());
  read.set_case_id("U-3");
  EXPECT_TRUE(stub_->ReadCase(Context(city_).get(), read, &read_response).ok());
  EXPECT_EQ(read_response.events_size(), 1);
}

TEST(ServePlaintextTest, Issue13PlaintextOffLoopbackNeedsAnExplicitOptIn) {
  struct Row {
    std::string address;
    bool loopback;
  } rows[] = {{"127.0.0.1:7780", true},
              {"127.3.4.5:0", true},
              {"localhost:7780", true},
              {"[::1]:7700", true},
              {"0.0.0.0:7780", false},
              {"[::]:7700", false},
              {":7780", false},
              {"10.0.0.5:7780", false},
              {"127.example.org:1", false}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.address);
    EXPECT_EQ(IsLoopbackAddress(row.address), row.loopback);
  }
  TestStore t;
  TokenFile tokens(t.dir.Sub("ogi-tokens"));
  IntakeService service(OptionsFor(*t.store, tokens, t.clock, ""));
  ServerOptions options;
  options.grpc_address = "";
  options.http_address = "0.0.0.0:0";
  EXPECT_THAT(Server::Start(service, options).status(),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                "--insecure-plaintext"));
  options.http_address = "";
  options.grpc_address = "[::]:0";
  EXPECT_THAT(Server::Start(service, options).status(),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ServeTest, Issue13UploadsAreAdmittedBeforeTheirBodyIsRead) {
  const int port = server_->http_port();
  const uint64_t head = store_->HeadPosition();
  auto post = [&](const std::string& token, const std::string& headers) {
    return absl::StrCat("POST /v1/import HTTP/1.1\r\nHost: x\r\n",
                        "Authorization: Bearer ", token, "\r\n", headers,
                        "\r\n");
  };
  struct Row {
    std::string name, token, headers, status, code;
  } rows[] = {
      // A read-only token announcing 50 MB is refused without sending it.
      {"read-only", read_only_, "Content-Length: 50000000\r\n", "403",
       "PERMISSION_DENIED"},
      {"too large", city_, "Content-Length: 600000000\r\n", "413",
       "RESOURCE_EXHAUSTED"},
      {"chunked", city_, "Transfer-Encoding: chunked\r\n", "400",
       "INVALID_ARGUMENT"},
      {"gzip", city_, "Content-Length: 10\r\nContent-Encoding: gzip\r\n", "400",
       "INVALID_ARGUMENT"},
      {"two lengths", city_, "Content-Length: 10\r\nContent-Length: 20\r\n",
       "400", "INVALID_ARGUMENT"},
      {"form", city_,
       "Content-Length: 10\r\nContent-Type: "
       "application/x-www-form-urlencoded\r\n",
       "400", "INVALID_ARGUMENT"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    // Only the headers are sent: an answer proves the body was not awaited.
    const std::string answer = RawHttp(port, post(row.token, row.headers));
    EXPECT_TRUE(absl::StartsWith(answer, "HTTP/1.1 " + row.status)) << answer;
    EXPECT_THAT(answer, HasSubstr("\"code\":\"" + row.code + "\""));
  }
  // An append over its cap: 413 with a JSON body.
  const std::string answer =
      RawHttp(port, absl::StrCat("POST /v1/events HTTP/1.1\r\nHost: x\r\n",
                                 "Authorization: Bearer ", city_,
                                 "\r\nContent-Length: 17000000\r\n\r\n"));
  EXPECT_TRUE(absl::StartsWith(answer, "HTTP/1.1 413")) << answer;
  EXPECT_THAT(answer, HasSubstr("RESOURCE_EXHAUSTED"));
  // Import over gRPC: the same scope check, before any chunk.
  v1::ImportResponse response;
  EXPECT_EQ(GrpcImport(read_only_, {{Receive("N-1", "city", "2024-05-06")}},
                       &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(store_->HeadPosition(), head);
  // The README's import without the ndjson type works as JSON Lines.
  auto r = HttpPost("/v1/import", city_,
                    Json(Receive("N-2", "city", "2024-05-06")) + "\n" +
                        Json(Receive("N-3", "city", "2024-05-06")),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(ServeTest, Issue13EveryRefusalIsJsonWithTheSameCodeOnBothProtocols) {
  // Unknown route, a five-digit year, a bad rollup, a non-id case.
  struct Row {
    std::string path;
    int status;
    std::string code;
  } rows[] = {
      {"/v1/nothing", 404, "NOT_FOUND"},
      {"/v1/reports/city/20240", 400, "INVALID_ARGUMENT"},
      {"/v1/reports/city/2024?rollup=yes", 400, "INVALID_ARGUMENT"},
      {"/v1/cases/%ff", 400, "INVALID_ARGUMENT"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.path);
    auto r = HttpGet(row.path, city_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, row.status);
    EXPECT_THAT(r->body, HasSubstr("\"code\":\"" + row.code + "\""));
    EXPECT_EQ(r->body.find('\xff'), std::string::npos);
  }
  v1::ReportRequest report;
  report.set_agency_id("city");
  report.set_year(20240);
  v1::ReportResponse report_response;
  EXPECT_EQ(stub_->Report(Context(city_).get(), report, &report_response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // No token, or a bad one: the same message on both protocols.
  auto none = HttpGet("/v1/cases/A-1", "");
  auto bad = HttpGet("/v1/cases/A-1", "ogi_00000000_" + std::string(43, 'x'));
  ASSERT_TRUE(none && bad);
  EXPECT_EQ(none->body, bad->body);
  v1::ReadCaseRequest read;
  read.set_case_id("A-1");
  v1::ReadCaseResponse read_response;
  grpc::Status s = stub_->ReadCase(Context("").get(), read, &read_response);
  EXPECT_THAT(none->body, HasSubstr(s.error_message()));
}

TEST_F(ServeTest, Issue13ALargeImportRefusalFitsGrpcMetadata) {
  // 150 refused events: the answer is the refusal, summarized, not a
  // complaint about metadata size; HTTP gives the same summary.
  std::vector<v1::Event> events;
  std::string ndjson;
  for (int i = 0; i < 150; ++i) {
    events.push_back(Step(absl::StrCat("MISSING-CASE-WITH-A-LONG-ID-", i),
                          absl::StrCat("big-", i)));
    ndjson += Json(events.back()) + "\n";
  }
  v1::ImportResponse response;
  grpc::Status s = GrpcImport(city_, {events}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("event 1: case MISSING"));
  EXPECT_THAT(s.error_message(), HasSubstr("more refused event(s)"));
  EXPECT_LE(s.error_message().size(), 4096u);
  auto r = HttpPost("/v1/import", city_, ndjson, "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("line 1: case MISSING"));
  EXPECT_THAT(r->body, HasSubstr("more refused event(s)"));
}

TEST_F(ServeTest, Issue13ASecondReceivedRevealsNothingOfAnotherAgencysCase) {
  // B-1 is city-b's; a_only_ (city-a) tries to open it again.
  auto r = HttpPost("/v1/events", a_only_,
                    Json(Receive("B-1", "city-a", "2024-05-06")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("version")));
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("city-b")));
}

// --- Issue 13: eventIds are scoped by agency; nothing answers about a case
// outside the caller's reach. Each scenario runs on both protocols. ---

// One append's answer, whichever protocol carried it.
struct Answer {
  std::string code;  // "OK" or the status code's name
  std::string message;
  uint64_t position = 0;
  bool duplicate = false;
};

class ServeScopeTest : public ServeTest,
                       public ::testing::WithParamInterface<bool> {
 protected:
  bool grpc() const { return GetParam(); }
  // Ids and case ids of this protocol's run.
  std::string P(const std::string& id) const {
    return absl::StrCat(id, grpc() ? "-g" : "-h");
  }

  Answer Append(const std::string& token, const v1::Event& event) {
    Answer answer;
    if (grpc()) {
      v1::AppendResponse response;
      grpc::Status s = GrpcAppend(token, {event}, &response);
      answer.code =
          s.ok() ? "OK"
                 : CodeName(static_cast<absl::StatusCode>(s.error_code()));
      answer.message = s.error_message();
      if (s.ok() && response.results_size() == 1) {
        answer.position = response.results(0).position();
        answer.duplicate = response.results(0).duplicate();
      }
      return answer;
    }
    auto r = HttpPost("/v1/events", token, Json(event));
    if (!r) {
      answer.code = "NO ANSWER";
      return answer;
    }
    if (r->status == 200) {
      answer.code = "OK";
      const size_t p = r->body.find("\"position\":");
      EXPECT_NE(p, std::string::npos) << r->body;
      if (p != std::string::npos) {
        EXPECT_TRUE(absl::SimpleAtoi(
            r->body.substr(p + 11, r->body.find_first_of(",}", p) - p - 11),
            &answer.position))
            << r->body;
      }
      answer.duplicate =
          r->body.find("\"duplicate\":true") != std::string::npos;
      return answer;
    }
    // {"error":{"code":"…","message":"…"}}
    const size_t c = r->body.find("\"code\":\"");
    const size_t m = r->body.find("\"message\":\"");
    if (c != std::string::npos)
      answer.code = r->body.substr(c + 8, r->body.find('"', c + 8) - c - 8);
    if (m != std::string::npos)
      answer.message = r->body.substr(m + 11, r->body.rfind("\"}") - m - 11);
    return answer;
  }

  // Imports `events` as one import; returns "OK appended=N duplicates=M" or
  // the refusal's code.
  std::string Import(const std::string& token,
                     const std::vector<v1::Event>& events) {
    if (grpc()) {
      v1::ImportResponse response;
      grpc::Status s = GrpcImport(token, {events}, &response);
      if (!s.ok()) return s.error_message();
      return absl::StrCat("OK appended=", response.appended(),
                          " duplicates=", response.duplicates());
    }
    std::string body;
    for (const v1::Event& e : events) body += Json(e) + "\n";
    auto r = HttpPost("/v1/import", token, body, "application/x-ndjson");
    if (!r) return "NO ANSWER";
    if (r->status != 200) return r->body;
    uint64_t appended = 0, duplicates = 0;
    for (auto [key, value] : {std::pair{"\"appended\":", &appended},
                              std::pair{"\"duplicates\":", &duplicates}}) {
      const size_t p = r->body.find(key);
      if (p == std::string::npos) return r->body;
      const size_t from = p + std::string(key).size();
      if (!absl::SimpleAtoi(
              r->body.substr(from, r->body.find_first_of(",}", from) - from),
              value))
        return r->body;
    }
    return absl::StrCat("OK appended=", appended, " duplicates=", duplicates);
  }

  void ExpectVerifies() {
    absl::StatusOr<EventStore::VerifyResult> verified = store_->Verify(1);
    EXPECT_TRUE(verified.ok()) << verified.status();
  }

  std::string b_only_ =
      MakeToken(absl::StrCat("b-desk-", GetParam() ? "g" : "h"), "city-b",
                kAgency, 1 | 2 | 4);
};

INSTANTIATE_TEST_SUITE_P(BothProtocols, ServeScopeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Grpc" : "Http";
                         });

v1::Event Review(const std::string& case_id, const std::string& event_id) {
  v1::Event e = Ev(
      absl::StrCat(R"({"caseId":")", case_id, R"(","occurredOn":"2024-05-07",)",
                   R"("reviewed":{"reviewer":"王某","decision":"APPROVED"}})"));
  e.set_event_id(event_id);
  return e;
}

TEST_P(ServeScopeTest, Issue13AnAgencyCannotSquatOnAnotherAgencysEventIds) {
  // city-a's token takes the id city-b's intake system will use next.
  const Answer squat = Append(a_only_, Review("A-1", P("e1")));
  ASSERT_EQ(squat.code, "OK") << squat.message;
  EXPECT_FALSE(squat.duplicate);
  // city-b's real event with that id is its own event: not a duplicate of
  // city-a's, not a conflict.
  const Answer real = Append(b_only_, Review("B-1", P("e1")));
  ASSERT_EQ(real.code, "OK") << real.message;
  EXPECT_FALSE(real.duplicate);
  EXPECT_NE(real.position, squat.position);
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> stored,
                       store_->FindByEventId("city-b", P("e1")));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->case_id(), "B-1");
  EXPECT_EQ(stored->position(), real.position);
  // Each side's retry is its own duplicate.
  const Answer a_again = Append(a_only_, Review("A-1", P("e1")));
  EXPECT_EQ(a_again.code, "OK");
  EXPECT_TRUE(a_again.duplicate);
  EXPECT_EQ(a_again.position, squat.position);
  const Answer b_again = Append(b_only_, Review("B-1", P("e1")));
  EXPECT_EQ(b_again.code, "OK");
  EXPECT_TRUE(b_again.duplicate);
  EXPECT_EQ(b_again.position, real.position);
  // The same through Import: city-a first, then city-b's import is appended,
  // and city-b's re-import is all duplicates.
  EXPECT_EQ(Import(a_only_, {Review("A-1", P("imp"))}),
            "OK appended=1 duplicates=0");
  EXPECT_EQ(Import(b_only_, {Review("B-1", P("imp"))}),
            "OK appended=1 duplicates=0");
  EXPECT_EQ(Import(b_only_, {Review("B-1", P("imp"))}),
            "OK appended=0 duplicates=1");
  ExpectVerifies();
}

TEST_P(ServeScopeTest, Issue13AnAgencyCannotLearnWhetherAnotherUsedAnId) {
  ASSERT_EQ(Append(b_only_, Review("B-1", P("b-used"))).code, "OK");
  // city-a probes with the id city-b used and with one nobody used, with the
  // same content: the answers are alike (a new event each, at the next
  // position), with the id city-b used as with any other.
  const uint64_t head = store_->HeadPosition();
  const Answer used = Append(a_only_, Review("A-1", P("b-used")));
  const Answer unused = Append(a_only_, Review("A-1", P("nobody")));
  EXPECT_EQ(used.code, "OK") << used.message;
  EXPECT_EQ(unused.code, "OK") << unused.message;
  EXPECT_FALSE(used.duplicate);
  EXPECT_FALSE(unused.duplicate);
  EXPECT_EQ(used.position, head + 1);
  EXPECT_EQ(unused.position, head + 2);
  // And by import, with another content under the id city-b used: no
  // conflict (city-b's event is not city-a's to collide with).
  v1::Event other = Review("A-1", P("b-used-2"));
  ASSERT_EQ(Append(b_only_, Review("B-1", P("b-used-2"))).code, "OK");
  other.mutable_reviewed()->set_reviewer("李某");
  EXPECT_EQ(Import(a_only_, {other}), "OK appended=1 duplicates=0");
  ExpectVerifies();
}

TEST_P(ServeScopeTest, Issue13ACaseOutsideTheReachAnswersAsAnUnknownCase) {
  // A step on city-b's case and on a case that does not exist: one answer
  // (the case id aside), whatever city-b's case holds.
  auto same_as_unknown = [&](const std::string& case_id) {
    const Answer outside = Append(a_only_, Review(case_id, P("probe")));
    const Answer unknown = Append(a_only_, Review("Z-9", P("probe")));
    EXPECT_EQ(outside.code, "NOT_FOUND");
    EXPECT_THAT(outside.message, HasSubstr("unknown case"));
    EXPECT_EQ(outside.code, unknown.code);
    EXPECT_EQ(absl::StrReplaceAll(unknown.message, {{"Z-9", case_id}}),
              outside.message);
  };
  same_as_unknown("B-1");
  same_as_unknown("A1-1");  // city-a-1's: below city-a, out of an agency token
  // A second `received` for city-b's case: case ids are one namespace, so
  // the id is taken (a `received` for an unknown id would open it), but the
  // answer says nothing else — no version, no agency — and stays the same
  // as city-b's case moves on, and for any case outside the reach.
  const Answer before = Append(a_only_, Receive("B-1", "city-a", "2024-05-06"));
  EXPECT_EQ(before.code, "ALREADY_EXISTS");
  EXPECT_THAT(before.message, HasSubstr("the case id is taken"));
  EXPECT_THAT(before.message, ::testing::Not(HasSubstr("version")));
  EXPECT_THAT(before.message, ::testing::Not(HasSubstr("city-b")));
  ASSERT_EQ(Append(b_only_, Review("B-1", P("moves-on"))).code, "OK");
  const Answer after = Append(a_only_, Receive("B-1", "city-a", "2024-05-06"));
  EXPECT_EQ(after.code, before.code);
  EXPECT_EQ(after.message, before.message);
  const Answer other = Append(a_only_, Receive("A1-1", "city-a", "2024-05-06"));
  EXPECT_EQ(other.code, before.code);
  EXPECT_EQ(absl::StrReplaceAll(other.message, {{"A1-1", "B-1"}}),
            before.message);
  // Its eventId does not help either: city-b's receipt id, sent by city-a,
  // answers the same.
  v1::Event with_id = Receive("B-1", "city-a", "2024-05-06");
  with_id.set_event_id("ogi:c:B-1:1");
  const Answer by_id = Append(a_only_, with_id);
  EXPECT_EQ(by_id.code, before.code);
  EXPECT_EQ(by_id.message, before.message);
  ExpectVerifies();
}

}  // namespace
}  // namespace ogi

namespace ogi {
namespace {

// Waits (at most 10 s) until the service holds `n` live subscriptions.
bool AwaitLive(IntakeService& service, int n) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (service.LiveSubscriptions() != n) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST(ServeSubscriptionTest, Issue13LiveSubscriptionsAreCappedAndFreed) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("city")}).status());
  TokenFile tokens(t.dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(std::string a,
                       tokens.Create("a", "city", kAgency, 2, absl::Now()));
  ASSERT_OK_AND_ASSIGN(std::string b,
                       tokens.Create("b", "city", kAgency, 2, absl::Now()));
  ASSERT_OK_AND_ASSIGN(std::string c,
                       tokens.Create("c", "city", kAgency, 2, absl::Now()));
  ServiceOptions service_options = OptionsFor(*t.store, tokens, t.clock, "");
  service_options.max_live_subscriptions = 3;
  service_options.max_live_subscriptions_per_token = 2;
  IntakeService service(std::move(service_options));
  ServerOptions options;
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Server> server,
                       Server::Start(service, options));
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  struct Live {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Event>> reader;
  };
  auto subscribe = [&](const std::string& token) {
    auto live = std::make_unique<Live>();
    live->context.AddMetadata("authorization", "Bearer " + token);
    v1::SubscribeRequest request;
    request.set_from_position(1);
    live->reader = stub->Subscribe(&live->context, request);
    return live;
  };
  auto a1 = subscribe(a);
  auto a2 = subscribe(a);
  ASSERT_TRUE(AwaitLive(service, 2));
  // A third for the same token is refused; another token gets the last slot.
  auto a3 = subscribe(a);
  grpc::Status refused = a3->reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("too many live"));
  auto b1 = subscribe(b);
  ASSERT_TRUE(AwaitLive(service, 3));
  // The service is full: gRPC and HTTP refuse, with a JSON body.
  auto c1 = subscribe(c);
  EXPECT_EQ(c1->reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  httplib::Client http("127.0.0.1", server->http_port());
  auto r = http.Get("/v1/events?from=1", {{"Authorization", "Bearer " + c}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("too many live"));
  // A client that goes gives its slot back.
  a1->context.TryCancel();
  (void)a1->reader->Finish();
  ASSERT_TRUE(AwaitLive(service, 2));
  // ... over HTTP too, when it closes its connection.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->http_port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request = absl::StrCat(
      "GET /v1/events?from=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", c,
      "\r\n\r\n");
  ASSERT_GT(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), 0);
  ASSERT_TRUE(AwaitLive(service, 3));
  ::close(fd);
  EXPECT_TRUE(AwaitLive(service, 2));
  for (auto* live : {a2.get(), b1.get()}) live->context.TryCancel();
  EXPECT_TRUE(AwaitLive(service, 0));
  server->Shutdown();
}

}  // namespace
}  // namespace ogi

namespace ogi {
namespace {

TEST(ServeAccessLogTest,
     Issue13EveryRequestIsLoggedWithoutSecretsAndRefusalsCounted) {
  TestStore t;
  ASSERT_OK(
      t->Append({RegisterAgency("city"), Receive("L-1", "city", "2024-05-06")})
          .status());
  TokenFile tokens(t.dir.Sub("ogi-tokens"));
  ASSERT_OK_AND_ASSIGN(
      std::string token,
      tokens.Create("portal", "city", kAgency, 1 | 2 | 8, absl::Now()));
  absl::Mutex mu;
  std::vector<std::string> lines;
  ServiceOptions service_options = OptionsFor(*t.store, tokens, t.clock, "");
  service_options.access_log = [&](absl::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  };
  IntakeService service(std::move(service_options));
  ServerOptions options;
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Server> server,
                       Server::Start(service, options));
  httplib::Client http("127.0.0.1", server->http_port());
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto r = http.Get("/v1/cases/L-1", auth);  // personal data in the answer
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  ASSERT_THAT(r->body, HasSubstr("110101199001011234"));
  r = http.Get("/v1/cases/L-1", {{"Authorization", "Bearer nope"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  v1::ReadCaseRequest request;
  request.set_case_id("NOPE");
  v1::ReadCaseResponse response;
  EXPECT_EQ(stub->ReadCase(&context, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  r = http.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body,
              HasSubstr(R"("refused":{"NOT_FOUND":1,"UNAUTHENTICATED":1})"));
  server->Shutdown();

  absl::MutexLock lock(&mu);
  // One line per request, in the order they finished (racing over HTTP).
  EXPECT_THAT(
      lines, ::testing::UnorderedElementsAre(
                 ::testing::MatchesRegex(R"(\S+Z http portal ReadCase OK in=0 )"
                                         R"(out=[0-9]+ [0-9.]+ms)"),
                 HasSubstr(" http - ReadCase UNAUTHENTICATED "),
                 HasSubstr(" grpc portal ReadCase NOT_FOUND "),
                 HasSubstr(" http - Health OK ")));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, ::testing::Not(HasSubstr(token.substr(13))));
    EXPECT_THAT(line, ::testing::Not(HasSubstr("110101199001011234")));
    EXPECT_THAT(line, ::testing::Not(HasSubstr("L-1")));
  }
}

}  // namespace
}  // namespace ogi
