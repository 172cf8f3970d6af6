// Core contracts of the event store: versions, positions, atomicity,
// idempotency, reads, restart.
#include "engine/event_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

TEST(EventStoreTest, AppendAssignsVersionsPerStreamAndGapFreePositions) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  ASSERT_OK(t->Append(
      {Receive("C1", "a1", "2024-01-02"), Receive("C2", "a1", "2024-01-03")}));
  ASSERT_OK_AND_ASSIGN(
      auto appended,
      t->Append({CaseEvent("C1", "2024-01-04",
                           R"("answered":{"outcome":"DISCLOSED"})")}));
  ASSERT_EQ(appended.size(), 1u);
  EXPECT_EQ(appended[0].position, 4u);
  EXPECT_EQ(appended[0].version, 2u);
  EXPECT_EQ(t->HeadPosition(), 4u);
  ASSERT_OK_AND_ASSIGN(auto c1, t->ReadStream({StreamId::Kind::kCase, "C1"}));
  ASSERT_EQ(c1.size(), 2u);
  EXPECT_EQ(c1[0].version(), 1u);
  EXPECT_EQ(c1[1].version(), 2u);
  EXPECT_EQ(c1[1].agency_id(), "a1");  // filled from the case
  EXPECT_TRUE(c1[1].has_recorded_at());
}

TEST(EventStoreTest, AgencyIdsListsEveryRegisteredAgencyOnce) {
  TestStore t;
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> none, t->AgencyIds());
  EXPECT_TRUE(none.empty());
  // An id that extends another ("a" and "a-b") and agencies with many events.
  ASSERT_OK(t->Append({RegisterAgency("b"), RegisterAgency("a"),
                       RegisterAgency("a-b", "a"),
                       testing::Receive("C1", "a", "2024-01-02"),
                       testing::Receive("C2", "a-b", "2024-01-02")}));
  ASSERT_OK(t->Append({testing::Ev(
      R"({"agencyId":"a","occurredOn":"2024-02-01","agencyRenamed":{"name":"甲"}})")}));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids, t->AgencyIds());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "a-b", "b"}));
}

TEST(EventStoreTest, RefusedEventInARequestWritesNothingOfIt) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  auto result =
      t->Append({Receive("C1", "a1", "2024-01-02"),
                 CaseEvent("C1", "2024-01-03",
                           R"("archived":{})")});  // archive before conclusion
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               "event 2 of 2: case C1"));
  EXPECT_EQ(t->HeadPosition(), 1u);
  ASSERT_OK_AND_ASSIGN(auto c1, t->ReadStream({StreamId::Kind::kCase, "C1"}));
  EXPECT_TRUE(c1.empty());
  // The refused request left no trace in the state either: C1 can be received
  // now.
  ASSERT_OK(t->Append({Receive("C1", "a1", "2024-01-02")}));
}

TEST(EventStoreTest, EventIdRetryIsANoOpAndReuseWithOtherContentIsRefused) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  v1::Event received = Receive("C1", "a1", "2024-01-02");
  received.set_event_id("r-1");
  ASSERT_OK_AND_ASSIGN(auto first, t->Append({received}));
  ASSERT_OK_AND_ASSIGN(auto again, t->Append({received}));
  EXPECT_EQ(again[0].outcome, AppendedEvent::Outcome::kDuplicate);
  EXPECT_EQ(again[0].position, first[0].position);
  EXPECT_EQ(t->HeadPosition(), 2u);
  v1::Event other = received;
  other.mutable_received()->set_description("something else");
  EXPECT_THAT(t->Append({other}),
              StatusIs(absl::StatusCode::kAlreadyExists, "eventId"));
  ASSERT_OK_AND_ASSIGN(auto found, t->FindByEventId("a1", "r-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->position(), 2u);
  ASSERT_OK_AND_ASSIGN(auto missing, t->FindByEventId("a1", "nope"));
  EXPECT_FALSE(missing.has_value());
}

TEST(EventStoreTest, ExpectedVersionMismatchIsAbortedAndWritesNothing) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  v1::Event received = Receive("C1", "a1", "2024-01-02");
  received.set_expected_version(0);
  ASSERT_OK(t->Append({received}));
  EXPECT_THAT(t->Append({received}),
              StatusIs(absl::StatusCode::kAborted, "current version 1"));
  v1::Event answer =
      CaseEvent("C1", "2024-01-03", R"("answered":{"outcome":"DISCLOSED"})");
  answer.set_expected_version(2);
  EXPECT_THAT(t->Append({answer}), StatusIs(absl::StatusCode::kAborted));
  answer.set_expected_version(1);
  ASSERT_OK(t->Append({answer}));
  EXPECT_EQ(t->HeadPosition(), 3u);
}

TEST(EventStoreTest, ReopenKeepsEventsStateAndHead) {
  TestStore t;
  ASSERT_OK(
      t->Append({RegisterAgency("a1"), Receive("C1", "a1", "2024-01-02")}));
  ASSERT_OK(t->Append({CaseEvent("C1", "2024-01-03",
                                 R"("answered":{"outcome":"DISCLOSED"})")}));
  ASSERT_OK_AND_ASSIGN(StoreStats before, t->Stats());
  t.Reopen();
  ASSERT_OK_AND_ASSIGN(StoreStats after, t->Stats());
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.cases, 1u);
  EXPECT_EQ(after.agencies, 1u);
  EXPECT_EQ(after.head_link, before.head_link);
  // The replayed state refuses what the live state refused: a second answer.
  EXPECT_THAT(t->Append({CaseEvent("C1", "2024-01-04",
                                   R"("answered":{"outcome":"DISCLOSED"})")}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "concluded"));
  ASSERT_OK(t->Append(
      {CaseEvent("C1", "2024-01-04", R"("archived":{"archiveRef":"A-1"})")}));
  EXPECT_EQ(t->HeadPosition(), 4u);
}

TEST(EventStoreTest, ScanLogVisitsEveryEventInPositionOrderFromAPosition) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), RegisterAgency("a2", "a1"),
                       Receive("C1", "a2", "2024-01-02")}));
  std::vector<uint64_t> positions;
  ASSERT_OK(t->ScanLog(2, [&](const v1::Event& e) {
    positions.push_back(e.position());
    return absl::OkStatus();
  }));
  EXPECT_THAT(positions, ::testing::ElementsAre(2, 3));
}

}  // namespace
}  // namespace ogi
