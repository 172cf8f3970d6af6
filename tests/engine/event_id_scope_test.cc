// eventIds are scoped by the agency of the event's stream (engine/event_id.h):
// on every path that writes or checks the index (append, dry run, staged
// import, verify, export → import, backup → restore), and a store of format 1
// (bare eventIds) is migrated by a writing open.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "tests/testing/builders.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::RawDb;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

v1::Event WithId(v1::Event event, const std::string& id) {
  event.set_event_id(id);
  return event;
}

v1::Event Review(const std::string& case_id, const std::string& id) {
  return WithId(
      CaseEvent(case_id, "2024-05-08",
                R"("reviewed":{"reviewer":"王某","decision":"APPROVED"})"),
      id);
}

// Agencies a and b, each a case, and each using the eventIds "e1" (its
// case's receipt) and "e2" (a review): the same ids, two namespaces.
std::vector<v1::Event> TwoAgenciesSameIds() {
  return {RegisterAgency("a"),
          RegisterAgency("b"),
          WithId(Receive("A-1", "a", "2024-05-06"), "e1"),
          WithId(Receive("B-1", "b", "2024-05-06"), "e1"),
          Review("A-1", "e2"),
          Review("B-1", "e2")};
}

std::vector<v1::Event> Exported(EventStore& store) {
  std::vector<v1::Event> out;
  EXPECT_OK(store.ScanLog(1, [&](const v1::Event& e) {
    // What `ogi export | ogi import` carries: the JSON, engine fields dropped.
    absl::StatusOr<v1::Event> parsed =
        ParseEventJson(MessageToJson(e), EngineFields::kIgnore);
    if (!parsed.ok()) return parsed.status();
    out.push_back(*parsed);
    return absl::OkStatus();
  }));
  return out;
}

TEST(EventIdScopeTest, TwoAgenciesUseTheSameIdsAsTheirOwnEvents) {
  TestStore t;
  const std::vector<v1::Event> events = TwoAgenciesSameIds();
  ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> first, t->Append(events));
  for (const AppendedEvent& a : first)
    EXPECT_EQ(a.outcome, AppendedEvent::Outcome::kAppended);
  EXPECT_EQ(t->HeadPosition(), 6u);
  // Each agency's retry is its own duplicate, at its own position.
  for (size_t i = 2; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> again,
                         t->Append({events[i]}));
    EXPECT_EQ(again[0].outcome, AppendedEvent::Outcome::kDuplicate);
    EXPECT_EQ(again[0].position, first[i].position);
  }
  // Another content under an agency's own id is a reuse, in that agency only.
  v1::Event other = Review("B-1", "e2");
  other.mutable_reviewed()->set_reviewer("李某");
  EXPECT_THAT(t->Append({other}),
              StatusIs(absl::StatusCode::kAlreadyExists, "eventId"));
  for (const std::string agency : {"a", "b"}) {
    for (const std::string id : {"e1", "e2"}) {
      ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                           t->FindByEventId(agency, id));
      ASSERT_TRUE(found.has_value()) << agency << " " << id;
      EXPECT_EQ(found->agency_id(), agency);
    }
  }
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> none,
                       t->FindByEventId("c", "e1"));
  EXPECT_FALSE(none.has_value());
  EXPECT_OK(t->Verify(1).status());
  EXPECT_OK(t->Verify(4).status());
}

TEST(EventIdScopeTest, ACaseEventIsCheckedInItsCasesAgencyWhateverItClaims) {
  TestStore t;
  ASSERT_OK(t->Append(TwoAgenciesSameIds()).status());
  ASSERT_OK(t->Append({Review("A-1", "only-a")}).status());
  // B-1 is b's: an event for it claiming a, with an id only a used, is judged
  // in b's namespace and refused for its agencyId, not as a reuse of a's id.
  v1::Event claim = Review("B-1", "only-a");
  claim.set_agency_id("a");
  EXPECT_THAT(t->Append({claim}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "agencyId"));
  // A retry found through FindRetryOf: the case's agency, not the claim.
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> retry,
                       t->FindRetryOf(Review("B-1", "e2")));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->agency_id(), "b");
  ASSERT_OK_AND_ASSIGN(retry, t->FindRetryOf(claim));
  EXPECT_FALSE(retry.has_value());
  claim.set_event_id("e2");
  ASSERT_OK_AND_ASSIGN(retry, t->FindRetryOf(claim));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->case_id(), "B-1");
  ASSERT_OK_AND_ASSIGN(retry, t->FindRetryOf(Review("NONE", "e2")));
  EXPECT_FALSE(retry.has_value());
}

TEST(EventIdScopeTest, DryRunAndStagedImportScopeIdsAndExportReimportsAsIs) {
  TestStore t;
  {
    // A dry run and an import decide alike: the same ids in two agencies are
    // two events; a repeated line within one agency is a duplicate.
    std::unique_ptr<DryRun> dry = t->NewDryRun();
    std::vector<v1::Event> events = TwoAgenciesSameIds();
    events.push_back(events.back());
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_OK_AND_ASSIGN(AppendedEvent a, dry->Check(events[i]));
      EXPECT_EQ(a.outcome, i + 1 == events.size()
                               ? AppendedEvent::Outcome::kDuplicate
                               : AppendedEvent::Outcome::kAppended)
          << i;
    }
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged,
                         t->BeginImport(events.size()));
    for (const v1::Event& e : events) ASSERT_OK(staged->Add(e).status());
    ASSERT_OK_AND_ASSIGN(uint64_t head, staged->Commit());
    EXPECT_EQ(head, 6u);
  }
  EXPECT_OK(t->Verify(1).status());
  // Export → import into the same store: every line a duplicate.
  const std::vector<v1::Event> exported = Exported(*t.store);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged,
                         t->BeginImport(exported.size()));
    for (const v1::Event& e : exported) {
      ASSERT_OK_AND_ASSIGN(AppendedEvent a, staged->Add(e));
      EXPECT_EQ(a.outcome, AppendedEvent::Outcome::kDuplicate);
    }
    ASSERT_OK(staged->Commit().status());
    EXPECT_EQ(t->HeadPosition(), 6u);
  }
  // Into an empty store: the same events, the same ids, in the same
  // namespaces.
  TestStore copy;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<StagedImport> staged,
                         copy->BeginImport(exported.size()));
    for (const v1::Event& e : exported) ASSERT_OK(staged->Add(e).status());
    ASSERT_OK(staged->Commit().status());
  }
  EXPECT_OK(copy->Verify(1).status());
  const std::vector<v1::Event> again = Exported(*copy.store);
  ASSERT_EQ(again.size(), exported.size());
  for (size_t i = 0; i < again.size(); ++i)
    EXPECT_EQ(MessageToJson(again[i]), MessageToJson(exported[i]));
}

// Rewrites a closed store's eventId index in the layout of format 1 (the
// bare eventId) and marks it format 1, as a store written before scoping.
// `leave_scoped`: entries left in the new layout, as a migration cut short
// would.
// Closes the store first.
void MakeFormat1(TestStore& t, size_t leave_scoped = 0) {
  std::vector<std::pair<std::string, uint64_t>> entries;  // new key, position
  ASSERT_OK(t->ScanLog(1, [&](const v1::Event& e) {
    entries.emplace_back(EventIdKeyOf(e), e.position());
    return absl::OkStatus();
  }));
  t.store.reset();
  RawDb db(t.dir.Sub("db"));
  ASSERT_TRUE(db.ok());
  for (size_t i = leave_scoped; i < entries.size(); ++i) {
    const auto& [key, position] = entries[i];
    ASSERT_OK_AND_ASSIGN(DecodedEventIdKey parts, DecodeEventIdKey(key));
    db.Delete(RawDb::kEventIds, key);
    db.Put(RawDb::kEventIds, std::string(parts.event_id),
           EncodePosition(position));
  }
  db.Put(RawDb::kDefault, kFormatKey, kFormatUnscopedEventIds);
}

std::string FormatOf(const std::string& path) {
  RawDb db(path);
  return db.Get(RawDb::kDefault, kFormatKey);
}

TEST(EventIdScopeTest, AFormat1StoreIsReadAsIsAndMigratedByAWritingOpen) {
  for (size_t leave_scoped : {size_t{0}, size_t{3}}) {
    SCOPED_TRACE(absl::StrCat("entries already scoped: ", leave_scoped));
    TestStore t;
    // Format 1 held one namespace: ids unique across agencies.
    ASSERT_OK(t->Append({RegisterAgency("a"), RegisterAgency("b"),
                         WithId(Receive("A-1", "a", "2024-05-06"), "a-r"),
                         WithId(Receive("B-1", "b", "2024-05-06"), "b-r"),
                         Review("A-1", "a-v")})
                  .status());
    const std::string path = t.dir.Sub("db");
    ASSERT_NO_FATAL_FAILURE(MakeFormat1(t, leave_scoped));
    {
      RawDb db(path);
      EXPECT_EQ(db.Get(RawDb::kEventIds, "b-r"), EncodePosition(4));
    }
    {
      // A reader reads everything but the index, and says how to migrate.
      ASSERT_OK_AND_ASSIGN(
          std::unique_ptr<EventStore> reader,
          EventStore::Open(
              {.path = path, .access = EventStore::Access::kRead}));
      ASSERT_OK_AND_ASSIGN(std::vector<v1::Event> stream,
                           reader->ReadStream({StreamId::Kind::kCase, "A-1"}));
      EXPECT_EQ(stream.size(), 2u);
      EXPECT_THAT(
          reader->Verify(1),
          StatusIs(absl::StatusCode::kFailedPrecondition, "ogi migrate"));
      EXPECT_THAT(reader->FindByEventId("a", "a-r"),
                  StatusIs(absl::StatusCode::kFailedPrecondition));
    }
    EXPECT_EQ(FormatOf(path), kFormatUnscopedEventIds);
    t.Reopen();  // a writing open migrates
    t.store.reset();
    EXPECT_EQ(FormatOf(path), kFormatValue);
    {
      RawDb db(path);  // no bare eventId is left
      EXPECT_EQ(db.Get(RawDb::kEventIds, EncodeEventIdKey("a", "a-r")),
                EncodePosition(3));
    }
    t.Reopen();
    ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified, t->Verify(1));
    EXPECT_EQ(verified.events, 5u);
    ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                         t->FindByEventId("a", "a-v"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->position(), 5u);
    ASSERT_OK_AND_ASSIGN(found, t->FindByEventId("b", "a-v"));
    EXPECT_FALSE(found.has_value());
    // Retries are still duplicates; b may now use a's ids.
    ASSERT_OK_AND_ASSIGN(std::vector<AppendedEvent> retry,
                         t->Append({Review("A-1", "a-v")}));
    EXPECT_EQ(retry[0].outcome, AppendedEvent::Outcome::kDuplicate);
    ASSERT_OK_AND_ASSIGN(retry, t->Append({Review("B-1", "a-v")}));
    EXPECT_EQ(retry[0].outcome, AppendedEvent::Outcome::kAppended);
    EXPECT_OK(t->Verify(1).status());
    t.Reopen();  // once migrated, opening again changes nothing
    EXPECT_OK(t->Verify(1).status());
  }
}

TEST(EventIdScopeTest, AFormat1BackupRestoresIntoAMigratedStore) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a"),
                       WithId(Receive("A-1", "a", "2024-05-06"), "a-r")})
                .status());
  const std::string path = t.dir.Sub("db");
  ASSERT_NO_FATAL_FAILURE(MakeFormat1(t));
  {
    // Backed up by a reader: the copy keeps format 1 and its layout.
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<EventStore> reader,
        EventStore::Open({.path = path, .access = EventStore::Access::kRead}));
    ASSERT_OK(reader->Backup(t.dir.Sub("backups")).status());
  }
  const std::string restored = t.dir.Sub("restored");
  ASSERT_OK(EventStore::Restore(t.dir.Sub("backups"), restored, 0).status());
  EXPECT_EQ(FormatOf(restored), kFormatUnscopedEventIds);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         EventStore::Open({.path = restored}));
    EXPECT_OK(store->Verify(1).status());
    ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                         store->FindByEventId("a", "a-r"));
    EXPECT_TRUE(found.has_value());
  }
  EXPECT_EQ(FormatOf(restored), kFormatValue);
}

TEST(EventIdScopeTest, VerifyNamesAnEntryInTheWrongNamespace) {
  TestStore t;
  ASSERT_OK(t->Append(TwoAgenciesSameIds()).status());
  const std::string path = t.dir.Sub("db");
  t.store.reset();
  {
    // a's "e2" moved into agency c's namespace.
    RawDb db(path);
    const std::string position =
        db.Get(RawDb::kEventIds, EncodeEventIdKey("a", "e2"));
    db.Delete(RawDb::kEventIds, EncodeEventIdKey("a", "e2"));
    db.Put(RawDb::kEventIds, EncodeEventIdKey("c", "e2"), position);
  }
  t.Reopen();
  EXPECT_THAT(t->Verify(1), StatusIs(absl::StatusCode::kDataLoss, "eventId"));
}

}  // namespace
}  // namespace ogi
