// The crash harness (tools/crash_harness.cc) in small: for each mode, a few
// writers killed with SIGKILL at random moments, each followed by a restart
// and the full check of the store (tools/crash_check.h). The long runs are in
// docs/DURABILITY.md. The last tests break the store or the answers on purpose
// and expect the harness to say so, so a harness that checks nothing fails.
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::TempDir;
using ::testing::HasSubstr;

struct HarnessRun {
  int exit_code = -1;
  std::string output;  // standard output and error
};

// Runs the harness with `args` in a work directory under `dir`.
HarnessRun RunHarness(const TempDir& dir, const std::string& args) {
  const std::string out = dir.Sub("harness.out");
  const std::string command =
      absl::StrCat("'", OGI_CRASH_HARNESS, "' --ogi '", OGI_BINARY, "' --dir '",
                   dir.Sub("work"), "' ", args, " >'", out, "' 2>&1");
  const int status = std::system(command.c_str());
  HarnessRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  run.output = text.str();
  return run;
}

// Returns the key=value fields of the summary line of `mode`.
std::map<std::string, std::string> Summary(const std::string& output,
                                           const std::string& mode) {
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!absl::StrContains(line, absl::StrCat(" mode=", mode, " "))) continue;
    for (absl::string_view field : absl::StrSplit(line, ' ')) {
      std::pair<std::string, std::string> kv = absl::StrSplit(field, '=');
      if (!kv.second.empty()) fields.insert(kv);
    }
  }
  return fields;
}

uint64_t Number(const std::map<std::string, std::string>& fields,
                const std::string& key) {
  uint64_t n = 0;
  auto it = fields.find(key);
  return it != fields.end() && absl::SimpleAtoi(it->second, &n) ? n : 0;
}

struct ModeRow {
  const char* mode;
  const char* args;
};

// Per mode: trials, kills, and that some appends were acknowledged and
// checked, so a run whose children never got going does not pass unnoticed.
TEST(CrashTest, AcknowledgedAppendsSurviveSigkillInEveryMode) {
  const ModeRow rows[] = {
      {"single", "--mode single --trials 4 --max-delay-ms 300 --seed 11"},
      {"concurrent",
       "--mode concurrent --threads 4 --trials 4 --max-delay-ms 300 --seed 12"},
      {"import",
       "--mode import --trials 3 --import-cases 300 --import-batch 100 --seed "
       "13"},
  };
  for (const ModeRow& row : rows) {
    SCOPED_TRACE(row.mode);
    TempDir dir;
    const HarnessRun run = RunHarness(dir, row.args);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const std::map<std::string, std::string> summary =
        Summary(run.output, row.mode);
    EXPECT_EQ(Number(summary, "failures"), 0u) << run.output;
    EXPECT_GT(Number(summary, "kills"), 0u) << run.output;
    EXPECT_GT(Number(summary, "acked_appends"), 0u) << run.output;
    EXPECT_GT(Number(summary, "events_checked"), 0u) << run.output;
  }
}

TEST(CrashTest, HarnessReportsAnAcknowledgedAppendThatIsNotStored) {
  TempDir dir;
  const HarnessRun run =
      RunHarness(dir,
                 "--mode single --trials 10 --max-delay-ms 400 --sabotage "
                 "phantom-ack");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("FAIL single"));
  EXPECT_THAT(run.output, HasSubstr("phantom.1of1"));
  EXPECT_THAT(run.output, HasSubstr("is not in the store"));
}

TEST(CrashTest, HarnessReportsAStoredEventThatWentMissing) {
  TempDir dir;
  const HarnessRun run = RunHarness(
      dir,
      "--mode single,concurrent,import --trials 10 --max-delay-ms 400 "
      "--import-cases 100 --import-batch 50 --sabotage drop-acked");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  for (const char* mode : {"single", "concurrent", "import"}) {
    SCOPED_TRACE(mode);
    EXPECT_THAT(run.output, HasSubstr(absl::StrCat("FAIL ", mode)));
    EXPECT_GT(Number(Summary(run.output, mode), "failures"), 0u);
  }
  EXPECT_THAT(run.output, HasSubstr("is missing from the log"));
}

}  // namespace
}  // namespace ogi
