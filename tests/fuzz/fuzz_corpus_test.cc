// Replays the checked-in seed corpus of the fuzz targets (corpus/event_json/,
// corpus/stored_record/) through the same checks as the libFuzzer targets, in
// the ordinary build. Each file is named "<verdict>-<what>" and must get that
// verdict: ok, invalid (kInvalidArgument) or dataloss (kDataLoss). Seeds come
// from make_seed_corpus.cc; crash reproducers found by fuzzing are added by
// hand (docs/FUZZING.md).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/fuzz/fuzz_checks.h"
#include "tests/testing/status_matchers.h"

namespace ogi::fuzz {
namespace {

using ::ogi::testing::StatusIs;

struct CorpusFile {
  std::string name;
  std::string bytes;
};

// Returns the files of corpus/`target`, sorted by name.
std::vector<CorpusFile> ReadCorpus(const std::string& target) {
  const std::filesystem::path dir =
      std::filesystem::path(OGI_FUZZ_CORPUS_DIR) / target;
  std::vector<CorpusFile> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files.push_back({entry.path().filename().string(), bytes.str()});
  }
  std::sort(
      files.begin(), files.end(),
      [](const CorpusFile& a, const CorpusFile& b) { return a.name < b.name; });
  return files;
}

// Returns the file of corpus/`target` called `name`, or empty bytes.
std::string ReadCorpusFile(const std::string& target, const std::string& name) {
  for (CorpusFile& file : ReadCorpus(target)) {
    if (file.name == name) return std::move(file.bytes);
  }
  ADD_FAILURE() << "no corpus file " << target << "/" << name;
  return std::string();
}

// Returns the code a file's name promises; kUnknown if it has no verdict.
absl::StatusCode VerdictOf(const std::string& name) {
  const std::string prefix = name.substr(0, name.find('-'));
  if (prefix == "ok") return absl::StatusCode::kOk;
  if (prefix == "invalid") return absl::StatusCode::kInvalidArgument;
  if (prefix == "dataloss") return absl::StatusCode::kDataLoss;
  return absl::StatusCode::kUnknown;
}

template <typename Check>
void ExpectEveryFileGetsItsVerdict(const std::string& target, Check check) {
  const std::vector<CorpusFile> files = ReadCorpus(target);
  // A missing or emptied folder must not pass as "nothing failed".
  EXPECT_GE(files.size(), 30u) << target;
  for (const CorpusFile& file : files) {
    SCOPED_TRACE(target + "/" + file.name);
    const absl::StatusCode want = VerdictOf(file.name);
    ASSERT_NE(want, absl::StatusCode::kUnknown)
        << "name corpus files <ok|invalid|dataloss>-<what>";
    EXPECT_THAT(check(file.bytes), StatusIs(want));
  }
}

TEST(FuzzCorpusTest, EveryEventJsonFileGetsTheVerdictItsNameGives) {
  ExpectEveryFileGetsItsVerdict("event_json", CheckEventJsonLine);
}

TEST(FuzzCorpusTest, EveryStoredRecordFileGetsTheVerdictItsNameGives) {
  ExpectEveryFileGetsItsVerdict("stored_record", CheckStoredRecord);
}

TEST(FuzzCorpusTest, KnownLinesGetTheRightError) {
  const struct {
    const char* file;
    absl::StatusCode code;
    const char* message;
  } kRows[] = {
      {"ok-received", absl::StatusCode::kOk, ""},
      {"ok-amended", absl::StatusCode::kOk, ""},
      {"invalid-truncated-line", absl::StatusCode::kInvalidArgument,
       "malformed JSON"},
      {"invalid-duplicate-key", absl::StatusCode::kInvalidArgument,
       "field 'caseId': appears twice"},
      {"invalid-utf8-bad-byte", absl::StatusCode::kInvalidArgument,
       "not valid UTF-8"},
      {"invalid-int32-overflow", absl::StatusCode::kInvalidArgument,
       "field 'received.items': is out of range"},
      {"invalid-huge-number", absl::StatusCode::kInvalidArgument,
       "is out of range"},
      {"invalid-nul-after-object", absl::StatusCode::kInvalidArgument,
       "unexpected text after the event object"},
      {"invalid-date-after-recording-day", absl::StatusCode::kInvalidArgument,
       "after the day it is recorded (2030-12-31)"},
  };
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.file);
    EXPECT_THAT(CheckEventJsonLine(ReadCorpusFile("event_json", row.file)),
                StatusIs(row.code, row.message));
  }
}

TEST(FuzzCorpusTest, KnownStoredRecordsGetTheRightError) {
  const struct {
    const char* file;
    absl::StatusCode code;
    const char* message;
  } kRows[] = {
      {"ok-received", absl::StatusCode::kOk, ""},
      {"dataloss-received-cut-in-half", absl::StatusCode::kDataLoss,
       "position 1: stored event does not decode"},
      {"dataloss-received-bit-flipped-in-link", absl::StatusCode::kDataLoss,
       "does not match its chain link"},
      {"dataloss-empty", absl::StatusCode::kDataLoss, "too short"},
      {"dataloss-position-2", absl::StatusCode::kDataLoss,
       "stored event says position 2"},
      {"dataloss-no-payload", absl::StatusCode::kDataLoss, "has no payload"},
  };
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.file);
    EXPECT_THAT(CheckStoredRecord(ReadCorpusFile("stored_record", row.file)),
                StatusIs(row.code, row.message));
  }
}

}  // namespace
}  // namespace ogi::fuzz
