// EventStore::Verify and LinkAt: a store damaged by an outside writer (through
// RocksDB directly) fails verification with kDataLoss naming the position and
// the case, for each kind of tampering an auditor must catch — a value
// altered, a key deleted, events reordered, an index entry removed or added —
// and a store rewritten with consistent links is caught by an earlier digest.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_store.h"
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
using ::testing::HasSubstr;

v1::Event WithId(v1::Event event, const std::string& id) {
  event.set_event_id(id);
  return event;
}

// Agency a1 at position 1, then cases C0..C{n-1}: each received (eventId
// r<i>) and answered, so case Ci's events are at positions 2+2i and 3+2i.
void Populate(EventStore& store, int cases) {
  ASSERT_OK(store.Append({RegisterAgency("a1")}));
  for (int i = 0; i < cases; ++i) {
    const std::string id = absl::StrCat("C", i);
    ASSERT_OK(store.Append(
        {WithId(Receive(id, "a1", "2024-01-02"), absl::StrCat("r", i)),
         CaseEvent(id, "2024-01-03",
                   R"("answered":{"outcome":"DISCLOSED"})")}));
  }
}

v1::Event StoredAt(RawDb& db, uint64_t position) {
  v1::Event event;
  EXPECT_OK(DecodeStored(db.Get(RawDb::kLog, EncodePosition(position)),
                         position, event));
  return event;
}

// Replaces the record at `position` by `event`, keeping the stored link.
void PutRecord(RawDb& db, uint64_t position, const v1::Event& event) {
  const std::string value = db.Get(RawDb::kLog, EncodePosition(position));
  db.Put(RawDb::kLog, EncodePosition(position),
         EncodeLogValue(value.substr(1, kLinkSize), event.SerializeAsString()));
}

TEST(VerifyTest, AnIntactStoreVerifiesAndReportsItsHead) {
  TestStore t;
  Populate(*t.store, 20);
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult whole, t->Verify(1));
  EXPECT_EQ(whole.events, 41u);
  EXPECT_EQ(whole.head_position, 41u);
  ASSERT_OK_AND_ASSIGN(StoreStats stats, t->Stats());
  EXPECT_EQ(whole.head_link, stats.head_link);
  ASSERT_OK_AND_ASSIGN(std::string head_link, t->LinkAt(41));
  EXPECT_EQ(head_link, stats.head_link);

  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult tail, t->Verify(30));
  EXPECT_EQ(tail.events, 12u);
  EXPECT_EQ(tail.head_link, whole.head_link);

  EXPECT_THAT(t->Verify(42), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(t->LinkAt(42), StatusIs(absl::StatusCode::kOutOfRange));
  ASSERT_OK_AND_ASSIGN(std::string zero, t->LinkAt(0));
  EXPECT_EQ(zero, std::string(kLinkSize, '\0'));
}

TEST(VerifyTest, EachLinkIsADigestOfTheLogUpToIt) {
  TestStore t;
  Populate(*t.store, 3);
  ASSERT_OK_AND_ASSIGN(std::string link4, t->LinkAt(4));
  // Appending does not change an earlier link.
  ASSERT_OK(t->Append({Receive("C9", "a1", "2024-02-01")}));
  ASSERT_OK_AND_ASSIGN(std::string again, t->LinkAt(4));
  EXPECT_EQ(again, link4);
  // Recomputing the chain by hand from the stored records gives the links.
  std::string link(kLinkSize, '\0');
  t.store.reset();
  RawDb db(t.dir.Sub("db"));
  for (uint64_t p = 1; p <= 4; ++p) {
    const std::string stored = db.Get(RawDb::kLog, EncodePosition(p));
    auto value = DecodeLogValue(stored);
    ASSERT_OK(value.status());
    link = ChainLink(link, value->record);
    EXPECT_EQ(link, value->link) << "position " << p;
  }
  EXPECT_EQ(link, link4);
}

struct Damage {
  std::string name;
  std::function<void(RawDb&)> apply;
  std::vector<std::string> message;  // substrings the error must contain
};

TEST(VerifyTest, EveryKindOfTamperingIsCaughtAndNamed) {
  const std::vector<Damage> damages = {
      {"a value altered (the answer's outcome)",
       [](RawDb& db) {
         v1::Event e = StoredAt(db, 9);  // C3 answered
         e.mutable_answered()->set_outcome(v1::Answered::PARTIALLY_DISCLOSED);
         PutRecord(db, 9, e);
       },
       {"position 9", "case C3", "chain link"}},
      {"a byte flipped in a record",
       [](RawDb& db) {
         std::string value = db.Get(RawDb::kLog, EncodePosition(12));
         value.back() ^= 0x01;
         db.Put(RawDb::kLog, EncodePosition(12), value);
       },
       {"position 12"}},
      {"a key deleted from the middle of the log",
       [](RawDb& db) { db.Delete(RawDb::kLog, EncodePosition(7)); },
       {"position 7 is missing"}},
      {"two events swapped",
       [](RawDb& db) {
         const std::string five = db.Get(RawDb::kLog, EncodePosition(5));
         db.Put(RawDb::kLog, EncodePosition(5),
                db.Get(RawDb::kLog, EncodePosition(6)));
         db.Put(RawDb::kLog, EncodePosition(6), five);
       },
       {"position 5"}},
      {"two events swapped, with their positions rewritten",
       [](RawDb& db) {
         v1::Event a = StoredAt(db, 4), b = StoredAt(db, 6);
         a.set_position(6);
         b.set_position(4);
         PutRecord(db, 4, b);
         PutRecord(db, 6, a);
       },
       {"position 4", "chain link"}},
      {"a stream index entry removed",
       [](RawDb& db) {
         db.Delete(RawDb::kStreams,
                   EncodeStreamKey({StreamId::Kind::kCase, "C5"}, 2));
       },
       {"position 13", "case C5", "streams index"}},
      {"an eventId index entry removed",
       [](RawDb& db) {
         db.Delete(RawDb::kEventIds, EncodeEventIdKey("a1", "r7"));
       },
       {"position 16", "case C7", "eventId"}},
      {"an eventId index entry added",
       [](RawDb& db) {
         db.Put(RawDb::kEventIds, EncodeEventIdKey("a1", "forged"),
                EncodePosition(3));
       },
       {"eventId index", "position 3"}},
      {"a stream index entry added",
       [](RawDb& db) {
         db.Put(RawDb::kStreams,
                EncodeStreamKey({StreamId::Kind::kCase, "C5"}, 3),
                EncodePosition(13));
       },
       {"streams index", "case C5 version 3"}},
      {"the case count altered",
       [](RawDb& db) {
         db.Put(RawDb::kDefault, kCaseCountKey, EncodePosition(19));
       },
       {"counts 19 cases", "holds 20"}},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    TestStore t;
    Populate(*t.store, 20);
    t.store.reset();
    {
      RawDb db(t.dir.Sub("db"));
      damage.apply(db);
    }
    t.Reopen();
    ASSERT_NE(t.store, nullptr);
    absl::StatusOr<EventStore::VerifyResult> verified = t->Verify(1);
    ASSERT_THAT(verified, StatusIs(absl::StatusCode::kDataLoss));
    for (const std::string& part : damage.message)
      EXPECT_THAT(verified.status().message(), HasSubstr(part));
  }
}

TEST(VerifyTest, APartialVerifyChecksTheIndexEntriesOfItsRange) {
  TestStore t;
  Populate(*t.store, 10);
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    db.Delete(RawDb::kStreams,
              EncodeStreamKey({StreamId::Kind::kCase, "C8"}, 1));
  }
  t.Reopen();
  EXPECT_OK(t->Verify(19).status());  // C8 starts at 18
  EXPECT_THAT(t->Verify(18), StatusIs(absl::StatusCode::kDataLoss,
                                      "position 18 (case C8, version 1)"));
}

// Someone who rewrites a record and recomputes every later link leaves a
// chain that verifies on its own; the digest taken before (published with a
// report) no longer matches.
TEST(VerifyTest, ARewrittenChainVerifiesButNoLongerMatchesAnEarlierDigest) {
  TestStore t;
  Populate(*t.store, 10);
  ASSERT_OK_AND_ASSIGN(const std::string published, t->LinkAt(15));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    v1::Event e = StoredAt(db, 7);  // C2 answered
    e.mutable_answered()->set_outcome(v1::Answered::PARTIALLY_DISCLOSED);
    const std::string six = db.Get(RawDb::kLog, EncodePosition(6));
    std::string link(DecodeLogValue(six)->link);
    for (uint64_t p = 7; p <= 21; ++p) {
      const std::string value = db.Get(RawDb::kLog, EncodePosition(p));
      const std::string record =
          p == 7 ? e.SerializeAsString()
                 : std::string(DecodeLogValue(value)->record);
      link = ChainLink(link, record);
      db.Put(RawDb::kLog, EncodePosition(p), EncodeLogValue(link, record));
    }
  }
  t.Reopen();
  EXPECT_OK(t->Verify(1).status());
  ASSERT_OK_AND_ASSIGN(const std::string now, t->LinkAt(15));
  EXPECT_NE(now, published);
}

}  // namespace
}  // namespace ogi
