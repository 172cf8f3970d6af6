// The wire-format reader of stored events against the full protobuf parse:
// every stored record of a generated log reads the same both ways, and
// records not in the engine's shape are declined, never misread.
#include "engine/event_view.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#include "engine/case_state.h"
#include "engine/case_step_codec.h"
#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "engine/status_macros.h"
#include "gen/gen_log.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::TestStore;

std::vector<v1::Event> Generated() {
  GenOptions gen;
  gen.agencies = 4;
  gen.first_year = 2021;
  gen.last_year = 2023;
  gen.cases_per_year = 400;
  gen.seed = 5;
  gen.until = absl::CivilDay(2024, 5, 1);
  std::vector<v1::Event> events;
  GenerateLog(gen, [&](absl::string_view line) {
    auto event = ParseEventJson(line, EngineFields::kRefuse);
    EXPECT_TRUE(event.ok()) << event.status();
    if (event.ok()) events.push_back(*std::move(event));
  });
  return events;
}

TEST(EventViewTest, EveryStoredRecordReadsAsTheFullParseReadsIt) {
  TestStore t;
  const std::vector<v1::Event> events = Generated();
  for (size_t i = 0; i < events.size(); i += 500) {
    std::vector<v1::Event> batch(
        events.begin() + i, events.begin() + std::min(events.size(), i + 500));
    ASSERT_OK(t->Append(std::move(batch)));
  }
  size_t fast_changes = 0;
  const absl::Status scanned = t->ScanRecords(
      1,
      [&](const EventStore::StoredRecord& r) -> absl::Status {
        v1::Event parsed;
        OGI_RETURN_IF_ERROR(DecodeRecord(r.record, r.position, parsed));
        EventView view;
        EXPECT_TRUE(DecodeEventView(r.record, view)) << r.position;
        const EventView want = ViewOf(parsed);
        EXPECT_EQ(view.position, want.position);
        EXPECT_EQ(view.version, want.version);
        EXPECT_EQ(view.payload, want.payload);
        EXPECT_EQ(view.event_id, want.event_id);
        EXPECT_EQ(view.case_id, want.case_id);
        EXPECT_EQ(view.agency_id, want.agency_id);
        EXPECT_EQ(view.occurred_on, want.occurred_on);
        EXPECT_EQ(view.recorded_seconds, want.recorded_seconds);
        EXPECT_EQ(view.recorded_nanos, want.recorded_nanos);
        const std::optional<CaseChange> fast = CaseChangeOfView(view);
        if (!IsCasePayload(parsed.payload_case()) ||
            parsed.payload_case() == v1::Event::kAmended) {
          EXPECT_FALSE(fast.has_value()) << r.position;
          return absl::OkStatus();
        }
        EXPECT_TRUE(fast.has_value()) << r.position;
        if (!fast) return absl::OkStatus();
        ++fast_changes;
        const CaseChange slow = CaseChangeOf(parsed);
        EXPECT_EQ(DumpStep(fast->step), DumpStep(slow.step)) << r.position;
        EXPECT_FALSE(fast->replacement.has_value());
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kVerify);
  ASSERT_OK(scanned);
  EXPECT_GT(fast_changes, events.size() / 2);
}

// Returns a stored-shape record of `event` (engine fields set).
std::string Record(v1::Event event) {
  event.set_position(7);
  event.set_version(2);
  event.mutable_recorded_at()->set_seconds(1700000000);
  return event.SerializeAsString();
}

enum class Payload { kNone, kAsciiCaseId };

// Returns a reviewed event without its payload or with a non-ASCII case id.
v1::Event Without(Payload what) {
  v1::Event event = testing::CaseEvent("C1", "2024-01-03", R"("reviewed":{})");
  if (what == Payload::kNone) {
    event.clear_payload();
  } else {
    event.set_case_id("C\xc3\xa9");
  }
  return event;
}

TEST(EventViewTest, DeclinesWhatItDoesNotReadLikeTheFullParse) {
  const std::string good = Record(testing::CaseEvent(
      "C1", "2024-01-03",
      R"("appealFiled":{"appealId":"AP-1","kind":"LITIGATION_DIRECT"})"));
  EventView view;
  ASSERT_TRUE(DecodeEventView(good, view));
  ASSERT_TRUE(CaseChangeOfView(view).has_value());
  EXPECT_EQ(CaseChangeOfView(view)->step.ref, "AP-1");

  const struct {
    const char* name;
    std::string record;
  } rows[] = {
      {"empty", ""},
      {"truncated", good.substr(0, good.size() - 1)},
      {"garbage", std::string(40, '\xff')},
      {"a field twice (a full parse keeps the last)",
       absl::StrCat(good, "\x12\x02", "C2")},
      {"case id of another wire type", absl::StrCat(good, "\x10\x01")},
      {"a second payload", absl::StrCat(good, "\xa2\x01\x00")},
      {"no payload", Record(Without(Payload::kNone))},
      {"non-ASCII case id", Record(Without(Payload::kAsciiCaseId))},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_FALSE(DecodeEventView(row.record, view));
  }

  // A payload field of another wire type is unknown to a full parse (so
  // left at its default): the fast path declines rather than guess.
  v1::Event odd = testing::CaseEvent("C1", "2024-01-03",
                                     R"("answered":{"outcome":"DISCLOSED"})");
  odd.mutable_answered()
      ->GetReflection()
      ->MutableUnknownFields(odd.mutable_answered())
      ->AddLengthDelimited(1, "x");
  odd.mutable_answered()->clear_outcome();
  // The view points into the record: each record is kept while it is read.
  const std::string odd_record = Record(odd);
  ASSERT_TRUE(DecodeEventView(odd_record, view));
  EXPECT_FALSE(CaseChangeOfView(view).has_value());
  // Non-ASCII text the step keeps is left to the full parse's UTF-8 check.
  const std::string non_ascii = Record(testing::CaseEvent(
      "C1", "2024-01-03", R"("appealFiled":{"appealId":"复议-1"})"));
  ASSERT_TRUE(DecodeEventView(non_ascii, view));
  EXPECT_FALSE(CaseChangeOfView(view).has_value());
}

}  // namespace
}  // namespace ogi
