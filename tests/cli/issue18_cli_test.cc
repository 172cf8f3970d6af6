// Regression tests of issue 18, findings 9 and 10 (the CLI's manners and
// machine output): each reproduced through the real `ogi` binary, or through
// the command line the binary builds from its command table.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/command_table.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "tests/testing/ogi_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::OgiResult;
using ::ogi::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

OgiResult Ogi(const std::string& db, const std::string& args) {
  return testing::RunOgi(OGI_BINARY, db, args);
}

// True if `text` is one JSON object (google.protobuf.Struct's parser).
bool IsJsonObject(const std::string& text) {
  google::protobuf::Struct parsed;
  return google::protobuf::util::JsonStringToMessage(text, &parsed).ok();
}

// A store of agency "a" (registered at the beginning of 2024 in effect) and
// two of its cases, built by `ogi import` so it creates a store.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.Sub("log.jsonl"))
        << R"({"agencyId":"a","occurredOn":"2024-01-01","agencyRegistered":{"name":"甲局"}})"
           "\n"
        << R"({"caseId":"C-1","agencyId":"a","occurredOn":"2024-03-04","received":{"applicant":{"category":"NATURAL_PERSON","name":"张某"},"channel":"ONLINE"}})"
           "\n"
        << R"({"caseId":"C-2","agencyId":"a","occurredOn":"2024-03-05","received":{"applicant":{"category":"NATURAL_PERSON","name":"李某"},"channel":"ONLINE"}})"
           "\n"
        << R"({"caseId":"C-2","agencyId":"a","occurredOn":"2024-03-20","answered":{"outcome":"DISCLOSED"}})"
           "\n";
    const OgiResult imported =
        Ogi(db(), absl::StrCat("import ", dir_.Sub("log.jsonl")));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }
  std::string db() const { return dir_.Sub("db"); }
  TempDir dir_;
};

// Finding 9: `--output out.html` without `--format` wrote CSV into it.
TEST_F(CliTest, ReportFormatFollowsTheOutputExtension) {
  for (const auto& [name, start] :
       std::vector<std::pair<std::string, std::string>>{
           {"out.html", "<!DOCTYPE html>"},
           {"out.json", "{"},
           {"out.md", "# "},
           {"out.csv", "section,row,column,value"}}) {
    SCOPED_TRACE(name);
    const std::string path = dir_.Sub(name);
    const OgiResult r = Ogi(
        db(), absl::StrCat("report --year 2024 --agency a --output ", path));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    EXPECT_THAT(first, StartsWith(start));
  }
}

// Finding 9: `--as-of 2024-01-01` was refused; a day is the end of that day
// in China time, and the command says so.
TEST(AsOfTest, ADayIsItsEndInChinaTime) {
  std::ostringstream notes;
  absl::StatusOr<absl::Time> t = ParseAsOf("2024-01-01", &notes);
  ASSERT_OK(t.status());
  EXPECT_EQ(*t, absl::FromCivil(absl::CivilSecond(2024, 1, 1, 16, 0, 0),
                                absl::UTCTimeZone()) -
                    absl::Nanoseconds(1));
  EXPECT_THAT(notes.str(), HasSubstr("end of that day in China time"));
  EXPECT_THAT(notes.str(), HasSubstr("2024-01-01T23:59:59.999999999+08:00"));
  ASSERT_OK(ParseAsOf("2024-01-12T00:00:00Z", nullptr).status());
  EXPECT_THAT(ParseAsOf("yesterday", nullptr),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                "or a day YYYY-MM-DD"));
}

TEST_F(CliTest, AsOfADayIsAcceptedAndSaid) {
  // Every event was recorded today, so by the end of a day long past the
  // agency was not registered yet, and by a day far ahead everything is in.
  OgiResult past =
      Ogi(db(), "report --year 2024 --agency a --as-of 2000-01-01");
  EXPECT_NE(past.exit_code, 0);
  EXPECT_THAT(past.output, HasSubstr("end of that day in China time"));
  EXPECT_THAT(past.output, HasSubstr("not registered"));
  OgiResult ahead = Ogi(
      db(), "report --year 2024 --agency a --as-of 2999-12-31 --format csv");
  OgiResult now = Ogi(db(), "report --year 2024 --agency a --format csv");
  ASSERT_EQ(ahead.exit_code, 0) << ahead.output;
  EXPECT_THAT(ahead.output, HasSubstr("applications,new,natural_person,2"));
  EXPECT_THAT(now.output, HasSubstr("applications,new,natural_person,2"));
}

// Finding 9: `--date` without `--document` was silently ignored.
TEST_F(CliTest, DateWithoutDocumentIsRefused) {
  const OgiResult r =
      Ogi(db(), "report --year 2024 --agency a --date 2025-01-10");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--date is the document's date"));
}

// Finding 9: the due/deadline help pointed to docs/CALENDAR.md, which does
// not exist. Every docs file any help names exists.
TEST(HelpTest, EveryDocsFileAHelpNamesExists) {
  CLI::App app;
  Flags flags;
  BuildCommandLine(app, flags);
  std::vector<const CLI::App*> apps = {&app};
  const std::regex doc("docs/[A-Z-]+\\.md");
  int named = 0;
  for (size_t i = 0; i < apps.size(); ++i) {
    for (const CLI::App* sub : apps[i]->get_subcommands({}))
      apps.push_back(sub);
    const std::string help = apps[i]->help();
    for (std::sregex_iterator m(help.begin(), help.end(), doc), end; m != end;
         ++m) {
      ++named;
      EXPECT_TRUE(
          std::filesystem::exists(absl::StrCat(OGI_SOURCE_DIR, "/", m->str())))
          << m->str() << " named by " << apps[i]->get_name();
    }
  }
  EXPECT_GT(named, 0);
}

// Finding 9: `ogi client report|case|deadline` flags had empty help. Every
// option and positional of every command has some.
TEST(HelpTest, EveryFlagHasHelp) {
  CLI::App app;
  Flags flags;
  BuildCommandLine(app, flags);
  std::vector<const CLI::App*> apps = {&app};
  for (size_t i = 0; i < apps.size(); ++i) {
    for (const CLI::App* sub : apps[i]->get_subcommands({}))
      apps.push_back(sub);
    for (const CLI::Option* option : apps[i]->get_options({})) {
      EXPECT_FALSE(option->get_description().empty())
          << apps[i]->get_name() << " " << option->get_name();
    }
  }
  EXPECT_GT(apps.size(), 30u);
}

// Finding 9: `export --agency nope` gave 0 lines and exit 0.
TEST_F(CliTest, ExportOfAnUnregisteredAgencyIsRefused) {
  const OgiResult r = Ogi(db(), "export --agency nope");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("agency nope is not registered"));
}

// Finding 9: a stale --expected-version exited 1 like a validation error.
TEST_F(CliTest, StaleExpectedVersionHasItsOwnExitCode) {
  const std::string event =
      R"('{"caseId":"C-1","agencyId":"a","occurredOn":"2024-03-06","answered":{"outcome":"DISCLOSED"}}')";
  const OgiResult stale =
      Ogi(db(), absl::StrCat("append --expected-version 0 ", event));
  EXPECT_EQ(stale.exit_code, 3) << stale.output;
  EXPECT_THAT(stale.output, HasSubstr("does not match the current version 1"));
  const OgiResult invalid = Ogi(db(), "append '{\"caseId\":\"C-9\"}'");
  EXPECT_EQ(invalid.exit_code, 1) << invalid.output;
  const OgiResult fresh =
      Ogi(db(), absl::StrCat("append --expected-version 1 ", event));
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
}

// Finding 9: `verify --digest 99999999:…` said "events were removed since".
TEST_F(CliTest, DigestBeyondTheHeadSaysSo) {
  const OgiResult r = Ogi(
      db(), absl::StrCat("verify --digest 99999999:", std::string(64, '0')));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output,
              HasSubstr("the digest's position 99999999 is beyond the head of "
                        "this log (position 4)"));
}

// Finding 9: on a damaged SST `verify` printed raw RocksDB text, and `report`
// from a current report index exited 0.
TEST(DamagedStoreTest, VerifyNamesThePositionsAndReportFails) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const std::string log = dir.Sub("gen.jsonl");
  ASSERT_EQ(Ogi(db, absl::StrCat("gen --agencies 3 --years 2023..2023 "
                                 "--cases-per-year 3000 --seed 7 --out ",
                                 log))
                .exit_code,
            0);
  ASSERT_EQ(Ogi(db, absl::StrCat("import ", log)).exit_code, 0);
  ASSERT_EQ(Ogi(db, "reindex").exit_code, 0);
  ASSERT_EQ(
      Ogi(db, "report --year 2023 --agency gov-root --format csv").exit_code,
      0);
  // The largest table file holds the log; 64 bytes in its middle are
  // overwritten, as a failing disk would.
  std::string largest;
  uintmax_t size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().extension() == ".sst" && entry.file_size() > size) {
      size = entry.file_size();
      largest = entry.path();
    }
  }
  ASSERT_GT(size, 100000u);
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file << std::string(64, '\xff');
  }
  const OgiResult verify = Ogi(db, "verify");
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.output,
              HasSubstr("the store's files are damaged: the log reads up to "
                        "position "));
  EXPECT_TRUE(std::regex_search(
      verify.output, std::regex("positions [0-9]+-[0-9]+ \\(and the cases")))
      << verify.output;
  const OgiResult report =
      Ogi(db, "report --year 2023 --agency gov-root --format csv");
  EXPECT_NE(report.exit_code, 0);
  EXPECT_THAT(report.output, HasSubstr("the store's files are damaged"));
}

// Finding 10: machine output for import, append, check, due and cases.
TEST_F(CliTest, FormatJsonForScripts) {
  std::ofstream(dir_.Sub("more.jsonl"))
      << R"({"caseId":"C-3","agencyId":"a","occurredOn":"2024-04-01","received":{"applicant":{"category":"NATURAL_PERSON","name":"王某"},"channel":"ONLINE"}})"
         "\n";
  const std::vector<std::pair<std::string, std::string>> commands = {
      {absl::StrCat("import --format json ", dir_.Sub("more.jsonl")),
       "\"appended\":1"},
      {R"(append --format json '{"caseId":"C-1","agencyId":"a","occurredOn":"2024-03-06","answered":{"outcome":"DISCLOSED"}}')",
       "\"version\":2"},
      {"check --year 2024 --agency a --format json", "\"errors\":0"},
      {"due --on 2024-03-05 --format json", "\"caseId\":\"C-1\""},
      {"cases --year 2024 --agency a --row new --column natural_person "
       "--format json",
       "\"caseId\":\"C-2\""},
  };
  for (const auto& [args, want] : commands) {
    SCOPED_TRACE(args);
    const OgiResult r = Ogi(db(), absl::StrCat("--quiet ", args));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(IsJsonObject(r.output)) << r.output;
    EXPECT_THAT(r.output, HasSubstr(want));
  }
}

// Finding 10: --quiet leaves results and errors only.
TEST(QuietTest, NoNotesNoSummary) {
  TempDir dir;
  std::ofstream(dir.Sub("log.jsonl"))
      << R"({"agencyId":"a","occurredOn":"2024-01-01","agencyRegistered":{"name":"甲局"}})"
         "\n";
  const OgiResult loud =
      Ogi(dir.Sub("loud"), absl::StrCat("import ", dir.Sub("log.jsonl")));
  EXPECT_THAT(loud.output, HasSubstr("created a new store"));
  EXPECT_THAT(loud.output, HasSubstr("imported"));
  const OgiResult quiet = Ogi(
      dir.Sub("quiet"), absl::StrCat("import --quiet ", dir.Sub("log.jsonl")));
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.output, "");
  // A report whose index lags the log says so, unless --quiet.
  EXPECT_THAT(Ogi(dir.Sub("loud"), "report --year 2024 --agency a").output,
              HasSubstr("the report index was at position"));
  EXPECT_THAT(Ogi(dir.Sub("quiet"), "-q report --year 2024 --agency a").output,
              Not(HasSubstr("report index")));
  // Errors are still said.
  EXPECT_THAT(Ogi(dir.Sub("quiet"), "--quiet deadline NOPE").output,
              HasSubstr("unknown case"));
}

// Finding 10: shell completion, generated from the command table.
TEST(CompletionTest, BashCompletesCommandsAndFlags) {
  TempDir dir;
  const std::string script = dir.Sub("ogi.bash");
  const OgiResult r = Ogi(dir.Sub("db"), "completion bash");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ofstream(script) << r.output;
  for (const char* command : {"report", "due", "deadline", "verify", "client",
                              "completion", "erase-personal-data"}) {
    EXPECT_THAT(r.output, HasSubstr(command));
  }
  // Run the function as bash would on `ogi fee <TAB>`, `ogi rep<TAB>` and
  // `ogi client report --ye<TAB>`.
  auto complete = [&](const std::string& words, int cword) {
    const std::string command = absl::StrCat(
        "bash -c 'source ", script, "; COMP_WORDS=(", words,
        "); COMP_CWORD=", cword, "; _ogi; echo \"${COMPREPLY[*]}\"' 2>&1");
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
      out.append(buffer, n);
    pclose(pipe);
    return out;
  };
  EXPECT_THAT(complete("ogi fee \"\"", 2), StartsWith("quote "));
  EXPECT_THAT(complete("ogi fee \"\"", 2), Not(HasSubstr("report")));
  EXPECT_EQ(complete("ogi rep", 1), "report\n");
  EXPECT_EQ(complete("ogi client report --ye", 3), "--year\n");
}

}  // namespace
}  // namespace ogi
