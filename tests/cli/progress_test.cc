// Issue 18, finding 12: long work shows its progress on a terminal and stays
// quiet when piped. The real binary runs on a pseudo-terminal (forkpty), as a
// clerk sees it: an import shows both its phases reaching 100%, and verify,
// backup and restore, which were silent, show theirs; with stderr piped, or
// under --quiet, none of it appears.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/ogi_process.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::OgiResult;
using ::ogi::testing::RunOgi;
using ::ogi::testing::RunOgiOnTerminal;
using ::testing::HasSubstr;
using ::testing::Not;

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    log_ = dir_.Sub("log.jsonl");
    // Tens of thousands of events: several read-ahead batches of 4096.
    OgiResult gen = RunOgi(OGI_BINARY, db_,
                           absl::StrCat("gen --agencies 3 --years 2023..2023 "
                                        "--cases-per-year 5000 --seed 7 --out ",
                                        log_));
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }

  OgiResult OnTerminal(const std::string& args) {
    return RunOgiOnTerminal(OGI_BINARY, db_, args);
  }

  testing::TempDir dir_;
  std::string db_;
  std::string log_;
};

TEST_F(ProgressTest, ImportShowsBothPhasesReachingAHundredPercent) {
  OgiResult imported = OnTerminal(absl::StrCat("import ", log_));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_THAT(imported.output, HasSubstr("checking and staging: 100.0% ("));
  EXPECT_THAT(imported.output,
              HasSubstr("writing the index files and ingesting: 100.0%"));
  EXPECT_THAT(imported.output, HasSubstr("imported "));
}

TEST_F(ProgressTest, VerifyBackupAndRestoreShowProgressOnATerminal) {
  ASSERT_EQ(RunOgi(OGI_BINARY, db_, absl::StrCat("import ", log_)).exit_code,
            0);
  OgiResult verified = OnTerminal("verify");
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("verifying the log:   0.0%"));
  EXPECT_THAT(verified.output, HasSubstr("verifying the log: 100.0%"));
  // The result starts on a line of its own, after the finished phase.
  EXPECT_THAT(verified.output, HasSubstr("100.0%   \r\nverified "));

  const std::string backups = dir_.Sub("backups");
  OgiResult backed_up = OnTerminal(absl::StrCat("backup ", backups));
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.output;
  EXPECT_THAT(backed_up.output, HasSubstr("copying the store: 100.0%"));
  EXPECT_THAT(backed_up.output, HasSubstr("writing the backup: 100.0%"));
  EXPECT_THAT(backed_up.output, HasSubstr("checking the backup: 100.0%"));

  const std::string restored = dir_.Sub("restored");
  OgiResult restore =
      RunOgiOnTerminal(OGI_BINARY, restored, absl::StrCat("restore ", backups));
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  EXPECT_THAT(restore.output, HasSubstr("checking the backup: 100.0%"));
  EXPECT_THAT(restore.output, HasSubstr("restoring the backup: 100.0%"));
  EXPECT_THAT(restore.output, HasSubstr("verifying the log: 100.0%"));
  EXPECT_THAT(restore.output, HasSubstr("restored backup "));
}

TEST_F(ProgressTest, PipedOrQuietShowsNoProgress) {
  OgiResult imported = RunOgi(OGI_BINARY, db_, absl::StrCat("import ", log_));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_THAT(imported.output, Not(HasSubstr("%")));
  for (const char* args : {"verify", "backup BACKUPS"}) {
    SCOPED_TRACE(args);
    std::string command = args;
    if (command == "backup BACKUPS") command = "backup " + dir_.Sub("b");
    OgiResult piped = RunOgi(OGI_BINARY, db_, command);
    ASSERT_EQ(piped.exit_code, 0) << piped.output;
    EXPECT_THAT(piped.output, Not(HasSubstr("%")));
    EXPECT_THAT(piped.output, Not(HasSubstr("\r")));
    OgiResult quiet = OnTerminal(absl::StrCat("--quiet ", command));
    ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
    EXPECT_THAT(quiet.output, Not(HasSubstr("%")));
  }
}

TEST_F(ProgressTest, PhasesSpeakChineseByDefault) {
  ASSERT_EQ(RunOgi(OGI_BINARY, db_, absl::StrCat("import ", log_)).exit_code,
            0);
  OgiResult verified =
      RunOgiOnTerminal(absl::StrCat("OGI_LANG=zh ", OGI_BINARY), db_, "verify");
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("核对日志：进度 100.0%"));
}

}  // namespace
}  // namespace ogi
