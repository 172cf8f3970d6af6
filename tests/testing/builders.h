// Builders of events for tests: one-line JSON in the interchange format, parsed
// by the real codec.
#ifndef OGI_TESTS_TESTING_BUILDERS_H_
#define OGI_TESTS_TESTING_BUILDERS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

#include "engine/calendar.h"
#include "engine/civil_date.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "proto/event.pb.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace ogi::testing {

// Judges deadlines on the built-in calendar from `today` ("YYYY-MM-DD"),
// which is also the clock's day: tests never depend on the real date.
inline Judge JudgeOn(absl::string_view today) {
  const absl::CivilDay day = *ParseCivilDay(today);
  return {&Calendar::BuiltIn(), day, day};
}

// Returns the event of one JSON line; fails the test (and returns an empty
// event) if it does not parse.
inline v1::Event Ev(absl::string_view json) {
  absl::StatusOr<v1::Event> event = ParseEventJson(json, EngineFields::kRefuse);
  EXPECT_TRUE(event.ok()) << event.status() << " in " << json;
  return event.ok() ? *event : v1::Event();
}

// Returns
// `{"agencyId":ID,"occurredOn":"2019-01-01","agencyRegistered":{"name":NAME[,"parentId":PARENT]}}`.
inline v1::Event RegisterAgency(absl::string_view id,
                                absl::string_view parent = "") {
  std::string json =
      std::string(R"({"agencyId":")") + std::string(id) +
      R"(","occurredOn":"2019-01-01","agencyRegistered":{"name":"机关)" +
      std::string(id) + "\"";
  if (!parent.empty()) json += R"(,"parentId":")" + std::string(parent) + "\"";
  return Ev(json + "}}");
}

// Returns a `received` event for `case_id` at `agency` on `date` by a natural
// person.
inline v1::Event Receive(absl::string_view case_id, absl::string_view agency,
                         absl::string_view date) {
  return Ev(
      std::string(R"({"caseId":")") + std::string(case_id) +
      R"(","agencyId":")" + std::string(agency) + R"(","occurredOn":")" +
      std::string(date) +
      R"(","received":{"applicant":{"category":"NATURAL_PERSON","name":"张某","idNumber":"110101199001011234"},"channel":"ONLINE"}})");
}

// Returns a case event for `case_id` on `date` with `payload` (e.g.
// R"("answered":{"outcome":"DISCLOSED"})").
inline v1::Event CaseEvent(absl::string_view case_id, absl::string_view date,
                           absl::string_view payload) {
  return Ev(std::string(R"({"caseId":")") + std::string(case_id) +
            R"(","occurredOn":")" + std::string(date) + "\"," +
            std::string(payload) + "}");
}

// A store in a fresh temp dir with a FakeClock at 2024-06-01 (agency time).
// Reopen() closes and reopens it.
struct TestStore {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<EventStore> store;

  TestStore() { Reopen(); }
  void Reopen() {
    store.reset();
    auto opened = EventStore::Open({.path = dir.Sub("db"), .clock = &clock});
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (opened.ok()) store = std::move(*opened);
  }
  EventStore* operator->() { return store.get(); }
};

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_BUILDERS_H_
