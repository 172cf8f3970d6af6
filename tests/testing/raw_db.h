// A store's RocksDB directory opened directly, as an outside writer would, to
// damage it in tests (column families per engine/key_codec.h).
#ifndef OGI_TESTS_TESTING_RAW_DB_H_
#define OGI_TESTS_TESTING_RAW_DB_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"

#include "engine/key_codec.h"

namespace ogi::testing {

// REQUIRES: no EventStore has the directory open.
class RawDb {
 public:
  enum Family { kDefault = 0, kLog = 1, kStreams = 2, kEventIds = 3 };

  // Opens the store at `path` (creating it and the four families of the log
  // if `create`); any further family the store has is opened too.
  explicit RawDb(const std::string& path, bool create = false) {
    rocksdb::DBOptions options;
    options.create_if_missing = create;
    options.create_missing_column_families = create;
    std::vector<std::string> names = {
        std::string(rocksdb::kDefaultColumnFamilyName), std::string(kLogFamily),
        std::string(kStreamsFamily), std::string(kEventIdsFamily)};
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(options, path, &existing).ok()) {
      for (const std::string& name : existing) {
        if (std::find(names.begin(), names.end(), name) == names.end())
          names.push_back(name);
      }
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s =
        rocksdb::DB::Open(options, path, families, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* handle : handles_)
      (void)db_->DestroyColumnFamilyHandle(handle);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  bool ok() const { return db_ != nullptr; }

  std::string Get(Family family, const std::string& key) {
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_[family], key, &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  void Put(Family family, const std::string& key, const std::string& value) {
    const rocksdb::Status s =
        db_->Put(rocksdb::WriteOptions(), handles_[family], key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(Family family, const std::string& key) {
    const rocksdb::Status s =
        db_->Delete(rocksdb::WriteOptions(), handles_[family], key);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_RAW_DB_H_
