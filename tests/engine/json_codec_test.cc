// The interchange format: strict parsing with errors that name the field, and a
// writer it round-trips with.
#include "engine/json_codec.h"

#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;

TEST(JsonCodecTest, ParsesTheSpecExamples) {
  ASSERT_OK_AND_ASSIGN(
      v1::Event e,
      ParseEventJson(
          R"({"eventId":"wlt-2023-0001-r","caseId":"WLT-JYJ-2023-0001","agencyId":"wltzq-jyj","occurredOn":"2023-03-06","received":{"applicant":{"category":"NATURAL_PERSON","name":"张某"},"channel":"ONLINE","description":"2022年义务教育招生计划"}})",
          EngineFields::kRefuse));
  EXPECT_EQ(e.case_id(), "WLT-JYJ-2023-0001");
  EXPECT_EQ(e.received().applicant().category(), v1::Applicant::NATURAL_PERSON);
  EXPECT_EQ(e.received().applicant().name(), "张某");
  EXPECT_EQ(e.received().channel(), v1::Received::ONLINE);
}

TEST(JsonCodecTest, WriterOutputParsesBackToTheSameText) {
  const std::string line =
      R"({"eventId":"e\"1\\","caseId":"C1","occurredOn":"2023-03-20","expectedVersion":0,"recordedAt":"2024-01-12T00:00:00Z","version":2,"position":9000000000,"answered":{"outcome":"DISCLOSED","note":"line\nbreak \u0001 中文"}})";
  ASSERT_OK_AND_ASSIGN(v1::Event e,
                       ParseEventJson(line, EngineFields::kIgnore));
  EXPECT_FALSE(e.has_recorded_at());  // engine fields are dropped on import
  EXPECT_TRUE(e.has_expected_version());
  ASSERT_OK_AND_ASSIGN(v1::Event strict,
                       ParseEventJson(MessageToJson(e), EngineFields::kRefuse));
  EXPECT_EQ(MessageToJson(strict), MessageToJson(e));
  EXPECT_EQ(e.answered().note(), "line\nbreak \x01 中文");
}

TEST(JsonCodecTest, RefusalsNameTheField) {
  const struct {
    const char* name;
    const char* json;
    const char* want;
  } rows[] = {
      {"unknown field", R"({"caseId":"C1","colour":"red"})",
       "field 'colour': unknown field"},
      {"snake case name", R"({"case_id":"C1"})",
       "field 'case_id': unknown field"},
      {"two payloads", R"({"withdrawn":{},"archived":{}})",
       "one payload per event"},
      {"unknown enum", R"({"answered":{"outcome":"MAYBE"}})",
       "field 'answered.outcome': unknown value \"MAYBE\""},
      {"unspecified enum", R"({"answered":{"outcome":"OUTCOME_UNSPECIFIED"}})",
       "answered.outcome"},
      {"nested unknown", R"({"received":{"applicant":{"age":3}}})",
       "field 'received.applicant.age'"},
      {"fraction", R"({"extended":{"workingDays":1.5}})",
       "field 'extended.workingDays': must be a whole number"},
      {"out of range", R"({"extended":{"workingDays":99999999999}})",
       "out of range"},
      {"string for int", R"({"extended":{"workingDays":"x"}})",
       "extended.workingDays"},
      {"number for string", R"({"caseId":12})",
       "field 'caseId': must be a string"},
      {"duplicate key", R"({"caseId":"a","caseId":"b"})",
       "field 'caseId': appears twice"},
      {"engine field", R"({"position":3})", "set by the engine"},
      {"trailing text", R"({"caseId":"a"} x)", "malformed JSON"},
      {"not an object", R"(["caseId"])", "malformed JSON"},
      {"unterminated", R"({"caseId":"a)", "malformed JSON"},
      {"bad escape", R"({"caseId":"\q"})", "malformed JSON"},
      {"lone surrogate", R"({"caseId":"\ud800"})", "surrogate"},
      {"invalid utf-8", "{\"caseId\":\"\xff\"}", "UTF-8"},
      {"empty", "", "malformed JSON"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_THAT(ParseEventJson(row.json, EngineFields::kRefuse),
                StatusIs(absl::StatusCode::kInvalidArgument, row.want));
  }
}

TEST(JsonCodecTest, NeverQuotesStringValuesInErrors) {
  // A free-text value in the wrong place must not be echoed: it may be personal
  // data.
  auto result = ParseEventJson(
      R"({"received":{"applicant":{"name":12345678}}})", EngineFields::kRefuse);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(std::string(result.status().message()).find("12345678"),
            std::string::npos);
}

TEST(JsonCodecTest, DeepNestingIsRefusedNotCrashing) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += R"({"amended":)";
  EXPECT_THAT(ParseEventJson(deep, EngineFields::kRefuse),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// A damaged stored event can hold an enum number the schema does not name.
// Asking protobuf for its name would invent a descriptor per number and keep
// it forever; the writer prints the number and the reader refuses it.
TEST(JsonCodecTest, WriterPrintsAnUnknownEnumNumberAsANumber) {
  v1::Event e;
  e.set_case_id("C1");
  e.mutable_received()->mutable_applicant()->set_category(
      static_cast<v1::Applicant::Category>(99));
  EXPECT_EQ(MessageToJson(e),
            R"({"caseId":"C1","received":{"applicant":{"category":99}}})");
  EXPECT_THAT(ParseEventJson(MessageToJson(e), EngineFields::kIgnore),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "field 'received.applicant.category': must be a string "
                       "naming a value"));
}

// Applicant.sealed holds ciphertext. Written raw it made the line invalid
// UTF-8, which no JSON reader (ours included) accepts.
TEST(JsonCodecTest, BytesFieldsAreBase64BothWays) {
  v1::Event e;
  e.set_case_id("C1");
  e.mutable_received()->mutable_applicant()->set_sealed(
      std::string("\x01\xff\x00\x80", 4));
  const std::string line = MessageToJson(e);
  EXPECT_EQ(
      line,
      R"({"caseId":"C1","received":{"applicant":{"sealed":"Af8AgA=="}}})");
  ASSERT_OK_AND_ASSIGN(v1::Event back,
                       ParseEventJson(line, EngineFields::kIgnore));
  EXPECT_EQ(back.received().applicant().sealed(),
            e.received().applicant().sealed());
  EXPECT_THAT(
      ParseEventJson(R"({"received":{"applicant":{"sealed":"not base64!"}}})",
                     EngineFields::kIgnore),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "field 'received.applicant.sealed': must be base64"));
}

}  // namespace
}  // namespace ogi
