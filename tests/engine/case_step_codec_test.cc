// The table test of case_step_codec.h (RE2's style): one row per case payload,
// with every field of the payload set, run through every decoder of a step —
// StepOf on the parsed event, CaseChangeOfView on its stored bytes, and the
// compact encoding round trip — and compared as text dumps. The rows are made
// from the descriptors, so a new payload or field is covered without editing
// the test; the expected dumps below say what each payload's step must hold.
#include "engine/case_step_codec.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"

#include "engine/case_state.h"
#include "engine/compact_case.h"
#include "engine/event_view.h"
#include "engine/payload.h"
#include "proto/event.pb.h"
#include "tests/testing/builders.h"

namespace ogi {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// Sets every field of `message` to a value that is not its default: dates
// for fields named "*_on", "ID-<name>" for other strings, the last value of an
// enum, 7 + the field number for integers, true for booleans; one element
// for repeated fields; nested messages the same way.
void SetEveryField(Message& message) {
  const Descriptor* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const bool repeated = f->is_repeated();
    const std::string text = absl::EndsWith(f->name(), "_on")
                                 ? "2024-05-17"
                                 : absl::StrCat("ID-", f->name());
    const int64_t number = 7 + f->number();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        repeated ? r->AddString(&message, f, text)
                 : r->SetString(&message, f, text);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        repeated ? r->AddInt32(&message, f, static_cast<int32_t>(number))
                 : r->SetInt32(&message, f, static_cast<int32_t>(number));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        repeated ? r->AddInt64(&message, f, number)
                 : r->SetInt64(&message, f, number);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        repeated ? r->AddUInt32(&message, f, static_cast<uint32_t>(number))
                 : r->SetUInt32(&message, f, static_cast<uint32_t>(number));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        repeated ? r->AddUInt64(&message, f, static_cast<uint64_t>(number))
                 : r->SetUInt64(&message, f, static_cast<uint64_t>(number));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        repeated ? r->AddBool(&message, f, true)
                 : r->SetBool(&message, f, true);
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = f->enum_type();
        const int value = e->value(e->value_count() - 1)->number();
        repeated ? r->AddEnumValue(&message, f, value)
                 : r->SetEnumValue(&message, f, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        SetEveryField(repeated ? *r->AddMessage(&message, f)
                               : *r->MutableMessage(&message, f));
        break;
      default:
        ADD_FAILURE() << "no value for " << f->full_name();
    }
  }
}

// The step each case payload must give with every field set as above: what
// the rules read of it. A payload missing here fails the test.
const std::map<std::string, std::string>& Expected() {
  static const auto* expected = new std::map<std::string, std::string>{
      {"received", "received on 2024-05-06 code 6 channel 5 amount 11"},
      {"correctionRequested",
       "correctionRequested on 2024-05-06 due 2024-05-17"},
      {"correctionReceived", "correctionReceived on 2024-05-06"},
      {"consultationStarted",
       "consultationStarted on 2024-05-06 code 2 ref ID-consultation_id"},
      {"consultationEnded",
       "consultationEnded on 2024-05-06 code 3 ref ID-consultation_id"},
      {"extended", "extended on 2024-05-06 code 1 amount 8"},
      {"delayFixed", "delayFixed on 2024-05-06 due 2024-05-17"},
      {"reviewed", "reviewed on 2024-05-06 code 2"},
      {"feeNoticed", "feeNoticed on 2024-05-06 pages 10 code 2 amount 9"},
      {"feePaid", "feePaid on 2024-05-06 amount 8"},
      {"answered", "answered on 2024-05-06 code 21"},
      {"withdrawn", "withdrawn on 2024-05-06"},
      {"reanswered", "reanswered on 2024-05-06 code 21"},
      {"archived", "archived on 2024-05-06"},
      {"appealFiled", "appealFiled on 2024-05-06 code 3 ref ID-appeal_id"},
      {"appealDecided", "appealDecided on 2024-05-06 code 3 ref ID-appeal_id"},
      {"personalDataErased", "personalDataErased on 2024-05-06"},
  };
  return *expected;
}

TEST(CaseStepCodecTest, EveryDecoderReadsEveryCasePayloadAlike) {
  const FieldDescriptor* any =
      v1::Event::descriptor()->FindFieldByName("received");
  ASSERT_NE(any, nullptr);
  const auto* payloads = any->containing_oneof();
  int rows = 0;
  for (int i = 0; i < payloads->field_count(); ++i) {
    const FieldDescriptor* f = payloads->field(i);
    const auto payload = static_cast<PayloadCase>(f->number());
    if (!IsCasePayload(payload) || payload == v1::Event::kAmended) continue;
    SCOPED_TRACE(f->name());
    ++rows;
    v1::Event event;
    event.set_case_id("C-1");
    event.set_agency_id("a");
    event.set_occurred_on("2024-05-06");
    event.set_position(9);
    event.set_version(2);
    event.mutable_recorded_at()->set_seconds(1715000000);
    SetEveryField(*event.GetReflection()->MutableMessage(&event, f));

    const CaseStep parsed = StepOf(event);
    const auto want = Expected().find(std::string(PayloadName(payload)));
    ASSERT_NE(want, Expected().end())
        << "no expected step for " << PayloadName(payload);
    EXPECT_EQ(DumpStep(parsed), want->second);

    const std::string record = event.SerializeAsString();
    EventView view;
    ASSERT_TRUE(DecodeEventView(record, view));
    const std::optional<CaseChange> wire = CaseChangeOfView(view);
    ASSERT_TRUE(wire.has_value());
    EXPECT_EQ(DumpStep(wire->step), DumpStep(parsed));
    EXPECT_FALSE(wire->replacement.has_value());

    std::string compact;
    AppendCompactStep(compact, parsed);
    const char* p = compact.data();
    EXPECT_EQ(DumpStep(ReadCompactStep(p)), DumpStep(parsed));
    EXPECT_EQ(p, compact.data() + compact.size());
  }
  EXPECT_EQ(static_cast<size_t>(rows), Expected().size());
}

TEST(CaseStepCodecTest, CompactEncodingKeepsExtremeValues) {
  CaseStep step;
  step.payload = v1::Event::kFeeNoticed;
  step.on_day = -719162;  // 0001-01-01
  step.amount = INT64_MIN;
  step.code = INT16_MAX;
  step.channel = INT8_MIN;
  step.set_pages(INT32_MAX);
  step.ref = std::string(300, 'x');
  std::string compact;
  AppendCompactStep(compact, step);
  const char* p = compact.data();
  const CaseStep back = ReadCompactStep(p);
  EXPECT_EQ(DumpStep(back), DumpStep(step));
  EXPECT_EQ(back.amount, INT64_MIN);
  EXPECT_EQ(back.pages(), INT32_MAX);
}

// Every field of a case state, as text.
std::string StateText(const CaseState& s) {
  const CaseFacts& f = s.facts;
  std::string out = absl::StrCat(
      "v", s.version, " ", s.agency_id, " floor ", FormatCivilDay(s.floor_on),
      " received ", FormatCivilDay(f.received_on), " zero ",
      FormatCivilDay(f.day_zero), " last ", FormatCivilDay(f.last_on),
      " concluded ", FormatCivilDay(f.concluded_on), " items ", f.items,
      " ext ", f.extension_working_days, " fee ", f.fee_noticed_fen, "/",
      f.fee_paid_fen, " cat ", f.category, " ch ", f.channel, " out ",
      f.outcome, " corr ", f.correction_requests);
  absl::StrAppend(&out, " flags ", f.received, f.correction_outstanding,
                  f.correction_received, f.fee_outstanding, f.concluded,
                  f.withdrawn, f.archived, f.personal_data_erased);
  for (const std::string& c : f.consultations_open)
    absl::StrAppend(&out, " open ", c);
  for (const std::string& c : f.consultations_seen)
    absl::StrAppend(&out, " seen ", c);
  for (const Appeal& a : f.appeals) {
    absl::StrAppend(&out, " appeal ", a.id, " ", FormatCivilDay(a.filed_on),
                    " ", FormatCivilDay(a.decided_on), " ", a.kind, " ",
                    a.result, " ", a.result_in_filing_year);
  }
  for (const CaseStep& step : s.steps)
    absl::StrAppend(&out, "\n  ", DumpStep(step));
  return out;
}

// A case folded through the rules, encoded compactly and decoded, is the same
// state: amendments, appeals and consultations included.
TEST(CompactCaseTest, DecodesToTheStateItEncoded) {
  const char* lines[] = {
      R"("received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE","items":2})",
      R"("consultationStarted":{"consultationId":"k1","party":"THIRD_PARTY"})",
      R"("consultationEnded":{"consultationId":"k1","opinion":"CONSENT"})",
      R"("answered":{"outcome":"DISCLOSED"})",
      R"("amended":{"version":1,"reason":"类型录错","fields":"applicant.category","received":{"applicant":{"category":"COMMERCIAL_ENTERPRISE"}}})",
      R"("appealFiled":{"appealId":"a1","kind":"RECONSIDERATION"})",
      R"("appealDecided":{"appealId":"a1","result":"UPHELD"})",
      R"("archived":{})",
  };
  CaseState state;
  int day = 3;
  for (const char* payload : lines) {
    v1::Event event = testing::CaseEvent(
        "c/1", absl::StrCat("2024-03-", day < 10 ? "0" : "", day), payload);
    event.set_agency_id("ag");
    day += 2;
    absl::StatusOr<CaseChange> change = DecideCaseEvent(state, event);
    ASSERT_TRUE(change.ok()) << change.status() << " for " << payload;
    ApplyCaseChange(state, *change, "ag");
  }
  ASSERT_EQ(state.version, 8u);
  EXPECT_EQ(StateText(DecodeCase(EncodeCase("c/1", state))), StateText(state));
  EXPECT_EQ(IdOfCase(EncodeCase("c/1", state)), "c/1");
  // The floor is kept even where the steps would fold into another.
  state.floor_on += 5;
  EXPECT_EQ(StateText(DecodeCase(EncodeCase("c/1", state))), StateText(state));
}

}  // namespace
}  // namespace ogi
