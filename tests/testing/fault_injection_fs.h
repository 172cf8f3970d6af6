// A RocksDB file system that fails chosen writes on demand, for tests of what
// the store does when the disk fails under it (SQLite's crash VFS). It wraps
// the default file system; EventStore::Options::env takes it through
// NewFaultInjectionEnv.
//
// Files are told apart by name: "*.log" is a write-ahead log, "*.sst" a table
// file, anything under "ogi-import-staging" an import's staged file,
// "MANIFEST-*" RocksDB's manifest. An armed fault fails every matching
// operation after the first `skip`, with an IOError, until Disarm(): a disk
// that has gone bad, not a one-off.
//
// KillAtOperation(n) instead kills the process with SIGKILL at the n-th file
// operation (new file, append, sync, link, rename, delete) counted from then:
// kill -9 at a chosen point, for tests that run the store in a forked child.
#ifndef OGI_TESTS_TESTING_FAULT_INJECTION_FS_H_
#define OGI_TESTS_TESTING_FAULT_INJECTION_FS_H_

#include <atomic>
#include <csignal>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/io_status.h"

namespace ogi::testing {

// Thread-safe.
class FaultInjectionFs final : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault {
    kNone,
    kWalWrite,       // a WAL append fails and writes nothing
    kWalTornWrite,   // a WAL append writes the first half of its bytes, fails
    kWalSync,        // a WAL sync fails (the bytes were written, not synced)
    kSstWrite,       // a table file append fails (flush or compaction)
    kStagingWrite,   // an append to an import's staged file fails (disk full)
    kLink,           // a hard link fails (ingesting staged files)
    kManifestWrite,  // an append to the MANIFEST fails (committing them)
  };

  FaultInjectionFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "OgiFaultInjectionFs"; }

  // Fails every operation that `fault` names after the next `skip` of them.
  void Arm(Fault fault, int skip = 0) {
    skip_ = skip;
    fault_ = fault;
  }
  void Disarm() { fault_ = Fault::kNone; }
  // Returns how many operations have been failed so far.
  int injected() const { return injected_; }

  // Kills the process at the `n`-th file operation from now (n >= 1); 0
  // only counts them.
  void KillAtOperation(int n) {
    operations_ = 0;
    kill_at_ = n;
  }
  // Returns the file operations counted since KillAtOperation.
  int operations() const { return operations_; }

  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    Count();
    if (fault_ == Fault::kLink && skip_.fetch_sub(1) <= 0) {
      ++injected_;
      return rocksdb::IOStatus::IOError("injected fault");
    }
    return target()->LinkFile(src, dst, options, dbg);
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    Count();
    return target()->RenameFile(src, dst, options, dbg);
  }
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    Count();
    return target()->DeleteFile(name, options, dbg);
  }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    Count();
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok()) Wrap(name, *result);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s =
        target()->ReopenWritableFile(name, options, result, dbg);
    if (s.ok()) Wrap(name, *result);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s =
        target()->ReuseWritableFile(name, old_name, options, result, dbg);
    if (s.ok()) Wrap(name, *result);
    return s;
  }

 private:
  enum class Kind { kWal, kSst, kStaging, kManifest, kOther };

  void Count() {
    if (kill_at_ > 0 && ++operations_ == kill_at_) raise(SIGKILL);
    if (kill_at_ == 0) ++operations_;
  }

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultInjectionFs& fs,
         Kind kind)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), kind_(kind) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      fs_.Count();
      if (rocksdb::IOStatus s = Write(data, options, dbg); !s.ok()) return s;
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      fs_.Count();
      if (rocksdb::IOStatus s = Write(data, options, dbg); !s.ok()) return s;
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                       uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      if (fs_.Fails(kind_, /*sync=*/false)) return Injected();
      return target()->PositionedAppend(data, offset, options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      fs_.Count();
      if (fs_.Fails(kind_, /*sync=*/true)) return Injected();
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      fs_.Count();
      if (fs_.Fails(kind_, /*sync=*/true)) return Injected();
      return target()->Fsync(options, dbg);
    }

   private:
    // Returns OK if the append may go ahead; otherwise fails it, first
    // writing half of it for a torn write.
    rocksdb::IOStatus Write(const rocksdb::Slice& data,
                            const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) {
      if (!fs_.Fails(kind_, /*sync=*/false)) return rocksdb::IOStatus::OK();
      if (fs_.fault_ == Fault::kWalTornWrite) {
        (void)target()->Append(rocksdb::Slice(data.data(), data.size() / 2),
                               options, dbg);  // torn: what got out, got out
      }
      return Injected();
    }
    static rocksdb::IOStatus Injected() {
      return rocksdb::IOStatus::IOError("injected fault");
    }

    FaultInjectionFs& fs_;
    const Kind kind_;
  };

  void Wrap(const std::string& name,
            std::unique_ptr<rocksdb::FSWritableFile>& file) {
    const Kind kind = absl::StrContains(name, "ogi-import-staging")
                          ? Kind::kStaging
                      : absl::EndsWith(name, ".log")         ? Kind::kWal
                      : absl::EndsWith(name, ".sst")         ? Kind::kSst
                      : absl::StrContains(name, "MANIFEST-") ? Kind::kManifest
                                                             : Kind::kOther;
    file = std::make_unique<File>(std::move(file), *this, kind);
  }

  // Returns whether this operation fails, counting it.
  bool Fails(Kind kind, bool sync) {
    const Fault fault = fault_;
    const bool matches =
        (kind == Kind::kWal && !sync &&
         (fault == Fault::kWalWrite || fault == Fault::kWalTornWrite)) ||
        (kind == Kind::kWal && sync && fault == Fault::kWalSync) ||
        (kind == Kind::kSst && !sync && fault == Fault::kSstWrite) ||
        (kind == Kind::kStaging && !sync && fault == Fault::kStagingWrite) ||
        (kind == Kind::kManifest && !sync && fault == Fault::kManifestWrite);
    if (!matches || skip_.fetch_sub(1) > 0) return false;
    ++injected_;
    return true;
  }

  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> skip_{0};
  std::atomic<int> injected_{0};
  std::atomic<int> operations_{0};
  std::atomic<int> kill_at_{-1};  // -1: not counting
};

// Returns an Env that uses `fs` for files and the default Env for the rest.
inline std::unique_ptr<rocksdb::Env> NewFaultInjectionEnv(
    const std::shared_ptr<FaultInjectionFs>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_FAULT_INJECTION_FS_H_
