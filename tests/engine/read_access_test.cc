// EventStore::Access: a store opened for reading writes nothing (checked
// through a file system that refuses every write, which holds for root too),
// a missing store is kNotFound and is not created, and a reader behind a
// writer in the same process reads as of its open, catches up on request, and
// backs up a consistent copy while the writer appends.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

#include "engine/backups.h"
#include "engine/event_store.h"
#include "projections/report_index.h"
#include "projections/report_render.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Ev;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TempDir;
using ::ogi::testing::TestStore;

// A file system on which every operation that would create, change, rename,
// lock or delete a file fails, and is counted: a read-only mount that root
// cannot write through either.
class ReadOnlyFs final : public rocksdb::FileSystemWrapper {
 public:
  ReadOnlyFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "OgiReadOnlyFs"; }
  int refused() const { return refused_; }

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions&,
                                    std::unique_ptr<rocksdb::FSWritableFile>*,
                                    rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions&,
      std::unique_ptr<rocksdb::FSWritableFile>*,
      rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name,
                                      const std::string&,
                                      const rocksdb::FileOptions&,
                                      std::unique_ptr<rocksdb::FSWritableFile>*,
                                      rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus NewRandomRWFile(const std::string& name,
                                    const rocksdb::FileOptions&,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                    rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions&,
                               rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus Truncate(const std::string& name, size_t,
                             const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus CreateDir(const std::string& name,
                              const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus CreateDirIfMissing(const std::string& name,
                                       const rocksdb::IOOptions&,
                                       rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus DeleteDir(const std::string& name,
                              const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus RenameFile(const std::string& name, const std::string&,
                               const rocksdb::IOOptions&,
                               rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus LinkFile(const std::string& name, const std::string&,
                             const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus LockFile(const std::string& name, const rocksdb::IOOptions&,
                             rocksdb::FileLock**,
                             rocksdb::IODebugContext*) override {
    return Refuse(name);
  }
  rocksdb::IOStatus NewLogger(const std::string& name,
                              const rocksdb::IOOptions&,
                              std::shared_ptr<rocksdb::Logger>*,
                              rocksdb::IODebugContext*) override {
    return Refuse(name);
  }

 private:
  rocksdb::IOStatus Refuse(const std::string& name) {
    ++refused_;
    return rocksdb::IOStatus::IOError("read-only file system", name);
  }
  std::atomic<int> refused_{0};
};

// Fills the store: an agency and `cases` cases with applicants, some
// answered.
void Populate(EventStore& store, int cases) {
  ASSERT_OK(store
                .Append({Ev(R"({"agencyId":"city","occurredOn":"2024-01-01",)"
                            R"("agencyRegistered":{"name":"市政府"}})")})
                .status());
  for (int i = 0; i < cases; ++i) {
    const std::string id = absl::StrCat("C-", i);
    std::vector<v1::Event> events = {Ev(absl::StrCat(
        R"({"eventId":"r)", i, R"(","caseId":")", id,
        R"(","agencyId":"city","occurredOn":"2024-03-04","received":)",
        R"({"applicant":{"category":"NATURAL_PERSON","name":"申请人)", i % 7,
        R"(","idNumber":"11010119900101)", 1000 + i % 7,
        R"("},"channel":"ONLINE"}})"))};
    if (i % 3 == 0) {
      events.push_back(
          CaseEvent(id, "2024-03-20", R"("answered":{"outcome":"DISCLOSED"})"));
    }
    ASSERT_OK(store.Append(events).status());
  }
}

std::string Dump(EventStore& store) {
  std::string out;
  EXPECT_OK(store.ScanLog(1, [&](const v1::Event& e) {
    absl::StrAppend(&out, e.ShortDebugString(), "\n");
    return absl::OkStatus();
  }));
  return out;
}

TEST(ReadAccessTest, ReadingWritesNothingEvenWhereTheFileSystemWouldLetIt) {
  TestStore t;
  Populate(*t.store, 40);
  const std::string dump = Dump(*t.store);
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult written, t.store->Verify(1));
  t.store.reset();

  auto fs = std::make_shared<ReadOnlyFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                       EventStore::Open({.path = t.dir.Sub("db"),
                                         .access = EventStore::Access::kRead,
                                         .env = env.get()}));
  EXPECT_FALSE(store->ReadsBehindWriter());
  EXPECT_EQ(Dump(*store), dump);
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified, store->Verify(1));
  EXPECT_EQ(verified.head_position, written.head_position);
  EXPECT_EQ(verified.head_link, written.head_link);
  ASSERT_OK(store->Verify(10).status());
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Event> stream,
                       store->ReadStream({StreamId::Kind::kCase, "C-3"}));
  EXPECT_EQ(stream.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> cases,
                       store->CasesOfApplicant("110101199001011003"));
  EXPECT_THAT(cases, ::testing::UnorderedElementsAre("C-3", "C-10", "C-17",
                                                     "C-24", "C-31", "C-38"));
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                       store->FindByEventId("city", "r5"));
  EXPECT_TRUE(found.has_value());
  ASSERT_OK(store->Stats().status());
  ASSERT_OK(store->CatchUpWithWriter());
  // The backup writes its directory only (through the default file system).
  ASSERT_OK_AND_ASSIGN(EventStore::BackupResult backup,
                       store->Backup(t.dir.Sub("backups")));
  EXPECT_EQ(backup.head_position, written.head_position);
  EXPECT_EQ(fs->refused(), 0);

  EXPECT_THAT(
      store->Append({CaseEvent("C-1", "2024-03-21",
                               R"("answered":{"outcome":"DISCLOSED"})")}),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->PurgeErasedKeys(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  store.reset();
  EXPECT_EQ(fs->refused(), 0);

  ASSERT_OK_AND_ASSIGN(uint32_t id, EventStore::Restore(t.dir.Sub("backups"),
                                                        t.dir.Sub("restored")));
  EXPECT_EQ(id, backup.backup_id);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> restored,
                       EventStore::Open({.path = t.dir.Sub("restored")}));
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult again, restored->Verify(1));
  EXPECT_EQ(again.head_link, written.head_link);
  EXPECT_EQ(Dump(*restored), dump);  // personal data revealed: keys copied
}

TEST(ReadAccessTest, OnlyCreateMakesAStore) {
  TempDir dir;
  struct Row {
    const char* name;
    EventStore::Access access;
  };
  for (const Row& row : {Row{"write", EventStore::Access::kWrite},
                         Row{"read", EventStore::Access::kRead}}) {
    SCOPED_TRACE(row.name);
    EXPECT_THAT(
        EventStore::Open({.path = dir.Sub("missing"), .access = row.access}),
        StatusIs(absl::StatusCode::kNotFound));
    EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing")));
    std::filesystem::create_directory(dir.Sub("empty"));
    EXPECT_THAT(
        EventStore::Open({.path = dir.Sub("empty"), .access = row.access}),
        StatusIs(absl::StatusCode::kNotFound));
    EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("empty")));
  }
  EXPECT_FALSE(EventStore::Exists(dir.Sub("new")));
  ASSERT_OK(EventStore::Open({.path = dir.Sub("new")}).status());
  EXPECT_TRUE(EventStore::Exists(dir.Sub("new")));
  ASSERT_OK(EventStore::Open(
                {.path = dir.Sub("new"), .access = EventStore::Access::kWrite})
                .status());
}

TEST(ReadAccessTest, WritingOpensKeepAFewInfoLogs) {
  TempDir dir;
  for (int i = 0; i < 12; ++i) {
    ASSERT_OK(EventStore::Open({.path = dir.Sub("db")}).status());
  }
  int logs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("db")))
    logs += entry.path().filename().string().rfind("LOG", 0) == 0;
  EXPECT_LE(logs, 5);
}

TEST(ReadAccessTest, ReaderBehindAWriterReadsAsOfItsOpenAndCatchesUp) {
  TestStore t;
  Populate(*t.store, 10);
  const uint64_t head = t.store->HeadPosition();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> reader,
                       EventStore::Open({.path = t.dir.Sub("db"),
                                         .access = EventStore::Access::kRead}));
  EXPECT_TRUE(reader->ReadsBehindWriter());
  EXPECT_EQ(reader->HeadPosition(), head);
  ASSERT_OK(t.store
                ->Append({CaseEvent("C-1", "2024-03-21",
                                    R"("answered":{"outcome":"DISCLOSED"})")})
                .status());
  EXPECT_EQ(reader->HeadPosition(), head);
  ASSERT_OK(reader->Verify(1).status());
  ASSERT_OK(reader->CatchUpWithWriter());
  EXPECT_EQ(reader->HeadPosition(), head + 1);
  ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified, reader->Verify(1));
  EXPECT_EQ(verified.head_position, head + 1);
  // The reader never touched the writer's lock: a second writer is refused.
  EXPECT_THAT(EventStore::Open({.path = t.dir.Sub("db")}),
              StatusIs(absl::StatusCode::kUnavailable));
}

std::string FileBytes(const std::string& path) {
  std::string bytes;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return bytes;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.append(buffer, got);
  std::fclose(file);
  return bytes;
}

TEST(ReadAccessTest, ReportIndexOfAReaderIsCaughtUpInMemoryOnly) {
  TestStore t;
  Populate(*t.store, 12);
  const std::string path = t.dir.Sub("index.pb");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ReportIndex> index,
                         ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> reader,
                       EventStore::Open({.path = t.dir.Sub("db"),
                                         .access = EventStore::Access::kRead}));
  ReportRequest request;
  request.year = 2024;
  request.agency_id = "city";
  // The writer moves on and saves the index past the reader's view: the
  // reader catches its view up rather than calling the index corrupt.
  ASSERT_OK(t.store
                ->Append({CaseEvent("C-1", "2024-03-22",
                                    R"("answered":{"outcome":"DISCLOSED"})")})
                .status());
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ReportIndex> index,
                         ReportIndex::Open(*t.store, path));
    ASSERT_OK(index->CatchUp().status());
  }
  const std::string saved = FileBytes(path);
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<ReportIndex> ahead,
      ReportIndex::Open(*reader, path, ReportIndex::Saving::kInMemory));
  EXPECT_EQ(reader->HeadPosition(), t.store->HeadPosition());
  ASSERT_OK_AND_ASSIGN(AnnualReport from_file, ahead->Report(request));
  // A lagging index, caught up by a reader, is not saved.
  ASSERT_OK(t.store
                ->Append({CaseEvent("C-2", "2024-03-23",
                                    R"("answered":{"outcome":"DISCLOSED"})")})
                .status());
  ASSERT_OK(reader->CatchUpWithWriter());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<ReportIndex> lagging,
      ReportIndex::Open(*reader, path, ReportIndex::Saving::kInMemory));
  ASSERT_OK_AND_ASSIGN(ReportIndex::CatchUpStats caught, lagging->CatchUp());
  EXPECT_EQ(caught.events, 1u);
  EXPECT_EQ(FileBytes(path), saved);
  ASSERT_OK_AND_ASSIGN(AnnualReport replayed,
                       ComputeAnnualReport(*reader, request));
  ASSERT_OK_AND_ASSIGN(AnnualReport indexed, lagging->Report(request));
  EXPECT_EQ(RenderReport(indexed, ReportFormat::kCsv),
            RenderReport(replayed, ReportFormat::kCsv));
  EXPECT_NE(RenderReport(from_file, ReportFormat::kCsv),
            RenderReport(replayed, ReportFormat::kCsv));
}

TEST(ReadAccessTest, BackupBehindAWriterHoldsEveryEventAcknowledgedBefore) {
  TestStore t;
  Populate(*t.store, 5);
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  uint64_t acknowledged = 0;  // the highest position acknowledged
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      auto appended = t.store->Append({Ev(absl::StrCat(
          R"({"eventId":"w)", i, R"(","caseId":"W-)", i,
          R"(","agencyId":"city","occurredOn":"2024-04-01","received":)",
          R"({"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})"))});
      ASSERT_TRUE(appended.ok()) << appended.status();
      absl::MutexLock lock(&mu);
      acknowledged = (*appended)[0].position;
    }
  });
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    uint64_t before;
    {
      absl::MutexLock lock(&mu);
      before = acknowledged;
    }
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<EventStore> reader,
        EventStore::Open(
            {.path = t.dir.Sub("db"), .access = EventStore::Access::kRead}));
    ASSERT_OK_AND_ASSIGN(EventStore::BackupResult backup,
                         reader->Backup(t.dir.Sub("backups")));
    EXPECT_GE(backup.head_position, before);
    const std::string into = t.dir.Sub(absl::StrCat("restored", round));
    ASSERT_OK(EventStore::Restore(t.dir.Sub("backups"), into, backup.backup_id)
                  .status());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> restored,
                         EventStore::Open({.path = into}));
    ASSERT_OK_AND_ASSIGN(EventStore::VerifyResult verified,
                         restored->Verify(1));
    EXPECT_EQ(verified.head_position, backup.head_position);
    EXPECT_EQ(verified.head_link, backup.head_link);
  }
  stop = true;
  writer.join();
  ASSERT_OK_AND_ASSIGN(std::vector<BackupInfo> list,
                       ListBackups(t.dir.Sub("backups")));
  ASSERT_EQ(list.size(), 3u);
  ASSERT_OK(PruneBackups(t.dir.Sub("backups"), 1));
  ASSERT_OK_AND_ASSIGN(list, ListBackups(t.dir.Sub("backups")));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].backup_id, 3u);
  EXPECT_FALSE(list[0].head.empty());
  EXPECT_THAT(PruneBackups(t.dir.Sub("backups"), 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EventStore::Restore(t.dir.Sub("backups"), t.dir.Sub("r9"), 1),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace ogi
