// The intake service through real clients: a gRPC stub and an HTTP client, on
// ephemeral loopback ports, against one store.
#include <atomic>
#include <fstream>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "cli/serve_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/json_codec.h"
#include "proto/service.grpc.pb.h"
#include "serve/server.h"
#include "serve/service.h"
#include "serve/tokens.h"
#include "tests/testing/builders.h"
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
  ASSERT_OK_AND_ASSIGN(auto first, store_->FindByEventId("act-1"));
  ASSERT_OK_AND_ASSIGN(auto second, store_->FindByEventId("act-2"));
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
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server_->Shutdown();
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_FALSE(service_->IsServing());
  EXPECT_GT(acknowledged.size(), 0u);
  // Every acknowledged append is in the store, and nothing else was added.
  for (const std::string& id : acknowledged) {
    ASSERT_OK_AND_ASSIGN(auto found, store_->FindByEventId(id));
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
    ASSERT_OK_AND_ASSIGN(auto e, store_->FindByEventId(absl::StrCat("x-", i)));
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
  std::thread drainer([&] {
    service.Drain();
    appended_when_drained = store->HeadPosition() == 2;  // C-1 is committed
  });
  while (service.IsServing()) std::this_thread::yield();
  // Draining: a new append is refused while the first is still held.
  EXPECT_THAT(service.Append(caller, {Receive("C-2", "city", "2024-05-06")}),
              testing::StatusIs(absl::StatusCode::kUnavailable));
  absl::SleepFor(absl::Milliseconds(50));  // a Drain that did not wait is done
  clock.Open();
  writer.join();
  drainer.join();
  EXPECT_TRUE(appended_when_drained);
  EXPECT_EQ(store->HeadPosition(), 2u);
}

}  // namespace
}  // namespace ogi
