// Staged imports (EventStore::BeginImport, engine/store_import.cc): all or
// nothing under refusal, a moved head, failing disks and kill -9 at every
// point of staging and ingestion; the same store as appends; and the eventIds
// the engine assigns (engine/event_id.h).
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"
#include "gen/gen_log.h"
#include "tests/testing/builders.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

namespace fs = std::filesystem;
using ::ogi::testing::FakeClock;
using ::ogi::testing::FaultInjectionFs;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TempDir;
using ::ogi::testing::TestStore;
using Fault = FaultInjectionFs::Fault;

// A generated log (gen/gen_log.h): agencies, cases in every state, personal
// data, erasures' absence aside. About 1,800 events for seed 1.
std::vector<v1::Event> GeneratedEvents(uint64_t seed, int cases_per_year) {
  std::vector<v1::Event> events;
  GenOptions options{.agencies = 3,
                     .first_year = 2022,
                     .last_year = 2023,
                     .cases_per_year = cases_per_year,
                     .seed = seed};
  GenerateLog(options, [&](absl::string_view line) {
    absl::StatusOr<v1::Event> e = ParseEventJson(line, EngineFields::kRefuse);
    EXPECT_TRUE(e.ok()) << e.status();
    if (e.ok()) events.push_back(*std::move(e));
  });
  return events;
}

// The store as stable text: every event (personal data revealed) in
// position order.
std::string Dump(EventStore& store) {
  std::string out;
  absl::Status s = store.ScanLog(1, [&](const v1::Event& e) {
    absl::StrAppend(&out, e.ShortDebugString(), "\n");
    return absl::OkStatus();
  });
  EXPECT_OK(s);
  return out;
}

absl::StatusOr<uint64_t> Import(EventStore& store,
                                const std::vector<v1::Event>& events) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<StagedImport> staged,
                       store.BeginImport(events.size()));
  for (const v1::Event& e : events)
    OGI_RETURN_IF_ERROR(staged->Add(e).status());
  return staged->Commit();
}

bool StagingLeft(const std::string& db) {
  return fs::exists(fs::path(db) / "ogi-import-staging");
}

TEST(StagedImportTest, ImportEqualsTheSameEventsAppended) {
  for (uint64_t seed : {1, 2}) {
    SCOPED_TRACE(seed);
    const std::vector<v1::Event> events = GeneratedEvents(seed, 300);
    TestStore appended, imported;
    const absl::Span<const v1::Event> all(events);
    for (size_t i = 0; i < all.size(); i += 50)
      ASSERT_OK(appended->Append(all.subspan(i, 50)));
    ASSERT_OK_AND_ASSIGN(uint64_t head, Import(*imported.store, events));
    EXPECT_EQ(head, events.size());
    EXPECT_EQ(Dump(*imported.store), Dump(*appended.store));
    ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified,
                         imported->Verify(1));
    EXPECT_EQ(verified.events, events.size());
    ASSERT_OK_AND_ASSIGN(StoreStats a, appended->Stats());
    ASSERT_OK_AND_ASSIGN(StoreStats b, imported->Stats());
    EXPECT_EQ(a.cases, b.cases);
    EXPECT_EQ(a.agencies, b.agencies);
    // Reopened: the head, counts and indexes come from the ingested files.
    imported.Reopen();
    EXPECT_EQ(imported->HeadPosition(), events.size());
    EXPECT_EQ(Dump(*imported.store), Dump(*appended.store));
    EXPECT_FALSE(StagingLeft(imported.dir.Sub("db")));
    // Appends continue the chain the import left.
    ASSERT_OK(imported->Append({testing::RegisterAgency("later")}));
    ASSERT_OK(imported->Verify(1).status());
  }
}

TEST(StagedImportTest, SpilledSortedRunsGiveTheSameStore) {
  const std::vector<v1::Event> events = GeneratedEvents(4, 400);
  TestStore whole, spilled;
  ASSERT_OK(Import(*whole.store, events).status());
  spilled.store.reset();
  ASSERT_OK_AND_ASSIGN(spilled.store,
                       EventStore::Open({.path = spilled.dir.Sub("db"),
                                         .clock = &spilled.clock,
                                         .import_sort_bytes = 16 << 10}));
  ASSERT_OK(Import(*spilled.store, events).status());
  EXPECT_EQ(Dump(*spilled.store), Dump(*whole.store));
  ASSERT_OK(spilled->Verify(1).status());
}

// What each line of an import came to: its outcome, position and version, or
// its refusal.
std::vector<std::string> Outcomes(EventStore& store,
                                  const std::vector<v1::Event>& events) {
  std::vector<std::string> out;
  absl::StatusOr<std::unique_ptr<StagedImport>> staged =
      store.BeginImport(events.size());
  EXPECT_OK(staged.status());
  if (!staged.ok()) return out;
  for (const v1::Event& e : events) {
    absl::StatusOr<AppendedEvent> added = (*staged)->Add(e);
    out.push_back(added.ok()
                      ? absl::StrCat(static_cast<int>(added->outcome), " ",
                                     added->position, " v", added->version)
                      : added.status().ToString());
  }
  absl::StatusOr<uint64_t> head = (*staged)->Commit();
  out.push_back(head.ok() ? absl::StrCat("head ", *head)
                          : head.status().ToString());
  return out;
}

// A bounded import (import_held_cases) moves case states, eventIds and key
// entries to its scratch store and reads them back on a miss; every line must
// be decided as by an import that holds everything. The file mixes what reads
// back each kind: later events of concluded cases and amendments (case
// states), retried lines and an eventId reused with other content (eventIds),
// and erasures and new applicants of old cases (key entries).
TEST(StagedImportTest, ABoundedImportDecidesEveryLineAsAnUnboundedOne) {
  for (uint64_t seed : {3, 5}) {
    SCOPED_TRACE(seed);
    std::vector<v1::Event> events = GeneratedEvents(seed, 300);
    const size_t generated = events.size();
    std::vector<std::string> case_ids;
    for (size_t i = 0; i < generated; ++i) {
      if (events[i].has_received()) case_ids.push_back(events[i].case_id());
    }
    ASSERT_GT(case_ids.size(), 100u);
    for (size_t i = 0; i < generated; i += 7) events.push_back(events[i]);
    for (size_t i = 0; i < case_ids.size(); i += 9) {
      events.push_back(testing::CaseEvent(
          case_ids[i], "2024-05-20",
          R"("personalDataErased":{"reason":"PIPL request"})"));
    }
    for (size_t i = 4; i < case_ids.size(); i += 11) {
      events.push_back(testing::CaseEvent(
          case_ids[i], "2024-05-21",
          R"("amended":{"version":1,"reason":"补录申请人","fields":"applicant.name","received":{"applicant":{"name":"李某"}}})"));
    }
    v1::Event reused = events[generated / 2];
    reused.set_occurred_on("2024-05-22");
    events.push_back(reused);

    TestStore whole, bounded;
    bounded.store.reset();
    ASSERT_OK_AND_ASSIGN(bounded.store,
                         EventStore::Open({.path = bounded.dir.Sub("db"),
                                           .clock = &bounded.clock,
                                           .import_sort_bytes = 16 << 10,
                                           .import_held_cases = 8}));
    // A refused line makes the commit fail: decide the file with it, then
    // commit it without.
    const std::vector<std::string> expected = Outcomes(*whole.store, events);
    EXPECT_EQ(Outcomes(*bounded.store, events), expected);
    EXPECT_THAT(expected.back(), ::testing::HasSubstr("FAILED_PRECONDITION"));
    int refused = 0;
    for (const std::string& o : expected) refused += o[0] != '0' && o[0] != '1';
    EXPECT_GE(refused, 2);  // the reused eventId and the failed commit

    events.pop_back();
    std::vector<v1::Event> accepted;
    for (size_t i = 0; i < events.size(); ++i) {
      if (expected[i][0] == '0' || expected[i][0] == '1')
        accepted.push_back(events[i]);
    }
    const std::vector<std::string> committed = Outcomes(*whole.store, accepted);
    EXPECT_EQ(Outcomes(*bounded.store, accepted), committed);
    EXPECT_EQ(committed.back(), absl::StrCat("head ", whole->HeadPosition()));
    EXPECT_EQ(Dump(*bounded.store), Dump(*whole.store));
    ASSERT_OK(bounded->Verify(1).status());
    EXPECT_FALSE(StagingLeft(bounded.dir.Sub("db")));
  }
}

TEST(StagedImportTest, ARefusedEventWritesNothing) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("ag")}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged, t->BeginImport(0));
  ASSERT_OK(staged->Add(testing::Receive("c1", "ag", "2024-05-06")).status());
  EXPECT_THAT(staged->Add(testing::Receive("c2", "nobody", "2024-05-06")),
              StatusIs(absl::StatusCode::kNotFound));
  // Later events are still decided, against the events accepted before.
  EXPECT_THAT(staged->Add(testing::Receive("c1", "ag", "2024-05-06")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(staged->Commit(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  staged.reset();
  EXPECT_EQ(t->HeadPosition(), 1u);
  EXPECT_FALSE(StagingLeft(t.dir.Sub("db")));
}

TEST(StagedImportTest, AHeadMovedSinceStagingIsAbortedAndWritesNothing) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("ag")}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged, t->BeginImport(0));
  ASSERT_OK(staged->Add(testing::Receive("c1", "ag", "2024-05-06")).status());
  ASSERT_OK(t->Append({testing::Receive("c2", "ag", "2024-05-06")}));
  EXPECT_THAT(staged->Commit(), StatusIs(absl::StatusCode::kAborted));
  staged.reset();
  EXPECT_EQ(t->HeadPosition(), 2u);
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> c1,
                       t->FindByEventId("ag", "ogi:c:c1:1"));
  EXPECT_FALSE(c1.has_value());
  ASSERT_OK(t->Verify(1).status());
}

TEST(StagedImportTest, AbandonedImportWritesNothingAndLeftoversGoAtOpen) {
  TestStore t;
  const std::vector<v1::Event> events = GeneratedEvents(5, 100);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged,
                         t->BeginImport(0));
    for (const v1::Event& e : events) ASSERT_OK(staged->Add(e).status());
    EXPECT_TRUE(StagingLeft(t.dir.Sub("db")));
  }
  EXPECT_EQ(t->HeadPosition(), 0u);
  // What a crash leaves: files in the staging folder. Open deletes them.
  const fs::path left = fs::path(t.dir.Sub("db")) / "ogi-import-staging" / "9";
  fs::create_directories(left);
  { std::ofstream(left / "log-0.sst") << "half a file"; }
  t.Reopen();
  EXPECT_FALSE(StagingLeft(t.dir.Sub("db")));
  ASSERT_OK(Import(*t.store, events).status());
  EXPECT_EQ(t->HeadPosition(), events.size());
}

TEST(StagedImportTest, OnlyDuplicatesCommitNothing) {
  TestStore t;
  const std::vector<v1::Event> events = GeneratedEvents(6, 100);
  ASSERT_OK(Import(*t.store, events).status());
  const std::string before = Dump(*t.store);
  ASSERT_OK_AND_ASSIGN(uint64_t head, Import(*t.store, events));
  EXPECT_EQ(head, events.size());
  EXPECT_EQ(Dump(*t.store), before);
}

// A failing disk during staging or ingestion: the commit fails, nothing is
// visible, and after a restart the store is as before and takes the import.
TEST(StagedImportTest, FailingDiskLeavesTheStoreAsBefore) {
  const struct {
    const char* name;
    Fault fault;
  } rows[] = {
      {"staged file write (disk full)", Fault::kStagingWrite},
      {"hard link into the store", Fault::kLink},
      {"manifest write", Fault::kManifestWrite},
  };
  const std::vector<v1::Event> events = GeneratedEvents(7, 200);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    TempDir dir;
    FakeClock clock;
    auto fault_fs = std::make_shared<FaultInjectionFs>();
    std::unique_ptr<rocksdb::Env> env = testing::NewFaultInjectionEnv(fault_fs);
    std::string before;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                           EventStore::Open({.path = dir.Sub("db"),
                                             .clock = &clock,
                                             .env = env.get(),
                                             .import_sort_bytes = 16 << 10}));
      ASSERT_OK(store->Append({testing::RegisterAgency("first")}));
      before = Dump(*store);
      fault_fs->Arm(row.fault);
      absl::StatusOr<uint64_t> imported = Import(*store, events);
      EXPECT_THAT(imported, StatusIs(absl::StatusCode::kUnavailable));
      EXPECT_GT(fault_fs->injected(), 0);
      fault_fs->Disarm();
    }
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<EventStore> store,
        EventStore::Open({.path = dir.Sub("db"), .clock = &clock}));
    EXPECT_EQ(store->HeadPosition(), 1u);
    EXPECT_EQ(Dump(*store), before);
    ASSERT_OK(store->Verify(1).status());
    EXPECT_FALSE(StagingLeft(dir.Sub("db")));
    ASSERT_OK(Import(*store, events).status());
    EXPECT_EQ(store->HeadPosition(), 1 + events.size());
    ASSERT_OK(store->Verify(1).status());
  }
}

// kill -9 at every stretch of staging and ingestion: a forked child imports
// through a file system that kills it at its n-th file operation; the parent
// reopens the store, which must verify and hold either the old head or the
// whole import, with no staging folder left.
TEST(StagedImportTest, KillNineAnywhereLeavesTheOldHeadOrTheWholeImport) {
  TempDir dir;
  FakeClock clock;
  const std::vector<v1::Event> events = GeneratedEvents(8, 150);
  const std::string base = dir.Sub("base");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         EventStore::Open({.path = base, .clock = &clock}));
    ASSERT_OK(store->Append({testing::RegisterAgency("first")}));
  }
  // Runs the import in a child on a copy of the base store; returns the copy.
  auto run_child = [&](int kill_at, int* operations) {
    const std::string db = dir.Sub(absl::StrCat("kill", kill_at));
    fs::copy(base, db, fs::copy_options::recursive);
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      auto fault_fs = std::make_shared<FaultInjectionFs>();
      std::unique_ptr<rocksdb::Env> env =
          testing::NewFaultInjectionEnv(fault_fs);
      auto store = EventStore::Open({.path = db,
                                     .clock = &clock,
                                     .env = env.get(),
                                     .import_sort_bytes = 32 << 10,
                                     .import_held_cases = 64});
      if (!store.ok()) _exit(3);
      fault_fs->KillAtOperation(kill_at);
      if (!Import(**store, events).ok()) _exit(4);
      const int ops = fault_fs->operations();
      (void)!write(fds[1], &ops, sizeof ops);
      _exit(0);
    }
    close(fds[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (operations != nullptr) {
      EXPECT_EQ(read(fds[0], operations, sizeof *operations),
                static_cast<ssize_t>(sizeof *operations));
    }
    close(fds[0]);
    if (kill_at == 0) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    } else {
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "kill at " << kill_at << ": status " << status;
    }
    return db;
  };
  int total = 0;
  const std::string counted = run_child(0, &total);
  ASSERT_GT(total, 20);
  std::string full;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         EventStore::Open({.path = counted, .clock = &clock}));
    ASSERT_EQ(store->HeadPosition(), 1 + events.size());
    full = Dump(*store);
  }
  // Every operation near the end (ingestion: links, MANIFEST, directory
  // syncs), and a spread over staging.
  std::vector<int> points;
  for (int n = 1; n < total - 12; n += std::max(1, (total - 12) / 8))
    points.push_back(n);
  for (int n = std::max(1, total - 12); n <= total; ++n) points.push_back(n);
  int old_heads = 0, full_imports = 0;
  for (int n : points) {
    SCOPED_TRACE(absl::StrCat("killed at file operation ", n, " of ", total));
    const std::string db = run_child(n, nullptr);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         EventStore::Open({.path = db, .clock = &clock}));
    EXPECT_FALSE(StagingLeft(db));
    ASSERT_OK(store->Verify(1).status());
    if (store->HeadPosition() == 1) {
      ++old_heads;
      ASSERT_OK(Import(*store, events).status());  // and it can be redone
    } else {
      ++full_imports;
    }
    EXPECT_EQ(store->HeadPosition(), 1 + events.size());
    EXPECT_EQ(Dump(*store), full);
    store.reset();
    fs::remove_all(db);
  }
  EXPECT_GT(old_heads, 0);
  EXPECT_GT(full_imports, 0);
}

TEST(EventIdTest, EveryAppendedEventGetsAStableId) {
  TestStore t;
  ASSERT_OK(t->Append({testing::RegisterAgency("ag")}));
  ASSERT_OK(t->Append({testing::Receive("c/1", "ag", "2024-05-06")}));
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Event> stream,
                       t->ReadStream({StreamId::Kind::kCase, "c/1"}));
  ASSERT_EQ(stream.size(), 1u);
  EXPECT_EQ(stream[0].event_id(), "ogi:c:c/1:1");
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> agency,
                       t->FindByEventId("ag", "ogi:a:ag:1"));
  ASSERT_TRUE(agency.has_value());
  EXPECT_EQ(agency->position(), 1u);
  // The stored event sent again, id and all, is a retry.
  v1::Event again = stream[0];
  again.clear_position();
  again.clear_version();
  again.clear_recorded_at();
  ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> retried, t->Append({again}));
  EXPECT_EQ(retried[0].outcome, AppendedEvent::Outcome::kDuplicate);
  EXPECT_EQ(t->HeadPosition(), 2u);
}

TEST(EventIdTest, AReservedIdIsAcceptedOnlyForTheEventItNames) {
  const struct {
    const char* name;
    const char* id;
    absl::StatusCode want;
  } rows[] = {
      {"names this event", "ogi:c:c1:2", absl::StatusCode::kOk},
      {"another version", "ogi:c:c1:3", absl::StatusCode::kInvalidArgument},
      {"another case", "ogi:c:c2:2", absl::StatusCode::kInvalidArgument},
      {"an agency", "ogi:a:c1:2", absl::StatusCode::kInvalidArgument},
      {"no version", "ogi:c:c1", absl::StatusCode::kInvalidArgument},
      {"leading zero", "ogi:c:c1:02", absl::StatusCode::kInvalidArgument},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    TestStore t;
    ASSERT_OK(t->Append({testing::RegisterAgency("ag")}));
    ASSERT_OK(t->Append({testing::Receive("c1", "ag", "2024-05-06")}));
    v1::Event e = testing::CaseEvent("c1", "2024-05-07",
                                     R"("answered":{"outcome":"DISCLOSED"})");
    e.set_event_id(row.id);
    EXPECT_EQ(t->Append({e}).status().code(), row.want);
  }
}

TEST(EventIdTest, ParseIsTheInverseOfAssign) {
  for (const StreamId& stream :
       {StreamId{StreamId::Kind::kCase, "2023:0001"},
        StreamId{StreamId::Kind::kAgency, "gov-root"}}) {
    for (uint32_t version : {1u, 9u, 10u, 4000000000u}) {
      const std::optional<NamedEvent> named =
          ParseAssignedEventId(AssignedEventId(stream, version));
      ASSERT_TRUE(named.has_value());
      EXPECT_EQ(named->stream, stream);
      EXPECT_EQ(named->version, version);
    }
  }
  EXPECT_FALSE(ParseAssignedEventId("e-1").has_value());
}

}  // namespace
}  // namespace ogi
