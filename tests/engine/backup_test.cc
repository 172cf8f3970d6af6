// Backup and restore: a backup taken while appends continue restores into a
// store that verifies, holds every event acknowledged before the backup
// began, and agrees with the original at every position it holds.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_store.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::Ev;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;

v1::Event Received(int writer, int i) {
  return Ev(absl::StrCat(
      R"({"eventId":"w)", writer, "-", i, R"(","caseId":"W)", writer, "-", i,
      R"(","agencyId":"a1","occurredOn":"2024-03-06","received":{"applicant":)",
      R"({"category":"NATURAL_PERSON","name":"申请人)", i,
      R"("},"channel":"ONLINE"}})"));
}

std::vector<std::string> Export(EventStore& store, uint64_t up_to) {
  std::vector<std::string> out;
  EXPECT_OK(store.ScanLog(1, [&](const v1::Event& e) {
    if (e.position() <= up_to) out.push_back(e.SerializeAsString());
    return absl::OkStatus();
  }));
  return out;
}

TEST(BackupTest, ABackupTakenDuringAppendsRestoresAndVerifies) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  for (int i = 0; i < 200; ++i) ASSERT_OK(t->Append({Received(0, i)}));

  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 1; w <= 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        if (!t->Append({Received(w, i)}).ok()) return;
      }
    });
  }
  const std::string backups = t.dir.Sub("backups");
  ASSERT_OK_AND_ASSIGN(EventStore::BackupResult first, t->Backup(backups));
  ASSERT_OK_AND_ASSIGN(EventStore::BackupResult second, t->Backup(backups));
  stop = true;
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(first.backup_id, 1u);
  EXPECT_EQ(second.backup_id, 2u);
  EXPECT_GE(second.head_position, first.head_position);
  EXPECT_GE(first.head_position, 201u);

  const std::string restored_dir = t.dir.Sub("restored");
  ASSERT_OK_AND_ASSIGN(uint32_t id, EventStore::Restore(backups, restored_dir));
  EXPECT_EQ(id, 2u);
  ASSERT_OK_AND_ASSIGN(auto restored, EventStore::Open({.path = restored_dir}));
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified, restored->Verify(1));
  // Every event acknowledged before the backup began, and nothing that
  // differs from the original at any position.
  EXPECT_GE(verified.head_position, second.head_position);
  ASSERT_OK_AND_ASSIGN(std::string link, t->LinkAt(verified.head_position));
  EXPECT_EQ(verified.head_link, link);
  EXPECT_EQ(Export(*restored, verified.head_position),
            Export(*t.store, verified.head_position));
  // Personal data comes back readable: the keys were backed up too.
  ASSERT_OK_AND_ASSIGN(auto c,
                       restored->ReadStream({StreamId::Kind::kCase, "W0-7"}));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].received().applicant().name(), "申请人7");
  // The restored store takes appends again.
  EXPECT_OK(restored->Append({Received(9, 0)}).status());
}

TEST(BackupTest, RestoreRefusesToOverwriteAndNeedsABackup) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  EXPECT_THAT(EventStore::Restore(t.dir.Sub("none"), t.dir.Sub("new")),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(t->Backup(t.dir.Sub("b")).status());
  EXPECT_THAT(EventStore::Restore(t.dir.Sub("b"), t.dir.Sub("db")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "not empty"));
}

}  // namespace
}  // namespace ogi
