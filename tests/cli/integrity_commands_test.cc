// ogi verify and ogi digest: a published report's digest is checked against
// the log later; a derived report index that disagrees with the log is
// caught; and the commands' output and exit status, end to end.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_id.h"
#include "engine/key_codec.h"
#include "engine/personal_data.h"
#include "proto/report_index.pb.h"
#include "tests/testing/builders.h"
#include "tests/testing/ogi_process.h"
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
using ::testing::MatchesRegex;

// Agency a1 and `cases` cases received in 2023, every other one answered.
void Populate(EventStore& store, int cases, int first = 0) {
  if (first == 0) {
    ASSERT_OK(store.Append({RegisterAgency("a1")}));
  }
  for (int i = first; i < first + cases; ++i) {
    const std::string id = absl::StrCat("C", i);
    ASSERT_OK(store.Append({Receive(id, "a1", "2023-03-01")}));
    if (i % 2 == 0) {
      ASSERT_OK(store.Append({CaseEvent(
          id, "2023-03-10", R"("answered":{"outcome":"DISCLOSED"})")}));
    }
  }
}

// Returns the "position:hash" a JSON report carries.
std::string DigestOfJsonReport(const std::string& json) {
  const size_t p = json.find("\"position\":");
  const size_t h = json.find("\"hash\":\"");
  EXPECT_NE(p, std::string::npos);
  EXPECT_NE(h, std::string::npos);
  const size_t p_end = json.find(',', p);
  return absl::StrCat(json.substr(p + 11, p_end - p - 11), ":",
                      json.substr(h + 8, 2 * kLinkSize));
}

std::string Report(EventStore& store, ReportFormat format) {
  ReportOptions options;
  options.request.year = 2023;
  options.request.agency_id = "a1";
  options.format = format;
  std::ostringstream out;
  EXPECT_OK(ReportCommand(store, options, out));
  return out.str();
}

TEST(DigestTest, ParsesWhatDigestCommandPrints) {
  TestStore t;
  Populate(*t.store, 3);
  std::ostringstream out;
  ASSERT_OK(DigestCommand(*t.store, out));
  EXPECT_THAT(out.str(), MatchesRegex("6:[0-9a-f]{64}\n"));
  std::string line = out.str();
  line.pop_back();
  ASSERT_OK_AND_ASSIGN(Digest digest, ParseDigest(line));
  EXPECT_EQ(digest.position, 6u);
  ASSERT_OK_AND_ASSIGN(std::string link, t->LinkAt(6));
  EXPECT_EQ(digest.link, link);
  for (const char* bad : {"", "6", "6:", "x:00", "6:abc",
                          "6:zz00000000000000000000000000000000000000000000000"
                          "00000000000000"}) {
    EXPECT_THAT(ParseDigest(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(VerifyCommandTest, APublishedReportsDigestIsCheckedLater) {
  TestStore t;
  Populate(*t.store, 10);
  const std::string json = Report(*t.store, ReportFormat::kJson);
  const std::string published = DigestOfJsonReport(json);
  // The same digest is printed in the other formats.
  for (ReportFormat format :
       {ReportFormat::kText, ReportFormat::kMd, ReportFormat::kHtml}) {
    EXPECT_THAT(Report(*t.store, format),
                HasSubstr(absl::StrCat("digest ", published)));
  }
  // The log grows: it still extends the published digest.
  Populate(*t.store, 5, 10);
  VerifyOptions options;
  ASSERT_OK_AND_ASSIGN(options.digest, ParseDigest(published));
  std::ostringstream out;
  ASSERT_OK(VerifyCommand(*t.store, options, out));
  EXPECT_THAT(out.str(),
              HasSubstr(absl::StrCat("the log extends the digest ", published,
                                     " exactly (8 events appended since)")));

  // Someone rewrites an answer before the digest and recomputes every link:
  // the chain verifies on its own, the digest catches it.
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    std::string link(kLinkSize, '\0');
    for (uint64_t p = 1; p <= 24; ++p) {
      const std::string value = db.Get(RawDb::kLog, EncodePosition(p));
      v1::Event e;
      ASSERT_OK(DecodeStored(value, p, e));
      if (e.has_answered())
        e.mutable_answered()->set_outcome(v1::Answered::PARTIALLY_DISCLOSED);
      const std::string record = e.SerializeAsString();
      link = ChainLink(link, record);
      db.Put(RawDb::kLog, EncodePosition(p), EncodeLogValue(link, record));
    }
  }
  t.Reopen();
  out.str("");
  EXPECT_THAT(VerifyCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kDataLoss,
                       "is not the one the digest was taken from"));
  // A digest past the head: from another store, or events were removed.
  ASSERT_OK_AND_ASSIGN(options.digest,
                       ParseDigest(absl::StrCat("99:", std::string(64, '0'))));
  EXPECT_THAT(VerifyCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kDataLoss,
                       "is beyond the head of this log (position 24)"));
}

TEST(VerifyCommandTest, AReportIndexThatDisagreesWithTheLogIsCaught) {
  TestStore t;
  Populate(*t.store, 10);
  const std::string index = t.dir.Sub("index.pb");
  ReportOptions report;
  report.request.year = 2023;
  report.request.agency_id = "a1";
  report.index_path = index;
  std::ostringstream out;
  ASSERT_OK(ReportCommand(*t.store, report, out));

  VerifyOptions options;
  options.report_index_path = index;
  ASSERT_OK(VerifyCommand(*t.store, options, out));

  // One figure changed in the saved index.
  v1::ReportIndexState state;
  {
    std::ifstream in(index, std::ios::binary);
    ASSERT_TRUE(state.ParseFromIstream(&in));
  }
  v1::YearFigures& figures =
      (*(*state.mutable_agencies())["a1"].mutable_years())[2023];
  ASSERT_GT(figures.new_cases_size(), 0);
  figures.set_new_cases(0, figures.new_cases(0) + 1);
  {
    std::ofstream file(index, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(state.SerializeToOstream(&file));
  }
  EXPECT_THAT(VerifyCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kDataLoss,
                       absl::StrCat("the report index ", index,
                                    " disagrees with the log")));
}

TEST(ErasePersonalDataCommandTest, ErasesAnApplicantsCasesAndKeepsTheReport) {
  TestStore t;
  Populate(*t.store, 4);
  const std::string person =
      R"({"category":"NATURAL_PERSON","name":"王五","idNumber":"110101199001010011"})";
  for (const char* id : {"P1", "P2"}) {
    ASSERT_OK(t->Append({testing::Ev(absl::StrCat(
        R"({"caseId":")", id,
        R"(","agencyId":"a1","occurredOn":"2023-05-01","received":{"applicant":)",
        person, "}}"))}));
  }
  const std::string before = Report(*t.store, ReportFormat::kCsv);
  EraseOptions options;
  options.applicant = "110101199001010011";
  options.reason = "PIPL request 12";
  options.today = absl::CivilDay(2024, 6, 1);
  std::ostringstream out;
  ASSERT_OK(ErasePersonalDataCommand(*t.store, options, out));
  EXPECT_EQ(out.str(), "erased the personal data of 2 case(s) P1 P2\n");
  // Same figures (only the provenance line moves on).
  const std::string after = Report(*t.store, ReportFormat::kCsv);
  EXPECT_EQ(after.substr(after.find('\n')), before.substr(before.find('\n')));
  std::ostringstream verified;
  ASSERT_OK(VerifyCommand(*t.store, {}, verified));
  std::ostringstream history;
  ASSERT_OK(HistoryCommand(*t.store, "P1", OutputFormat::kJson,
                           PersonalData::kShown, testing::JudgeOn("2026-12-04"),
                           history));
  EXPECT_THAT(history.str(), HasSubstr("personalDataErased"));
  EXPECT_THAT(history.str(), ::testing::Not(HasSubstr("王五")));

  // Again: nothing left to find, and the message does not echo the value.
  out.str("");
  absl::Status again = ErasePersonalDataCommand(*t.store, options, out);
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(again.message(), ::testing::Not(HasSubstr("110101199001010011")));
  options.applicant.clear();
  options.case_id = "P1";
  ASSERT_OK(ErasePersonalDataCommand(*t.store, options, out));
  EXPECT_EQ(out.str(),
            "erased the personal data of 0 case(s); already erased: P1\n");
  options.case_id = "NOPE";
  EXPECT_THAT(ErasePersonalDataCommand(*t.store, options, out),
              StatusIs(absl::StatusCode::kNotFound, "case NOPE: unknown case"));
}

// Issue 13: an erasure recorded without a purge (a failed purge, or an older
// service) left the key in the WAL; the command said "already erased" and
// purged nothing. It now purges whenever it runs.
TEST(ErasePersonalDataCommandTest, Issue13AlreadyErasedCasesArePurgedToo) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), Receive("P1", "a1", "2024-05-06")})
                .status());
  t.store.reset();
  std::string key;
  {
    RawDb db(t.dir.Sub("db"));
    key = db.Get(static_cast<RawDb::Family>(4), "kP1")
              .substr(kKeyIdSize, kPersonalKeySize);
  }
  ASSERT_EQ(key.size(), kPersonalKeySize);
  t.Reopen();
  ASSERT_OK(t->Append({CaseEvent("P1", "2024-05-07",
                                 R"("personalDataErased":{"reason":"r"})")})
                .status());
  auto on_disk = [&] {
    std::string all;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(t.dir.Sub("db"))) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      all += bytes.str();
    }
    return all.find(key) != std::string::npos;
  };
  ASSERT_TRUE(on_disk()) << "the unpurged erasure leaves the key in the WAL";
  EraseOptions options;
  options.case_id = "P1";
  options.today = absl::CivilDay(2024, 6, 1);
  std::ostringstream out;
  ASSERT_OK(ErasePersonalDataCommand(*t.store, options, out));
  EXPECT_EQ(out.str(),
            "erased the personal data of 0 case(s); already erased: P1\n");
  EXPECT_FALSE(on_disk());
}

#ifdef OGI_BINARY

// Runs `ogi --db DB ARGS`; its output (standard output and error) in
// `*output`. Through a pipe, not a shared file: these tests run in parallel.
int RunShell(const std::string& db, const std::string& args,
             std::string* output) {
  const ogi::testing::OgiResult result =
      ogi::testing::RunOgi(absl::StrCat("'", OGI_BINARY, "'"), db, args);
  *output = result.output;
  return result.exit_code;
}

TEST(OgiBinaryIntegrityTest, DigestThenVerifyExitZeroAndTamperingExitsNonZero) {
  TestStore t;
  Populate(*t.store, 4);
  t.store.reset();
  const std::string db = t.dir.Sub("db");
  std::string digest;
  ASSERT_EQ(RunShell(db, "digest", &digest), 0) << digest;
  digest.pop_back();
  std::string out;
  EXPECT_EQ(RunShell(db, "verify --digest " + digest, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("verified 7 events (positions 1-7)"));
  EXPECT_THAT(out, HasSubstr("head " + digest));
  {
    RawDb db(t.dir.Sub("db"));
    db.Delete(RawDb::kLog, EncodePosition(3));
  }
  EXPECT_NE(RunShell(db, "verify", &out), 0);
  EXPECT_THAT(out, HasSubstr("ogi: position 3 is missing from the log"));
}

TEST(OgiBinaryIntegrityTest, Issue13AFormat1StoreIsMigratedByOgiMigrate) {
  TestStore t;
  Populate(*t.store, 4);
  // Written as format 1 did: the eventId index keyed by the bare eventId.
  std::vector<std::pair<std::string, std::string>> entries;
  ASSERT_OK(t->ScanLog(1, [&](const v1::Event& e) {
    entries.emplace_back(EventIdKeyOf(e), e.event_id());
    return absl::OkStatus();
  }));
  t.store.reset();
  {
    RawDb db(t.dir.Sub("db"));
    for (const auto& [key, event_id] : entries) {
      const std::string position = db.Get(RawDb::kEventIds, key);
      db.Delete(RawDb::kEventIds, key);
      db.Put(RawDb::kEventIds, event_id, position);
    }
    db.Put(RawDb::kDefault, kFormatKey, kFormatUnscopedEventIds);
  }
  const std::string db = t.dir.Sub("db");
  std::string out;
  // A reader reads it, but verify says how to migrate.
  EXPECT_EQ(RunShell(db, "history C1", &out), 0) << out;
  EXPECT_NE(RunShell(db, "verify", &out), 0);
  EXPECT_THAT(out, HasSubstr("ogi migrate"));
  ASSERT_EQ(RunShell(db, "migrate", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("from format ogi-store-1 to ogi-store-2"));
  EXPECT_EQ(RunShell(db, "verify", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("verified 7 events"));
  ASSERT_EQ(RunShell(db, "migrate", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("nothing to migrate"));
}

#endif  // OGI_BINARY

}  // namespace
}  // namespace ogi
