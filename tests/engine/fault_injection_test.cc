// The event store when the disk fails under it (event_store.h: kUnavailable,
// then every later append refused). A file system that fails WAL writes, WAL
// syncs or table-file writes on demand (tests/testing/fault_injection_fs.h)
// sits under the store; after the failure the store is closed and reopened on
// the normal file system, as a restart would, and must hold every
// acknowledged event, each failed request whole or not at all, a log that
// verifies, and accept appends again.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_store.h"
#include "proto/event.pb.h"
#include "tests/testing/builders.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::FakeClock;
using ::ogi::testing::FaultInjectionFs;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TempDir;
using Fault = FaultInjectionFs::Fault;

constexpr char kAgency[] = "ag";

// A `received` of a new case whose eventId is "e-" + case_id. `description`
// pads the record, to fill memtables quickly.
v1::Event Received(const std::string& case_id,
                   const std::string& description = "申请公开") {
  v1::Event e;
  e.set_event_id("e-" + case_id);
  e.set_case_id(case_id);
  e.set_agency_id(kAgency);
  e.set_occurred_on("2024-05-01");
  e.mutable_received()->mutable_applicant()->set_category(
      v1::Applicant::NATURAL_PERSON);
  e.mutable_received()->set_channel(v1::Received::ONLINE);
  e.mutable_received()->set_description(description);
  return e;
}

// The agency's registration, with an eventId like every event here.
v1::Event Registration() {
  v1::Event e = RegisterAgency(kAgency);
  e.set_event_id("e-agency");
  return e;
}

// One Append request and what became of it.
struct Request {
  std::vector<v1::Event> events;
  absl::StatusOr<std::vector<AppendedEvent>> result;
};

// What the test knows from the answers it got.
struct Answers {
  std::vector<Request> acked;
  std::vector<Request> failed;
};

// A store directory and the file system that can fail under it.
struct FaultyStore {
  TempDir dir;
  FakeClock clock;
  std::shared_ptr<FaultInjectionFs> fs = std::make_shared<FaultInjectionFs>();
  std::unique_ptr<rocksdb::Env> env = testing::NewFaultInjectionEnv(fs);

  absl::StatusOr<std::unique_ptr<EventStore>> Open(bool faulty) {
    return EventStore::Open({.path = dir.Sub("db"),
                             .clock = &clock,
                             .env = faulty ? env.get() : nullptr});
  }
};

Request Send(EventStore& store, std::vector<v1::Event> events) {
  absl::StatusOr<std::vector<AppendedEvent>> result = store.Append(events);
  return Request{std::move(events), std::move(result)};
}

// Reopens the store on the normal file system and checks it against
// `answers`: every acknowledged event where its answer said, each failed
// request whole (just after the acknowledged ones) or absent, the log
// verified end to end; then appends again, reopens once more and finds that
// append too.
void CheckAfterRestart(FaultyStore& s, const Answers& answers) {
  uint64_t last_acked = 0;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         s.Open(/*faulty=*/false));
    for (const Request& r : answers.acked) {
      for (size_t i = 0; i < r.events.size(); ++i) {
        SCOPED_TRACE(r.events[i].event_id());
        ASSERT_OK_AND_ASSIGN(
            std::optional<v1::Event> found,
            store->FindByEventId(kAgency, r.events[i].event_id()));
        ASSERT_TRUE(found.has_value()) << "an acknowledged event is lost";
        EXPECT_EQ(found->position(), (*r.result)[i].position);
        last_acked = std::max(last_acked, found->position());
      }
    }
    uint64_t failed_but_stored = 0;
    for (const Request& r : answers.failed) {
      EXPECT_THAT(r.result, StatusIs(absl::StatusCode::kUnavailable));
      size_t present = 0;
      for (const v1::Event& e : r.events) {
        ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                             store->FindByEventId(kAgency, e.event_id()));
        if (found.has_value()) ++present;
      }
      EXPECT_TRUE(present == 0 || present == r.events.size())
          << r.events.front().event_id() << ": " << present << " of "
          << r.events.size() << " events of a failed append are visible";
      if (present == r.events.size()) failed_but_stored += present;
    }
    // Failed requests that did reach the disk are the one group whose write
    // failed: right after the acknowledged events, nothing else.
    EXPECT_EQ(store->HeadPosition(), last_acked + failed_but_stored);
    uint64_t scanned = 0;
    EXPECT_OK(store->ScanLog(
        1,
        [&](const v1::Event&) {
          ++scanned;
          return absl::OkStatus();
        },
        EventStore::ChainCheck::kVerify));
    EXPECT_EQ(scanned, store->HeadPosition());
    ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> after,
                         store->Append({Received("after-restart")}));
    EXPECT_EQ(after[0].position, scanned + 1);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                       s.Open(/*faulty=*/false));
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                       store->FindByEventId(kAgency, "e-after-restart"));
  EXPECT_TRUE(found.has_value());
  EXPECT_OK(store->ScanLog(
      1, [](const v1::Event&) { return absl::OkStatus(); },
      EventStore::ChainCheck::kVerify));
}

struct FaultRow {
  const char* name;
  Fault fault;
};
constexpr FaultRow kWalFaults[] = {
    {"wal write", Fault::kWalWrite},
    {"torn wal write", Fault::kWalTornWrite},
    {"wal sync", Fault::kWalSync},
};

TEST(FaultInjectionTest, FailedWalWriteRefusesEveryLaterAppendAndLosesNothing) {
  for (const FaultRow& row : kWalFaults) {
    SCOPED_TRACE(row.name);
    FaultyStore s;
    Answers answers;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                           s.Open(/*faulty=*/true));
      answers.acked.push_back(Send(*store, {Registration()}));
      ASSERT_OK(answers.acked.back().result);
      for (int i = 0; i < 10; ++i) {
        Request r = Send(*store, {Received(absl::StrCat("ok-", i))});
        ASSERT_OK(r.result);
        answers.acked.push_back(std::move(r));
      }
      s.fs->Arm(row.fault);
      // Three streams in one request: all of it or none must survive.
      Request failed =
          Send(*store, {Received("f-1"), Received("f-2"), Received("f-3")});
      EXPECT_THAT(failed.result, StatusIs(absl::StatusCode::kUnavailable));
      EXPECT_GT(s.fs->injected(), 0);
      answers.failed.push_back(std::move(failed));
      s.fs->Disarm();
      for (int i = 0; i < 3; ++i) {
        Request later = Send(*store, {Received(absl::StrCat("later-", i))});
        EXPECT_THAT(later.result, StatusIs(absl::StatusCode::kUnavailable))
            << "an append after an I/O failure was accepted";
        answers.failed.push_back(std::move(later));
      }
      EXPECT_EQ(store->HeadPosition(), 11u);
      // Reads go on: what was acknowledged is still served.
      ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> read,
                           store->FindByEventId(kAgency, "e-ok-9"));
      EXPECT_TRUE(read.has_value());
    }
    CheckAfterRestart(s, answers);
  }
}

// Many writers share commit groups; the disk fails after some of them. Every
// request then fails, including those of writers that queue later.
TEST(FaultInjectionTest, FailedWalWriteUnderGroupCommitLosesNothing) {
  constexpr int kThreads = 4;
  constexpr int kMaxRequests = 200;
  for (const FaultRow& row : kWalFaults) {
    SCOPED_TRACE(row.name);
    FaultyStore s;
    Answers answers;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                           s.Open(/*faulty=*/true));
      answers.acked.push_back(Send(*store, {Registration()}));
      ASSERT_OK(answers.acked.back().result);
      s.fs->Arm(row.fault, /*skip=*/30);
      std::vector<Answers> per_thread(kThreads);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&store, &per_thread, t] {
          int refused = 0;
          for (int i = 0; i < kMaxRequests && refused < 3; ++i) {
            // 1-3 events of distinct new cases.
            std::vector<v1::Event> events;
            for (int k = 0; k <= (t + i) % 3; ++k)
              events.push_back(Received(absl::StrCat("w", t, "-", i, "-", k)));
            Request r = Send(*store, std::move(events));
            if (r.result.ok()) {
              // Once one append of this writer failed, none may succeed.
              if (refused > 0) ADD_FAILURE() << "accepted after a failure";
              per_thread[t].acked.push_back(std::move(r));
            } else {
              ++refused;
              per_thread[t].failed.push_back(std::move(r));
            }
          }
        });
      }
      for (std::thread& thread : threads) thread.join();
      EXPECT_GT(s.fs->injected(), 0);
      s.fs->Disarm();
      Request later = Send(*store, {Received("later")});
      EXPECT_THAT(later.result, StatusIs(absl::StatusCode::kUnavailable));
      answers.failed.push_back(std::move(later));
      for (Answers& a : per_thread) {
        EXPECT_EQ(a.failed.size(), 3u) << "a writer never saw the failure";
        for (Request& r : a.acked) answers.acked.push_back(std::move(r));
        for (Request& r : a.failed) answers.failed.push_back(std::move(r));
      }
      EXPECT_GT(answers.acked.size(), 0u);
    }
    CheckAfterRestart(s, answers);
  }
}

// Recovery after a restart writes the WAL's contents to table files; if that
// fails, the store does not open, and nothing is lost for the next attempt.
TEST(FaultInjectionTest,
     FailedTableWriteDuringRecoveryFailsOpenAndLosesNothing) {
  FaultyStore s;
  Answers answers;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         s.Open(/*faulty=*/true));
    answers.acked.push_back(Send(*store, {Registration()}));
    ASSERT_OK(answers.acked.back().result);
    for (int i = 0; i < 20; ++i) {
      Request r = Send(*store, {Received(absl::StrCat("ok-", i))});
      ASSERT_OK(r.result);
      answers.acked.push_back(std::move(r));
    }
  }
  s.fs->Arm(Fault::kSstWrite);
  EXPECT_THAT(s.Open(/*faulty=*/true),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_GT(s.fs->injected(), 0);
  s.fs->Disarm();
  CheckAfterRestart(s, answers);
}

// A memtable flush in the background fails. The WAL still holds every
// acknowledged event, so appends may go on being acknowledged; once one is
// refused, every later one is.
TEST(FaultInjectionTest, FailedTableWriteInFlushLosesNothing) {
  FaultyStore s;
  Answers answers;
  // 64 KiB records fill the log family's memtable in about a thousand events.
  const std::string padding(64 << 10, 'x');
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         s.Open(/*faulty=*/true));
    answers.acked.push_back(Send(*store, {Registration()}));
    ASSERT_OK(answers.acked.back().result);
    s.fs->Arm(Fault::kSstWrite);
    bool refused = false;
    for (int i = 0; i < 60 && !refused; ++i) {
      std::vector<v1::Event> events;
      for (int k = 0; k < 50; ++k)
        events.push_back(Received(absl::StrCat("big-", i, "-", k), padding));
      Request r = Send(*store, std::move(events));
      if (r.result.ok()) {
        ASSERT_FALSE(refused) << "accepted after a refusal";
        answers.acked.push_back(std::move(r));
      } else {
        EXPECT_THAT(r.result, StatusIs(absl::StatusCode::kUnavailable));
        refused = true;
        answers.failed.push_back(std::move(r));
      }
    }
    EXPECT_GT(s.fs->injected(), 0) << "no flush was attempted";
    s.fs->Disarm();
    if (refused) {
      Request later = Send(*store, {Received("later")});
      EXPECT_THAT(later.result, StatusIs(absl::StatusCode::kUnavailable));
      answers.failed.push_back(std::move(later));
    }
  }
  CheckAfterRestart(s, answers);
}

}  // namespace
}  // namespace ogi
