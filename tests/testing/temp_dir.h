// A fresh directory per test, removed when the object goes away.
#ifndef OGI_TESTS_TESTING_TEMP_DIR_H_
#define OGI_TESTS_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <stdlib.h>
#include <string>

namespace ogi::testing {

// Not thread-safe; one per test.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TEST_TMPDIR");
    std::string pattern =
        std::string(base != nullptr ? base : "/tmp") + "/ogi-test-XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Returns path()/name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_TEMP_DIR_H_
