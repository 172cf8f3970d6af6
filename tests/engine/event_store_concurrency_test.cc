// Concurrent appends through the event store's group commit (event_store.h):
// many threads append at once to shared and separate cases, with
// expectedVersion and the re-read-and-retry loop on kAborted, with atomic
// requests over two cases and with requests that are refused. Whatever the
// interleaving, no version may be lost or given twice, positions stay gap-free,
// every acknowledged append is where its answer says, refused requests leave
// nothing, and one eventId sent by many threads at once is stored once. The
// checks do not depend on the interleaving, so the tests are deterministic in
// what they assert.
#include <algorithm>
#include <cstdint>
#include <latch>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_id.h"
#include "engine/event_store.h"
#include "proto/event.pb.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

constexpr int kThreads = 16;
constexpr int kOpsPerThread = 50;
constexpr int kSharedCases = 4;
constexpr char kDate[] = "2024-05-01";

StreamId Case(const std::string& id) { return {StreamId::Kind::kCase, id}; }

// Returns a `reviewed` event, a step a case may take any number of times before
// its answer.
v1::Event Reviewed(const std::string& case_id, const std::string& event_id,
                   v1::Reviewed::Decision decision = v1::Reviewed::APPROVED) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_case_id(case_id);
  e.set_occurred_on(kDate);
  e.mutable_reviewed()->set_decision(decision);
  return e;
}

// Returns an `archived` event, which a case that has no answer yet refuses.
v1::Event Archived(const std::string& case_id, const std::string& event_id) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_case_id(case_id);
  e.set_occurred_on(kDate);
  e.mutable_archived()->set_archive_ref("A-1");
  return e;
}

// One acknowledged event: where the store said it put it.
struct Acked {
  std::string case_id;
  std::string event_id;
  uint32_t version;
  uint64_t position;
};

// What one thread saw.
struct ThreadLog {
  std::vector<Acked> acked;
  std::vector<std::string> refused_ids;
  int conflicts = 0;
};

void Record(absl::Span<const v1::Event> events,
            const std::vector<AppendedEvent>& result, ThreadLog& log) {
  ASSERT_EQ(result.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(result[i].outcome, AppendedEvent::Outcome::kAppended);
    log.acked.push_back({events[i].case_id(), events[i].event_id(),
                         result[i].version, result[i].position});
  }
}

// Appends `events`, whose last one goes to a shared case with expectedVersion:
// on kAborted, re-reads that case, sets the version it read and tries again.
void AppendWithRetry(EventStore& store, std::vector<v1::Event> events,
                     ThreadLog& log) {
  v1::Event& conditional = events.back();
  for (int attempt = 0; attempt < 10000; ++attempt) {
    absl::StatusOr<std::vector<v1::Event>> stream =
        store.ReadStream(Case(conditional.case_id()));
    ASSERT_OK(stream);
    conditional.set_expected_version(static_cast<uint32_t>(stream->size()));
    absl::StatusOr<std::vector<AppendedEvent>> result = store.Append(events);
    if (result.ok()) {
      ASSERT_NO_FATAL_FAILURE(Record(events, *result, log));
      EXPECT_EQ(result->back().version, stream->size() + 1);
      return;
    }
    ASSERT_THAT(result, StatusIs(absl::StatusCode::kAborted));
    ++log.conflicts;
  }
  FAIL() << "no progress after 10000 conflicts";
}

void RunThread(EventStore& store, int thread, ThreadLog& log) {
  std::mt19937 rng(thread + 1);
  const std::string own = absl::StrCat("T", thread);
  for (int op = 0; op < kOpsPerThread; ++op) {
    const std::string id = absl::StrCat("t", thread, "-", op);
    const std::string shared = absl::StrCat("S", rng() % kSharedCases);
    const unsigned r = rng() % 10;
    if (r < 5) {
      ASSERT_NO_FATAL_FAILURE(
          AppendWithRetry(store, {Reviewed(shared, id)}, log));
    } else if (r < 8) {
      const std::vector<v1::Event> events = {Reviewed(own, id)};
      absl::StatusOr<std::vector<AppendedEvent>> result = store.Append(events);
      ASSERT_OK(result);
      ASSERT_NO_FATAL_FAILURE(Record(events, *result, log));
    } else if (r < 9) {
      // Atomic over two cases: the own case's event is written only with the
      // shared case's.
      ASSERT_NO_FATAL_FAILURE(AppendWithRetry(
          store, {Reviewed(own, id + "a"), Reviewed(shared, id + "b")}, log));
    } else {
      // Refused as a whole: the second event archives a case that has no
      // answer.
      EXPECT_THAT(
          store.Append({Reviewed(own, id + "a"), Archived(own, id + "b")}),
          StatusIs(absl::StatusCode::kFailedPrecondition, "event 2 of 2"));
      log.refused_ids.push_back(id + "a");
      log.refused_ids.push_back(id + "b");
    }
  }
}

// Checks the store against what the threads were told: streams, log, positions
// and the eventId index.
void ExpectStoreHoldsExactly(EventStore& store, const std::vector<Acked>& acked,
                             const std::vector<std::string>& refused_ids) {
  // Positions: every acknowledged one once, and nothing else.
  std::map<uint64_t, const Acked*> by_position;
  std::map<std::string, std::vector<const Acked*>> by_case;
  for (const Acked& a : acked) {
    EXPECT_TRUE(by_position.emplace(a.position, &a).second)
        << "position " << a.position << " given twice";
    if (!a.case_id.empty())
      by_case[a.case_id].push_back(
          &a);  // the agency's event is checked in the log only
  }
  ASSERT_EQ(store.HeadPosition(), acked.size());
  ASSERT_EQ(by_position.size(), acked.size());
  EXPECT_EQ(by_position.begin()->first, 1u);
  EXPECT_EQ(by_position.rbegin()->first, acked.size())
      << "positions have a gap";

  // Versions: each case's acknowledged versions are 1..n, where n is the number
  // of its acknowledged events.
  for (auto& [case_id, events] : by_case) {
    SCOPED_TRACE(case_id);
    std::sort(events.begin(), events.end(), [](const Acked* a, const Acked* b) {
      return a->version < b->version;
    });
    for (size_t i = 0; i < events.size(); ++i)
      ASSERT_EQ(events[i]->version, i + 1) << "version lost or doubled";
    absl::StatusOr<std::vector<v1::Event>> stream =
        store.ReadStream(Case(case_id));
    ASSERT_OK(stream);
    ASSERT_EQ(stream->size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ((*stream)[i].version(), i + 1);
      EXPECT_EQ((*stream)[i].position(), events[i]->position);
      // An event sent without an id has the one the engine assigns.
      EXPECT_EQ(
          (*stream)[i].event_id(),
          events[i]->event_id.empty()
              ? AssignedEventId(Case(case_id), static_cast<uint32_t>(i + 1))
              : events[i]->event_id);
    }
  }

  // The log: exactly head events, in position order, each the one its append
  // was told.
  uint64_t next = 1;
  ASSERT_OK(store.ScanLog(1, [&](const v1::Event& e) {
    EXPECT_EQ(e.position(), next);
    auto it = by_position.find(e.position());
    if (it == by_position.end())
      return absl::InternalError(
          absl::StrCat("unacknowledged position ", e.position()));
    EXPECT_EQ(e.case_id(), it->second->case_id);
    EXPECT_EQ(e.event_id(), it->second->event_id.empty()
                                ? AssignedEventId(StreamOf(e), e.version())
                                : it->second->event_id);
    EXPECT_EQ(e.version(), it->second->version);
    ++next;
    return absl::OkStatus();
  }));
  EXPECT_EQ(next - 1, acked.size());

  for (const std::string& id : refused_ids) {
    absl::StatusOr<std::optional<v1::Event>> found =
        store.FindByEventId("a1", id);
    ASSERT_OK(found);
    EXPECT_FALSE(found->has_value()) << id << " was refused but is stored";
  }
}

TEST(EventStoreConcurrencyTest, ConcurrentAppendsLoseAndDuplicateNothing) {
  TestStore t;
  std::vector<Acked> acked;
  std::vector<v1::Event> setup = {RegisterAgency("a1")};
  for (int i = 0; i < kSharedCases; ++i)
    setup.push_back(Receive(absl::StrCat("S", i), "a1", "2024-04-01"));
  for (int i = 0; i < kThreads; ++i)
    setup.push_back(Receive(absl::StrCat("T", i), "a1", "2024-04-01"));
  ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> appended, t->Append(setup));
  for (size_t i = 0; i < setup.size(); ++i) {
    acked.push_back({setup[i].case_id(), setup[i].event_id(),
                     appended[i].version, appended[i].position});
  }

  std::vector<ThreadLog> logs(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { RunThread(*t.store, i, logs[i]); });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_FALSE(HasFatalFailure());

  std::vector<std::string> refused_ids;
  for (const ThreadLog& log : logs) {
    acked.insert(acked.end(), log.acked.begin(), log.acked.end());
    refused_ids.insert(refused_ids.end(), log.refused_ids.begin(),
                       log.refused_ids.end());
  }
  ASSERT_NO_FATAL_FAILURE(
      ExpectStoreHoldsExactly(*t.store, acked, refused_ids));

  // And the same after a restart.
  t.Reopen();
  ASSERT_NE(t.store, nullptr);
  ASSERT_NO_FATAL_FAILURE(
      ExpectStoreHoldsExactly(*t.store, acked, refused_ids));
}

TEST(EventStoreConcurrencyTest, OneEventIdFromManyThreadsAtOnceIsStoredOnce) {
  TestStore t;
  ASSERT_OK(
      t->Append({RegisterAgency("a1"), Receive("D", "a1", "2024-04-01")}));
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const uint64_t head = t->HeadPosition();
    // Every thread sends the same event, with the expectedVersion it read: a
    // retry must still be a duplicate.
    v1::Event event = Reviewed("D", absl::StrCat("same-", round));
    event.set_expected_version(static_cast<uint32_t>(round + 1));
    std::vector<absl::StatusOr<std::vector<AppendedEvent>>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = t->Append({event});
      });
    }
    for (std::thread& thread : threads) thread.join();

    int appended = 0;
    for (const auto& result : results) {
      ASSERT_OK(result);
      ASSERT_EQ(result->size(), 1u);
      EXPECT_EQ((*result)[0].position, head + 1);
      EXPECT_EQ((*result)[0].version, static_cast<uint32_t>(round + 2));
      if ((*result)[0].outcome == AppendedEvent::Outcome::kAppended) ++appended;
    }
    EXPECT_EQ(appended, 1);
    EXPECT_EQ(t->HeadPosition(), head + 1);
    ASSERT_OK_AND_ASSIGN(std::vector<v1::Event> stream,
                         t->ReadStream(Case("D")));
    EXPECT_EQ(stream.size(), static_cast<size_t>(round + 2));
  }
}

TEST(EventStoreConcurrencyTest,
     OneEventIdWithTwoContentsAtOnceStoresOneAndRefusesTheOther) {
  TestStore t;
  ASSERT_OK(
      t->Append({RegisterAgency("a1"), Receive("D", "a1", "2024-04-01")}));
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const uint64_t head = t->HeadPosition();
    const std::string id = absl::StrCat("contested-", round);
    const v1::Event contents[2] = {Reviewed("D", id, v1::Reviewed::APPROVED),
                                   Reviewed("D", id, v1::Reviewed::RETURNED)};
    std::vector<absl::StatusOr<std::vector<AppendedEvent>>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = t->Append({contents[i % 2]});
      });
    }
    for (std::thread& thread : threads) thread.join();

    ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> stored,
                         t->FindByEventId("a1", id));
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->position(), head + 1);
    EXPECT_EQ(t->HeadPosition(), head + 1);
    const int winner =
        stored->reviewed().decision() == v1::Reviewed::APPROVED ? 0 : 1;
    int appended = 0;
    for (int i = 0; i < kThreads; ++i) {
      SCOPED_TRACE(absl::StrCat("thread ", i));
      if (i % 2 != winner) {
        EXPECT_THAT(results[i],
                    StatusIs(absl::StatusCode::kAlreadyExists, "eventId"));
        continue;
      }
      ASSERT_OK(results[i]);
      EXPECT_EQ((*results[i])[0].position, head + 1);
      if ((*results[i])[0].outcome == AppendedEvent::Outcome::kAppended)
        ++appended;
    }
    EXPECT_EQ(appended, 1);
  }
}

}  // namespace
}  // namespace ogi
