// Applicants' personal data at rest: sealed before hashing, revealed on read,
// found by blind tokens, and erased for good by destroying the case's key —
// with the chain, the reports and idempotent retries unchanged.
#include "engine/personal_data.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "engine/validate.h"
#include "projections/annual_report.h"
#include "tests/testing/builders.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Ev;
using ::ogi::testing::RawDb;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kName[] = "张三丰";
constexpr char kIdNumber[] = "110101199003070011";
constexpr char kContact[] = "13800138000";

v1::Event Received(const std::string& case_id, const std::string& event_id,
                   const std::string& applicant_json) {
  return Ev(absl::StrCat(R"({"eventId":")", event_id, R"(","caseId":")",
                         case_id,
                         R"(","agencyId":"a1","occurredOn":"2024-03-06",)",
                         R"("received":{"applicant":)", applicant_json,
                         R"(,"channel":"ONLINE"}})"));
}

std::string Person(const std::string& id_number = kIdNumber) {
  return absl::StrCat(R"({"category":"NATURAL_PERSON","name":")", kName,
                      R"(","idNumber":")", id_number, R"(","contact":")",
                      kContact, R"("})");
}

v1::Event Erase(const std::string& case_id) {
  return CaseEvent(case_id, "2024-06-01",
                   R"("personalDataErased":{"reason":"PIPL request 7"})");
}

// Every byte string stored in any file of the store's directory.
std::string AllFileBytes(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    all += bytes.str();
  }
  return all;
}

v1::Applicant ApplicantAt(EventStore& store, const std::string& case_id,
                          size_t index = 0) {
  auto events = store.ReadStream({StreamId::Kind::kCase, case_id});
  EXPECT_OK(events.status());
  return events.ok() && events->size() > index
             ? ApplicantOf((*events)[index]) != nullptr
                   ? *ApplicantOf((*events)[index])
                   : v1::Applicant()
             : v1::Applicant();
}

std::vector<std::string> Cases(EventStore& store, const std::string& value) {
  auto cases = store.CasesOfApplicant(value);
  EXPECT_OK(cases.status());
  return cases.ok() ? *cases : std::vector<std::string>{"(error)"};
}

TEST(SealTest, RoundTripsAndAuthenticatesTheCaseAndTheKey) {
  ASSERT_OK_AND_ASSIGN(PersonalKey key, NewPersonalKey());
  v1::Applicant a;
  a.set_category(v1::Applicant::NATURAL_PERSON);
  a.set_name(kName);
  a.set_id_number(kIdNumber);
  a.set_contact(kContact);
  v1::Applicant sealed = a;
  ASSERT_OK(SealApplicant(key, "C1", sealed));
  EXPECT_FALSE(HasPersonalData(sealed));
  EXPECT_EQ(sealed.category(), v1::Applicant::NATURAL_PERSON);
  EXPECT_EQ(sealed.sealed().find(kIdNumber), std::string::npos);
  ASSERT_OK_AND_ASSIGN(absl::string_view id, SealedKeyId(sealed));
  EXPECT_EQ(id, key.id);

  v1::Applicant opened = sealed;
  ASSERT_OK(UnsealApplicant(key, "C1", opened));
  EXPECT_EQ(opened.SerializeAsString(), a.SerializeAsString());

  // Another case, another key, a flipped byte: refused, never garbage.
  v1::Applicant copy = sealed;
  EXPECT_THAT(UnsealApplicant(key, "C2", copy),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(PersonalKey other, NewPersonalKey());
  other.id = key.id;
  copy = sealed;
  EXPECT_THAT(UnsealApplicant(other, "C1", copy),
              StatusIs(absl::StatusCode::kDataLoss));
  copy = sealed;
  (*copy.mutable_sealed())[copy.sealed().size() / 2] ^= 1;
  EXPECT_THAT(UnsealApplicant(key, "C1", copy),
              StatusIs(absl::StatusCode::kDataLoss));
  copy.set_sealed("x");
  EXPECT_THAT(UnsealApplicant(key, "C1", copy),
              StatusIs(absl::StatusCode::kDataLoss));
  // Two seals of the same data differ (fresh nonce).
  v1::Applicant again = a;
  ASSERT_OK(SealApplicant(key, "C1", again));
  EXPECT_NE(again.sealed(), sealed.sealed());
}

TEST(PersonalDataTest, ProducersCannotSetTheEngineFields) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1")}));
  v1::Event sealed = Received("C1", "r1", Person());
  sealed.mutable_received()->mutable_applicant()->set_sealed("abc");
  EXPECT_THAT(t->Append({sealed}), StatusIs(absl::StatusCode::kInvalidArgument,
                                            "received.applicant.sealed"));
  v1::Event erased_with_name = Received("C1", "r1", Person());
  erased_with_name.mutable_received()
      ->mutable_applicant()
      ->set_personal_data_erased(true);
  EXPECT_THAT(t->Append({erased_with_name}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "received.applicant.personalDataErased"));
  EXPECT_THAT(
      ParseEventJson(
          R"({"caseId":"C1","occurredOn":"2024-01-01","received":{"applicant":{"category":"NATURAL_PERSON","sealed":"YWJj"}}})",
          EngineFields::kIgnore)
          .status(),
      StatusIs(absl::StatusCode::kOk));
  EXPECT_EQ(t->HeadPosition(), 1u);
}

TEST(PersonalDataTest, StoredSealedAndReadRevealed) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), Received("C1", "r1", Person())}));
  // Every read path gives the data back.
  v1::Applicant a = ApplicantAt(*t.store, "C1");
  EXPECT_EQ(a.name(), kName);
  EXPECT_EQ(a.id_number(), kIdNumber);
  EXPECT_EQ(a.contact(), kContact);
  EXPECT_TRUE(a.sealed().empty());
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Event> found,
                       t->FindByEventId("a1", "r1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->received().applicant().id_number(), kIdNumber);
  std::vector<v1::Applicant> scanned, sealed;
  ASSERT_OK(t->ScanLog(1, [&](const v1::Event& e) {
    if (e.has_received()) scanned.push_back(e.received().applicant());
    return absl::OkStatus();
  }));
  ASSERT_OK(t->ScanLog(
      1,
      [&](const v1::Event& e) {
        if (e.has_received()) sealed.push_back(e.received().applicant());
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kVerify, EventStore::PersonalData::kSealed));
  ASSERT_EQ(scanned.size(), 1u);
  EXPECT_EQ(scanned[0].contact(), kContact);
  ASSERT_EQ(sealed.size(), 1u);
  EXPECT_FALSE(HasPersonalData(sealed[0]));
  EXPECT_FALSE(sealed[0].sealed().empty());
  // No file of the store holds the data in the clear.
  t.store.reset();
  const std::string bytes = AllFileBytes(t.dir.Sub("db"));
  for (const char* secret : {kName, kIdNumber, kContact})
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
}

TEST(PersonalDataTest, ApplicantsAreFoundByIdNumberOrElseByName) {
  TestStore t;
  ASSERT_OK(t->Append(
      {RegisterAgency("a1"), Received("C1", "r1", Person()),
       Received("C2", "r2", Person()),
       Received("C3", "r3", Person("220101199003070022")),
       Received("C4", "r4",
                R"({"category":"COMMERCIAL_ENTERPRISE","name":"某公司"})"),
       Received("C5", "r5", R"({"category":"OTHER_ORGANIZATION"})")}));
  EXPECT_THAT(Cases(*t.store, kIdNumber), ElementsAre("C1", "C2"));
  EXPECT_THAT(Cases(*t.store, "某公司"), ElementsAre("C4"));
  // A name is a token only when no ID number was given.
  EXPECT_THAT(Cases(*t.store, kName), ElementsAre());
  EXPECT_THAT(Cases(*t.store, "nobody"), ElementsAre());
}

TEST(PersonalDataTest, ErasureDestroysTheKeyAndLeavesChainAndReportsIntact) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), Received("C1", "r1", Person()),
                       Received("C2", "r2", Person("220101199003070022"))}));
  ASSERT_OK(t->Append({CaseEvent("C1", "2024-03-10",
                                 R"("answered":{"outcome":"DISCLOSED"})")}));
  ReportRequest request{2024, "a1", Scope::kAgency};
  ASSERT_OK_AND_ASSIGN(AnnualReport before,
                       ComputeAnnualReport(*t.store, request));
  ASSERT_OK_AND_ASSIGN(std::string link4, t->LinkAt(4));

  ASSERT_OK(t->Append({Erase("C1")}));
  ASSERT_OK(t->PurgeErasedKeys());

  v1::Applicant a = ApplicantAt(*t.store, "C1");
  EXPECT_TRUE(a.personal_data_erased());
  EXPECT_FALSE(HasPersonalData(a));
  EXPECT_TRUE(a.sealed().empty());
  EXPECT_EQ(a.category(), v1::Applicant::NATURAL_PERSON);
  EXPECT_EQ(ApplicantAt(*t.store, "C2").id_number(), "220101199003070022");
  EXPECT_THAT(Cases(*t.store, kIdNumber), ElementsAre());

  // The chain: earlier links unchanged, the whole log verifies.
  ASSERT_OK_AND_ASSIGN(std::string link4_after, t->LinkAt(4));
  EXPECT_EQ(link4_after, link4);
  EXPECT_OK(t->Verify(1).status());
  // The report: the same figures.
  ASSERT_OK_AND_ASSIGN(AnnualReport after,
                       ComputeAnnualReport(*t.store, request));
  EXPECT_EQ(after.applications, before.applications);
  EXPECT_EQ(after.appeals, before.appeals);
  // A retry of the original event is still the same event.
  ASSERT_OK_AND_ASSIGN(auto retried,
                       t->Append({Received("C1", "r1", Person())}));
  EXPECT_EQ(retried[0].outcome, AppendedEvent::Outcome::kDuplicate);
  EXPECT_EQ(retried[0].position, 2u);
  // A second erasure is refused; an unknown case too.
  EXPECT_THAT(
      t->Append({Erase("C1")}),
      StatusIs(absl::StatusCode::kFailedPrecondition, "already erased"));
  EXPECT_THAT(t->Append({Erase("C9")}), StatusIs(absl::StatusCode::kNotFound));
}

TEST(PersonalDataTest, PurgeLeavesNoCopyOfTheDestroyedKeyOnDisk) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), Received("C1", "r1", Person())}));
  t.store.reset();
  std::string entry;
  {
    RawDb db(t.dir.Sub("db"));
    entry = db.Get(static_cast<RawDb::Family>(4), "kC1");
  }
  ASSERT_GE(entry.size(), kKeyIdSize + kPersonalKeySize);
  const std::string key = entry.substr(kKeyIdSize, kPersonalKeySize);
  EXPECT_NE(AllFileBytes(t.dir.Sub("db")).find(key), std::string::npos)
      << "the key is on disk before the erasure";
  t.Reopen();
  ASSERT_OK(t->Append({Erase("C1")}));
  ASSERT_OK(t->PurgeErasedKeys());
  t.store.reset();
  EXPECT_EQ(AllFileBytes(t.dir.Sub("db")).find(key), std::string::npos);
}

TEST(PersonalDataTest, NewDataAfterAnErasureGetsANewKey) {
  TestStore t;
  ASSERT_OK(t->Append({RegisterAgency("a1"), Received("C1", "r1", Person())}));
  ASSERT_OK(t->Append({Erase("C1")}));
  ASSERT_OK(t->Append({CaseEvent(
      "C1", "2024-06-01",
      R"("amended":{"version":1,"reason":"name corrected","received":{"applicant":{"category":"NATURAL_PERSON","name":"李四"},"channel":"ONLINE"}})")}));
  EXPECT_TRUE(ApplicantAt(*t.store, "C1", 0).personal_data_erased());
  v1::Applicant amended = ApplicantAt(*t.store, "C1", 2);
  EXPECT_EQ(amended.name(), "李四");
  EXPECT_FALSE(amended.personal_data_erased());
  EXPECT_OK(t->Verify(1).status());
}

}  // namespace
}  // namespace ogi
