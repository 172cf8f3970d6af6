// Corruption of a closed store by an outside writer, after LevelDB's
// corruption_test: the RocksDB directory is opened directly (column families
// per engine/key_codec.h), stored bytes are damaged, and the reopened store
// must answer kDataLoss on every path that reads them (ReadStream, ScanLog,
// FindByEventId, an Append to the case), never crash and never skip the damaged
// event. Damage to an index leaves the paths that do not use it working.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

#include "engine/event_store.h"
#include "engine/key_codec.h"
#include "proto/event.pb.h"
#include "tests/testing/builders.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::RawDb;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr absl::StatusCode kOk = absl::StatusCode::kOk;
constexpr absl::StatusCode kDataLoss = absl::StatusCode::kDataLoss;

StreamId Case(const std::string& id) { return {StreamId::Kind::kCase, id}; }

v1::Event WithId(v1::Event event, absl::string_view event_id) {
  event.set_event_id(std::string(event_id));
  return event;
}

// Fills the store every row starts from:
//   position 1  agency a1
//   position 2  C1 version 1 received  (eventId r1)
//   position 3  C1 version 2 reviewed  (eventId v1)   <- the rows damage this
//   one, which is not the head position 4  C2 version 1 received  (eventId r2)
//   position 5  C2 version 2 answered  (eventId a2)
void Populate(EventStore& store) {
  ASSERT_OK(store.Append({RegisterAgency("a1")}));
  ASSERT_OK(store.Append({WithId(Receive("C1", "a1", "2024-01-02"), "r1")}));
  ASSERT_OK(store.Append({WithId(
      CaseEvent("C1", "2024-01-03",
                R"("reviewed":{"reviewer":"王某","decision":"APPROVED"})"),
      "v1")}));
  ASSERT_OK(store.Append({WithId(Receive("C2", "a1", "2024-01-04"), "r2")}));
  ASSERT_OK(store.Append({WithId(
      CaseEvent("C2", "2024-01-05", R"("answered":{"outcome":"DISCLOSED"})"),
      "a2")}));
  ASSERT_EQ(store.HeadPosition(), 5u);
}

// Returns the key of the damaged entry.
std::string Position3() { return EncodePosition(3); }

// Returns the stored event at position 3, parsed.
v1::Event StoredEvent3(RawDb& db) {
  // The decoded value points into the stored bytes: keep them alive.
  const std::string stored = db.Get(RawDb::kLog, Position3());
  absl::StatusOr<LogValue> value = DecodeLogValue(stored);
  EXPECT_TRUE(value.ok()) << value.status();
  v1::Event event;
  EXPECT_TRUE(value.ok() &&
              event.ParseFromArray(value->record.data(),
                                   static_cast<int>(value->record.size())));
  return event;
}

// Replaces the record at position 3 by `event`, keeping its chain link.
void PutEvent3(RawDb& db, const v1::Event& event) {
  const std::string value = db.Get(RawDb::kLog, Position3());
  db.Put(RawDb::kLog, Position3(),
         EncodeLogValue(value.substr(1, kLinkSize), event.SerializeAsString()));
}

TEST(CorruptionTest, DamagedStoredBytesAreDataLossOnEveryPathThatReadsThem) {
  struct Row {
    const char* name;
    void (*damage)(RawDb&);
    // False when only an index is damaged: what does not use it still works.
    bool log_damaged;
    absl::StatusCode read_c1;
    absl::StatusCode find_v1;
    absl::StatusCode append_c1;
  };
  const Row rows[] = {
      {"garbage log value",
       [](RawDb& db) {
         db.Put(RawDb::kLog, Position3(), std::string(64, '\xa5'));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"log value shorter than its header",
       [](RawDb& db) {
         db.Put(RawDb::kLog, Position3(),
                db.Get(RawDb::kLog, Position3()).substr(0, 20));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"log value of an unknown format",
       [](RawDb& db) {
         std::string value = db.Get(RawDb::kLog, Position3());
         value[0] = 2;
         db.Put(RawDb::kLog, Position3(), value);
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"record truncated inside the payload",
       [](RawDb& db) {
         const std::string value = db.Get(RawDb::kLog, Position3());
         db.Put(RawDb::kLog, Position3(), value.substr(0, value.size() - 2));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"record truncated just before the payload",
       [](RawDb& db) {
         // The envelope fields (numbers 1-9) are written before the payload (10
         // and up), so this prefix of the record still parses: into an event
         // without a payload.
         v1::Event envelope = StoredEvent3(db);
         envelope.clear_payload();
         const size_t envelope_size = envelope.ByteSizeLong();
         db.Put(RawDb::kLog, Position3(),
                db.Get(RawDb::kLog, Position3())
                    .substr(0, 1 + kLinkSize + envelope_size));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"record that does not parse",
       [](RawDb& db) {
         const std::string value = db.Get(RawDb::kLog, Position3());
         // Field 1 claims 100 bytes and has 3.
         db.Put(
             RawDb::kLog, Position3(),
             absl::StrCat(value.substr(0, 1 + kLinkSize), "\x0a\x64", "abc"));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"log entry deleted while the indexes still point at it",
       [](RawDb& db) { db.Delete(RawDb::kLog, Position3()); }, true, kDataLoss,
       kDataLoss, kDataLoss},
      {"log entry holding the record of another position",
       [](RawDb& db) {
         db.Put(RawDb::kLog, Position3(),
                db.Get(RawDb::kLog, EncodePosition(4)));
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"record whose embedded position disagrees with its key",
       [](RawDb& db) {
         v1::Event event = StoredEvent3(db);
         event.set_position(4);
         PutEvent3(db, event);
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"record changed so that it still parses",
       [](RawDb& db) {
         v1::Event event = StoredEvent3(db);
         event.set_case_id("C9");
         PutEvent3(db, event);
       },
       true, kDataLoss, kDataLoss, kDataLoss},
      {"stream index pointing at another stream's event",
       [](RawDb& db) {
         db.Put(RawDb::kStreams, EncodeStreamKey(Case("C1"), 2),
                EncodePosition(5));
       },
       false, kDataLoss, kOk, kDataLoss},
      {"stream index missing a version",
       [](RawDb& db) {
         db.Delete(RawDb::kStreams, EncodeStreamKey(Case("C1"), 1));
       },
       false, kDataLoss, kOk, kDataLoss},
      {"eventId index pointing at another event",
       [](RawDb& db) {
         db.Put(RawDb::kEventIds, EncodeEventIdKey("a1", "v1"),
                EncodePosition(4));
       },
       false, kOk, kDataLoss, kOk},
      {"eventId index value of the wrong size",
       [](RawDb& db) {
         db.Put(RawDb::kEventIds, EncodeEventIdKey("a1", "v1"), "xyz");
       },
       false, kOk, kDataLoss, kOk},
  };
  // Every row damages a copy of one populated store.
  TestStore original;
  ASSERT_NO_FATAL_FAILURE(Populate(*original.store));
  original.store.reset();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    ::ogi::testing::TempDir dir;
    std::error_code error;
    std::filesystem::copy(original.dir.Sub("db"), dir.Sub("db"),
                          std::filesystem::copy_options::recursive, error);
    ASSERT_FALSE(error) << error.message();
    {
      RawDb db(dir.Sub("db"));
      ASSERT_TRUE(db.ok());
      row.damage(db);
    }
    absl::StatusOr<std::unique_ptr<EventStore>> opened =
        EventStore::Open({.path = dir.Sub("db"), .clock = &original.clock});
    ASSERT_OK(opened);
    EventStore* store = opened->get();

    EXPECT_EQ(store->ReadStream(Case("C1")).status().code(), row.read_c1)
        << store->ReadStream(Case("C1")).status();
    std::vector<uint64_t> scanned;
    const absl::Status scan = store->ScanLog(1, [&](const v1::Event& e) {
      scanned.push_back(e.position());
      return absl::OkStatus();
    });
    if (row.log_damaged) {
      EXPECT_THAT(scan, StatusIs(kDataLoss));
      EXPECT_THAT(scanned, ElementsAre(1, 2))
          << "the scan must stop at the damage, not skip it";
    } else {
      EXPECT_OK(scan);
      EXPECT_THAT(scanned, ElementsAre(1, 2, 3, 4, 5));
    }
    EXPECT_EQ(store->FindByEventId("a1", "v1").status().code(), row.find_v1)
        << store->FindByEventId("a1", "v1").status();
    // The other case does not read position 3.
    absl::StatusOr<std::vector<v1::Event>> c2 = store->ReadStream(Case("C2"));
    ASSERT_OK(c2);
    EXPECT_EQ(c2->size(), 2u);

    const absl::StatusOr<std::vector<AppendedEvent>> appended = store->Append(
        {WithId(CaseEvent("C1", "2024-01-06",
                          R"("reviewed":{"decision":"RETURNED"})"),
                "new")});
    EXPECT_EQ(appended.status().code(), row.append_c1) << appended.status();
    EXPECT_EQ(store->HeadPosition(), row.append_c1 == kOk ? 6u : 5u);
  }
}

TEST(CorruptionTest, DamagedHeadEntryMakesOpenReturnDataLoss) {
  TestStore t;
  ASSERT_NO_FATAL_FAILURE(Populate(*t.store));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    db.Put(RawDb::kLog, EncodePosition(5), "short");
  }
  EXPECT_THAT(EventStore::Open({.path = t.dir.Sub("db"), .clock = &t.clock}),
              StatusIs(kDataLoss));
}

TEST(CorruptionTest, DamagedStreamCountMakesOpenReturnDataLoss) {
  TestStore t;
  ASSERT_NO_FATAL_FAILURE(Populate(*t.store));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    db.Put(RawDb::kDefault, kCaseCountKey, "two");
  }
  EXPECT_THAT(EventStore::Open({.path = t.dir.Sub("db"), .clock = &t.clock}),
              StatusIs(kDataLoss));
}

TEST(CorruptionTest, OpenRefusesARocksDbOfAnotherFormat) {
  ::ogi::testing::TempDir dir;
  ::ogi::testing::FakeClock clock;
  {
    RawDb db(dir.Sub("db"), /*create=*/true);
    ASSERT_TRUE(db.ok());
    db.Put(RawDb::kDefault, kFormatKey, "other-app-3");
  }
  EXPECT_THAT(EventStore::Open({.path = dir.Sub("db"), .clock = &clock}),
              StatusIs(kDataLoss, "not an ogi store"));
  // Nothing was written: the foreign format is still there.
  RawDb db(dir.Sub("db"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.Get(RawDb::kDefault, kFormatKey), "other-app-3");
}

TEST(CorruptionTest, OpenRefusesARocksDbWithDataButNoFormat) {
  ::ogi::testing::TempDir dir;
  ::ogi::testing::FakeClock clock;
  {
    RawDb db(dir.Sub("db"), /*create=*/true);
    ASSERT_TRUE(db.ok());
    db.Put(RawDb::kDefault, "user/42", "someone else's data");
  }
  EXPECT_THAT(EventStore::Open({.path = dir.Sub("db"), .clock = &clock}),
              StatusIs(kDataLoss));
}

TEST(CorruptionTest, OpenRefusesAStoreWhoseFormatKeyWasDeleted) {
  TestStore t;
  ASSERT_NO_FATAL_FAILURE(Populate(*t.store));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    db.Delete(RawDb::kDefault, kFormatKey);
  }
  EXPECT_THAT(EventStore::Open({.path = t.dir.Sub("db"), .clock = &t.clock}),
              StatusIs(kDataLoss));
}

TEST(CorruptionTest, ScanFromALaterPositionStillChecksTheChain) {
  TestStore t;
  ASSERT_NO_FATAL_FAILURE(Populate(*t.store));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    v1::Event event = StoredEvent3(db);
    event.mutable_reviewed()->set_reviewer(
        "李某");  // still parses, names the right case and position
    PutEvent3(db, event);
  }
  t.Reopen();
  ASSERT_NE(t.store, nullptr);
  std::vector<uint64_t> scanned;
  auto visit = [&](const v1::Event& e) {
    scanned.push_back(e.position());
    return absl::OkStatus();
  };
  EXPECT_THAT(t->ScanLog(3, visit), StatusIs(kDataLoss));
  EXPECT_THAT(scanned, IsEmpty());
  // Position 4's link covers position 3's, so a scan from 4 is clean.
  scanned.clear();
  EXPECT_OK(t->ScanLog(4, visit));
  EXPECT_THAT(scanned, ElementsAre(4, 5));
}

}  // namespace
}  // namespace ogi
