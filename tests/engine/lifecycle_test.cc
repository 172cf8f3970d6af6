// The rules of docs/EVENTS.md, through EventStore::Append: every refusal
// the spec lists, with its status code, a message that names the stream, the
// field or payload and the rule, nothing written, and no applicant's personal
// data in any message; the accepted path next to each refusal; amendments in
// depth; and the same decisions after a reopen, when the state is replayed from
// disk through the same Apply code.
//
// The rule tables share one store per table: each row's ids (case, agency,
// parent, eventId) get a suffix of their own, so rows never see each other's
// streams.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/case_state.h"
#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Ev;
using ::ogi::testing::Receive;
using ::ogi::testing::RegisterAgency;
using ::ogi::testing::StatusIs;
using ::ogi::testing::TestStore;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Code = absl::StatusCode;
using Events = std::vector<v1::Event>;

constexpr Code kOk = Code::kOk;
constexpr Code kInvalid = Code::kInvalidArgument;
constexpr Code kNotFound = Code::kNotFound;
constexpr Code kExists = Code::kAlreadyExists;
constexpr Code kPrecondition = Code::kFailedPrecondition;
constexpr Code kAborted = Code::kAborted;

// Payloads used often.
constexpr char kDisclosed[] = R"("answered":{"outcome":"DISCLOSED"})";
constexpr char kWithdrawn[] = R"("withdrawn":{"note":"申请人撤回"})";
constexpr char kCorrectionRequested[] =
    R"("correctionRequested":{"dueOn":"2024-01-25","note":"请补充"})";
constexpr char kCorrectionReceived[] = R"("correctionReceived":{})";
constexpr char kFeeNoticed[] =
    R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":1000})";
constexpr char kFeePaid[] = R"("feePaid":{"amountFen":1000})";
constexpr char kArchived[] = R"("archived":{"archiveRef":"G-1"})";
constexpr char kAppealF1[] =
    R"("appealFiled":{"appealId":"F1","kind":"RECONSIDERATION","body":"乌拉特中旗人民政府"})";
constexpr char kDecidedF1[] =
    R"("appealDecided":{"appealId":"F1","result":"UPHELD"})";
constexpr char kRenamed[] = R"("agencyRenamed":{"name":"新名称"})";
constexpr char kIssuedD1[] =
    R"("documentIssued":{"documentId":"D1","kind":"REGULATION","title":"办法"})";
constexpr char kRepealedD1[] = R"("documentRepealed":{"documentId":"D1"})";
constexpr char kExpiredD1[] = R"("documentExpired":{"documentId":"D1"})";

// Returns a case event of C1 on `date` with `payload`.
v1::Event C1(absl::string_view date, absl::string_view payload) {
  return CaseEvent("C1", date, payload);
}

// Returns an event of agency `agency` on `date` with `payload`.
v1::Event OfAgency(absl::string_view agency, absl::string_view payload,
                   absl::string_view date = "2024-01-05") {
  return Ev(absl::StrCat(R"({"agencyId":")", agency, R"(","occurredOn":")",
                         date, "\",", payload, "}"));
}

// Returns an amendment of C1, dated `date`, of the event at `version`, with
// `replacement` (a payload) and `extra` members of the amendment (e.g.
// R"("occurredOn":"2024-01-08")").
v1::Event Amend(absl::string_view date, int version,
                absl::string_view replacement, absl::string_view extra = "") {
  std::string body = absl::StrCat(R"("amended":{"version":)", version,
                                  R"(,"reason":"录入错误",)");
  if (!extra.empty()) absl::StrAppend(&body, extra, ",");
  absl::StrAppend(&body, replacement, "}");
  return C1(date, body);
}

// Returns `event` after `change`, for what the interchange format cannot
// express (enum numbers, engine fields).
template <typename F>
v1::Event With(v1::Event event, F change) {
  change(event);
  return event;
}

// Returns an event whose only payload is a field this version of the schema
// does not know (number 60), as a newer producer's binary event would arrive.
v1::Event UnknownPayload() {
  v1::Event known = C1("2024-01-03", kWithdrawn);
  known.clear_payload();
  std::string bytes;
  EXPECT_TRUE(known.SerializeToString(&bytes));
  bytes.append("\xe2\x03\x00", 3);  // field 60, length-delimited, empty
  v1::Event parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
  return parsed;
}

// Returns agency a1 registered on 2019-01-01, then `more`.
Events Registered(Events more = {}) {
  Events events = {RegisterAgency("a1")};
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

// Returns agency a1 registered and case C1 received by it on 2024-01-02
// (version 1), then `more`.
Events Opened(Events more = {}) {
  Events events = {RegisterAgency("a1"), Receive("C1", "a1", "2024-01-02")};
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

// Returns C1 opened and answered on 2024-01-10 (version 2), then `more`.
Events Answered(Events more = {}) {
  Events events = Opened({C1("2024-01-10", kDisclosed)});
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

// One rule: `setup` is appended in one request, then `event` alone. A refusal's
// message must start with `stream` ("case C1", "agency a1") and contain `want`
// (the field or payload, and the rule), in which `@` stands for the row's id
// suffix (see RunRows).
struct Row {
  const char* name;
  Events setup;
  v1::Event event;
  Code code;  // kOk: accepted
  std::string stream;
  std::string want;
};

Row Accepted(const char* name, Events setup, v1::Event event) {
  return Row{name, std::move(setup), std::move(event), kOk, "", ""};
}

// Returns `event` with its case, agency, parent and event ids suffixed by
// `suffix`.
v1::Event Isolated(v1::Event event, absl::string_view suffix) {
  auto add = [&](std::string* id) {
    if (!id->empty()) absl::StrAppend(id, suffix);
  };
  add(event.mutable_case_id());
  add(event.mutable_agency_id());
  add(event.mutable_event_id());
  if (event.has_agency_registered())
    add(event.mutable_agency_registered()->mutable_parent_id());
  return event;
}

Events Isolated(const Events& events, absl::string_view suffix) {
  Events out;
  for (const v1::Event& event : events) out.push_back(Isolated(event, suffix));
  return out;
}

// Returns the label a message must start with: `stream` with the row's suffix,
// unless it names no id.
std::string Label(absl::string_view stream, absl::string_view suffix) {
  return absl::EndsWith(stream, "(none)") ? absl::StrCat(stream, ":")
                                          : absl::StrCat(stream, suffix, ":");
}

StreamId StreamOf(const v1::Event& event) {
  if (event.case_id().empty())
    return StreamId{StreamId::Kind::kAgency, event.agency_id()};
  return StreamId{StreamId::Kind::kCase, event.case_id()};
}

// Returns the stream as canonical text: one JSON line per stored event.
std::string Dump(EventStore& store, const StreamId& stream) {
  absl::StatusOr<std::vector<v1::Event>> events = store.ReadStream(stream);
  if (!events.ok()) return absl::StrCat("error: ", events.status().ToString());
  std::string out;
  for (const v1::Event& event : *events)
    absl::StrAppend(&out, MessageToJson(event), "\n");
  return out;
}

// Appends `event` and checks the outcome `row` wants. A refusal must leave the
// log and the stream as they were.
void ExpectDecision(EventStore& store, const Row& row, const v1::Event& event,
                    absl::string_view suffix) {
  const StreamId stream = StreamOf(event);
  const uint64_t head = store.HeadPosition();
  const std::string before = Dump(store, stream);
  absl::StatusOr<std::vector<AppendedEvent>> result = store.Append({event});
  if (row.code == kOk) {
    ASSERT_OK(result);
    ASSERT_EQ(result->size(), 1u);
    EXPECT_EQ((*result)[0].outcome, AppendedEvent::Outcome::kAppended);
    EXPECT_EQ((*result)[0].position, head + 1);
    EXPECT_EQ(store.HeadPosition(), head + 1);
    return;
  }
  EXPECT_THAT(result, StatusIs(row.code,
                               absl::StrReplaceAll(row.want, {{"@", suffix}})));
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith(Label(row.stream, suffix)));
  EXPECT_EQ(store.HeadPosition(), head);
  EXPECT_EQ(Dump(store, stream), before);
}

enum class Restart { kNo, kYes };

// Runs a rule table on one store; row i's ids get the suffix "-r<i>". With
// Restart::kYes every setup is appended, the store is reopened (so every
// decision is taken on state replayed from disk), then every row's event is
// decided; a final reopen shows that the refusals left nothing durable.
void RunRows(const std::vector<Row>& rows, Restart restart) {
  TestStore t;
  auto suffix = [](size_t i) { return absl::StrCat("-r", i); };
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i].name);
    if (!rows[i].setup.empty()) {
      ASSERT_OK(t->Append(Isolated(rows[i].setup, suffix(i))));
    }
    if (restart == Restart::kNo)
      ExpectDecision(*t.store, rows[i], Isolated(rows[i].event, suffix(i)),
                     suffix(i));
  }
  if (restart == Restart::kNo) return;
  t.Reopen();
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(absl::StrCat(rows[i].name, " (after reopen)"));
    ExpectDecision(*t.store, rows[i], Isolated(rows[i].event, suffix(i)),
                   suffix(i));
  }
  const uint64_t head = t->HeadPosition();
  t.Reopen();
  EXPECT_EQ(t->HeadPosition(), head);
}

// Shape rules of case events (validate.h): kInvalidArgument whatever the state.
std::vector<Row> CaseShapeRows() {
  const std::string c65(65, 'C');
  return {
      {"no payload", Opened(),
       Ev(R"({"caseId":"C1","occurredOn":"2024-01-03"})"), kInvalid, "case C1",
       "field 'payload' is missing"},
      {"unknown payload (a schema field this version does not know)", Opened(),
       UnknownPayload(), kInvalid, "case C1", "field 'payload' is missing"},
      {"engine field version set by the producer", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_version(2); }),
       kInvalid, "case C1",
       "field 'recordedAt/version/position' is set by the engine"},
      {"engine field position set by the producer", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_position(7); }),
       kInvalid, "case C1",
       "field 'recordedAt/version/position' is set by the engine"},
      {"engine field recordedAt set by the producer", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.mutable_recorded_at()->set_seconds(1); }),
       kInvalid, "case C1",
       "field 'recordedAt/version/position' is set by the engine"},
      {"occurredOn missing", Opened(), Ev(R"({"caseId":"C1","withdrawn":{}})"),
       kInvalid, "case C1", "field 'occurredOn' is required"},
      {"occurredOn without leading zeros", Opened(),
       C1("2024-1-03", kWithdrawn), kInvalid, "case C1",
       R"(field 'occurredOn' "2024-1-03" is not a date YYYY-MM-DD)"},
      {"occurredOn with slashes", Opened(), C1("2024/01/03", kWithdrawn),
       kInvalid, "case C1",
       R"(field 'occurredOn' "2024/01/03" is not a date YYYY-MM-DD)"},
      {"occurredOn without separators", Opened(), C1("20240103", kWithdrawn),
       kInvalid, "case C1",
       R"(field 'occurredOn' "20240103" is not a date YYYY-MM-DD)"},
      {"occurredOn 30 February", Opened(), C1("2024-02-30", kWithdrawn),
       kInvalid, "case C1",
       R"(field 'occurredOn' "2024-02-30" is not a date YYYY-MM-DD)"},
      {"occurredOn 29 February of a common year", Opened(),
       C1("2023-02-29", kWithdrawn), kInvalid, "case C1",
       R"(field 'occurredOn' "2023-02-29" is not a date YYYY-MM-DD)"},
      {"occurredOn month 13", Opened(), C1("2024-13-01", kWithdrawn), kInvalid,
       "case C1",
       R"(field 'occurredOn' "2024-13-01" is not a date YYYY-MM-DD)"},
      {"occurredOn with a time", Opened(), C1("2024-01-03T08:00", kWithdrawn),
       kInvalid, "case C1",
       R"(field 'occurredOn' "2024-01-03T08:00" is not a date YYYY-MM-DD)"},
      {"occurredOn year 999", Opened(), C1("0999-01-03", kWithdrawn), kInvalid,
       "case C1",
       R"(field 'occurredOn' "0999-01-03" is not a date YYYY-MM-DD)"},
      Accepted("occurredOn 29 February of a leap year", Opened(),
               C1("2024-02-29", kWithdrawn)),
      {"occurredOn the day after the recording day", Opened(),
       C1("2024-06-02", kWithdrawn), kInvalid, "case C1",
       "field 'occurredOn' is 2024-06-02, after the day it is recorded "
       "(2024-06-01)"},
      {"occurredOn years after the recording day", Opened(),
       C1("2099-01-01", kWithdrawn), kInvalid, "case C1",
       "field 'occurredOn' is 2099-01-01, after the day it is recorded "
       "(2024-06-01)"},
      Accepted("occurredOn the recording day itself", Opened(),
               C1("2024-06-01", kWithdrawn)),
      {"received dated after the recording day", Registered(),
       Receive("C1", "a1", "2024-06-02"), kInvalid, "case C1",
       "field 'occurredOn' is 2024-06-02, after the day it is recorded"},
      {"caseId missing", Registered(), Receive("", "a1", "2024-01-02"),
       kInvalid, "agency a1", "field 'caseId' is required"},
      {"caseId missing and no agency either", Opened(),
       CaseEvent("", "2024-01-03", kWithdrawn), kInvalid, "agency (none)",
       "field 'caseId' is required"},
      {"caseId with a space", Registered(), Receive("C 1", "a1", "2024-01-02"),
       kInvalid, "case C 1",
       "field 'caseId' may contain only A-Z a-z 0-9 . _ : / -"},
      {"caseId with #", Registered(), Receive("C#1", "a1", "2024-01-02"),
       kInvalid, "case C#1", "field 'caseId' may contain only"},
      {"caseId with Chinese characters", Registered(),
       Receive("案件1", "a1", "2024-01-02"), kInvalid, "case 案件1",
       "field 'caseId' may contain only"},
      {"caseId of 65 characters", Registered(),
       Receive(c65, "a1", "2024-01-02"), kInvalid, "case " + c65,
       "field 'caseId' is longer than 64 characters"},
      {"agencyId missing on received", Registered(),
       Receive("C1", "", "2024-01-02"), kInvalid, "case C1",
       "field 'agencyId' is required"},
      {"agencyId with forbidden characters on received", Registered(),
       Receive("C1", "a 1", "2024-01-02"), kInvalid, "case C1",
       "field 'agencyId' may contain only"},
      {"agencyId of 65 characters on a case event", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_agency_id(std::string(65, 'a')); }),
       kInvalid, "case C1", "field 'agencyId' is longer than 64 characters"},
      {"eventId of 129 characters", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_event_id(std::string(129, 'e')); }),
       kInvalid, "case C1", "field 'eventId' is longer than 128 characters"},
      {"eventId with a control character", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_event_id("e\n1"); }),
       kInvalid, "case C1", "field 'eventId' contains a control character"},
      {"actor of 129 characters", Opened(),
       With(C1("2024-01-03", kWithdrawn),
            [](v1::Event& e) { e.set_actor(std::string(129, 'x')); }),
       kInvalid, "case C1", "field 'actor' is longer than 128 characters"},
      {"received without applicant", Registered(),
       Ev(R"({"caseId":"C1","agencyId":"a1","occurredOn":"2024-01-02","received":{"channel":"ONLINE"}})"),
       kInvalid, "case C1", "field 'received.applicant' is required"},
      {"received without category", Registered(),
       Ev(R"({"caseId":"C1","agencyId":"a1","occurredOn":"2024-01-02","received":{"applicant":{"name":"张某"}}})"),
       kInvalid, "case C1", "field 'received.applicant.category' is required"},
      {"received with an unknown category number", Registered(),
       With(Receive("C1", "a1", "2024-01-02"),
            [](v1::Event& e) {
              e.mutable_received()->mutable_applicant()->set_category(
                  static_cast<v1::Applicant::Category>(99));
            }),
       kInvalid, "case C1",
       "field 'received.applicant.category' has an unknown value 99"},
      {"received with an unknown channel number", Registered(),
       With(Receive("C1", "a1", "2024-01-02"),
            [](v1::Event& e) {
              e.mutable_received()->set_channel(
                  static_cast<v1::Received::Channel>(42));
            }),
       kInvalid, "case C1", "field 'received.channel' has an unknown value 42"},
      {"received with negative items", Registered(),
       With(Receive("C1", "a1", "2024-01-02"),
            [](v1::Event& e) { e.mutable_received()->set_items(-1); }),
       kInvalid, "case C1", "field 'received.items' must not be negative"},
      Accepted("received with items 0 (the default, 1)", Registered(),
               With(Receive("C1", "a1", "2024-01-02"),
                    [](v1::Event& e) { e.mutable_received()->set_items(0); })),
      {"correctionRequested with a malformed dueOn", Opened(),
       C1("2024-01-03", R"("correctionRequested":{"dueOn":"2024-13-01"})"),
       kInvalid, "case C1",
       R"(field 'correctionRequested.dueOn' "2024-13-01" is not a date YYYY-MM-DD)"},
      {"consultationStarted without consultationId", Opened(),
       C1("2024-01-03", R"("consultationStarted":{"party":"THIRD_PARTY"})"),
       kInvalid, "case C1",
       "field 'consultationStarted.consultationId' is required"},
      {"consultationStarted with a consultationId of 129 characters", Opened(),
       C1("2024-01-03",
          absl::StrCat(R"("consultationStarted":{"consultationId":")",
                       std::string(129, 'k'), "\"}")),
       kInvalid, "case C1",
       "field 'consultationStarted.consultationId' is longer than 128 "
       "characters"},
      {"consultationStarted with an unknown party number", Opened(),
       With(
           C1("2024-01-03", R"("consultationStarted":{"consultationId":"K1"})"),
           [](v1::Event& e) {
             e.mutable_consultation_started()->set_party(
                 static_cast<v1::ConsultationStarted::Party>(7));
           }),
       kInvalid, "case C1",
       "field 'consultationStarted.party' has an unknown value 7"},
      {"consultationEnded without consultationId", Opened(),
       C1("2024-01-03", R"("consultationEnded":{"opinion":"CONSENT"})"),
       kInvalid, "case C1",
       "field 'consultationEnded.consultationId' is required"},
      {"consultationEnded with an unknown opinion number", Opened(),
       With(C1("2024-01-03", R"("consultationEnded":{"consultationId":"K1"})"),
            [](v1::Event& e) {
              e.mutable_consultation_ended()->set_opinion(
                  static_cast<v1::ConsultationEnded::Opinion>(9));
            }),
       kInvalid, "case C1",
       "field 'consultationEnded.opinion' has an unknown value 9"},
      {"extended by 0 working days", Opened(),
       C1("2024-01-03", R"("extended":{"workingDays":0})"), kInvalid, "case C1",
       "field 'extended.workingDays' must be 1 to 20"},
      {"extended by 21 working days at once", Opened(),
       C1("2024-01-03", R"("extended":{"workingDays":21})"), kInvalid,
       "case C1", "field 'extended.workingDays' must be 1 to 20"},
      {"extended by negative working days", Opened(),
       C1("2024-01-03", R"("extended":{"workingDays":-5})"), kInvalid,
       "case C1", "field 'extended.workingDays' must be 1 to 20"},
      {"delayFixed without dueOn", Opened(),
       C1("2024-01-03", R"("delayFixed":{})"), kInvalid, "case C1",
       "field 'delayFixed.dueOn' is required"},
      {"delayFixed with a malformed dueOn", Opened(),
       C1("2024-01-03", R"("delayFixed":{"dueOn":"2024-02-30"})"), kInvalid,
       "case C1",
       R"(field 'delayFixed.dueOn' "2024-02-30" is not a date YYYY-MM-DD)"},
      {"reviewed without decision", Opened(),
       C1("2024-01-03", R"("reviewed":{"reviewer":"李四"})"), kInvalid,
       "case C1", "field 'reviewed.decision' is required"},
      {"reviewed with an unknown decision number", Opened(),
       With(C1("2024-01-03", R"("reviewed":{"decision":"APPROVED"})"),
            [](v1::Event& e) {
              e.mutable_reviewed()->set_decision(
                  static_cast<v1::Reviewed::Decision>(3));
            }),
       kInvalid, "case C1", "field 'reviewed.decision' has an unknown value 3"},
      {"feeNoticed without method", Opened(),
       C1("2024-01-03", R"("feeNoticed":{"amountFen":1000})"), kInvalid,
       "case C1", "field 'feeNoticed.method' is required"},
      {"feeNoticed with an unknown method number", Opened(),
       With(C1("2024-01-03", kFeeNoticed),
            [](v1::Event& e) {
              e.mutable_fee_noticed()->set_method(
                  static_cast<v1::FeeNoticed::Method>(5));
            }),
       kInvalid, "case C1", "field 'feeNoticed.method' has an unknown value 5"},
      {"feeNoticed with a negative amount", Opened(),
       C1("2024-01-03",
          R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":-1})"),
       kInvalid, "case C1",
       "field 'feeNoticed.amountFen' must not be negative"},
      {"feeNoticed with negative pages", Opened(),
       C1("2024-01-03",
          R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":1000,"pages":-2})"),
       kInvalid, "case C1", "field 'feeNoticed.pages' must not be negative"},
      {"feeNoticed PER_PAGE without pages", Opened(),
       C1("2024-01-03",
          R"("feeNoticed":{"method":"PER_PAGE","amountFen":1000})"),
       kInvalid, "case C1",
       "field 'feeNoticed.pages' is required (at least 1) for method PER_PAGE"},
      {"feePaid with a negative amount",
       Opened({C1("2024-01-03", kFeeNoticed)}),
       C1("2024-01-04", R"("feePaid":{"amountFen":-1000})"), kInvalid,
       "case C1", "field 'feePaid.amountFen' must not be negative"},
      {"answered without outcome", Opened(),
       C1("2024-01-10", R"("answered":{"note":"已答复"})"), kInvalid, "case C1",
       "field 'answered.outcome' is required"},
      {"answered with an unknown outcome number", Opened(),
       With(C1("2024-01-10", kDisclosed),
            [](v1::Event& e) {
              e.mutable_answered()->set_outcome(
                  static_cast<v1::Answered::Outcome>(23));
            }),
       kInvalid, "case C1", "field 'answered.outcome' has an unknown value 23"},
      {"reanswered without outcome", Answered(),
       C1("2024-01-11", R"("reanswered":{})"), kInvalid, "case C1",
       "field 'reanswered.outcome' is required"},
      {"reanswered with an unknown outcome number", Answered(),
       With(C1("2024-01-11", R"("reanswered":{"outcome":"DISCLOSED"})"),
            [](v1::Event& e) {
              e.mutable_reanswered()->set_outcome(
                  static_cast<v1::Answered::Outcome>(-1));
            }),
       kInvalid, "case C1",
       "field 'reanswered.outcome' has an unknown value -1"},
      {"appealFiled without appealId", Answered(),
       C1("2024-01-11", R"("appealFiled":{"kind":"RECONSIDERATION"})"),
       kInvalid, "case C1", "field 'appealFiled.appealId' is required"},
      {"appealFiled without kind", Answered(),
       C1("2024-01-11", R"("appealFiled":{"appealId":"F1"})"), kInvalid,
       "case C1", "field 'appealFiled.kind' is required"},
      {"appealFiled with an unknown kind number", Answered(),
       With(C1("2024-01-11", kAppealF1),
            [](v1::Event& e) {
              e.mutable_appeal_filed()->set_kind(
                  static_cast<v1::AppealFiled::Kind>(4));
            }),
       kInvalid, "case C1", "field 'appealFiled.kind' has an unknown value 4"},
      {"appealDecided without appealId",
       Answered({C1("2024-01-11", kAppealF1)}),
       C1("2024-01-12", R"("appealDecided":{"result":"UPHELD"})"), kInvalid,
       "case C1", "field 'appealDecided.appealId' is required"},
      {"appealDecided without result", Answered({C1("2024-01-11", kAppealF1)}),
       C1("2024-01-12", R"("appealDecided":{"appealId":"F1"})"), kInvalid,
       "case C1", "field 'appealDecided.result' is required"},
      {"appealDecided with an unknown result number",
       Answered({C1("2024-01-11", kAppealF1)}),
       With(C1("2024-01-12", kDecidedF1),
            [](v1::Event& e) {
              e.mutable_appeal_decided()->set_result(
                  static_cast<v1::AppealDecided::Result>(8));
            }),
       kInvalid, "case C1",
       "field 'appealDecided.result' has an unknown value 8"},
      // Amendments: the envelope of the correction, then the replacement under
      // the rules of its own payload.
      {"amended without version", Answered(),
       C1("2024-01-11",
          R"("amended":{"reason":"录入错误","answered":{"outcome":"DISCLOSED"}})"),
       kInvalid, "case C1", "field 'amended.version' is required"},
      {"amended without reason", Answered(),
       C1("2024-01-11",
          R"("amended":{"version":2,"answered":{"outcome":"DISCLOSED"}})"),
       kInvalid, "case C1", "field 'amended.reason' is required"},
      {"amended without a replacement", Answered(),
       C1("2024-01-11", R"("amended":{"version":2,"reason":"录入错误"})"),
       kInvalid, "case C1", "field 'amended' needs a replacement payload"},
      {"amended with a malformed occurredOn", Answered(),
       Amend("2024-01-11", 2, kDisclosed, R"("occurredOn":"2024-1-9")"),
       kInvalid, "case C1",
       R"(field 'amended.occurredOn' "2024-1-9" is not a date YYYY-MM-DD)"},
      {"amended occurredOn after the recording day", Answered(),
       Amend("2024-01-11", 2, kDisclosed, R"("occurredOn":"2024-06-02")"),
       kInvalid, "case C1",
       "field 'amended.occurredOn' is 2024-06-02, after the day it is recorded "
       "(2024-06-01)"},
      {"amended replacement without its required field", Answered(),
       Amend("2024-01-11", 2, R"("answered":{"note":"x"})"), kInvalid,
       "case C1", "field 'amended.answered.outcome' is required"},
      {"amended replacement out of range",
       Opened({C1("2024-01-05", R"("extended":{"workingDays":5})")}),
       Amend("2024-01-11", 2, R"("extended":{"workingDays":21})"), kInvalid,
       "case C1", "field 'amended.extended.workingDays' must be 1 to 20"},
      {"amended received replacement without category", Opened(),
       Amend("2024-01-03", 1, R"("received":{"applicant":{"name":"张某"}})"),
       kInvalid, "case C1",
       "field 'amended.received.applicant.category' is required"},
      {"amended replacement with an unknown enum number", Opened(),
       With(Amend("2024-01-03", 1,
                  R"("received":{"applicant":{"category":"NATURAL_PERSON"}})"),
            [](v1::Event& e) {
              e.mutable_amended()
                  ->mutable_received()
                  ->mutable_applicant()
                  ->set_category(static_cast<v1::Applicant::Category>(77));
            }),
       kInvalid, "case C1",
       "field 'amended.received.applicant.category' has an unknown value 77"},
  };
}

// Shape rules of agency events: kInvalidArgument whatever the state.
std::vector<Row> AgencyShapeRows() {
  return {
      {"agency event with a caseId", Registered(),
       With(OfAgency("a1", kRenamed),
            [](v1::Event& e) { e.set_case_id("C1"); }),
       kInvalid, "agency a1",
       "field 'caseId' must not be given on an agency event"},
      {"agency event without agencyId", Registered(),
       Ev(R"({"occurredOn":"2024-01-05","agencyRenamed":{"name":"x"}})"),
       kInvalid, "agency (none)", "field 'agencyId' is required"},
      {"agencyId with forbidden characters",
       {},
       RegisterAgency("a 1"),
       kInvalid,
       "agency a 1",
       "field 'agencyId' may contain only A-Z a-z 0-9 . _ : / -"},
      {"agencyId of 65 characters",
       {},
       RegisterAgency(std::string(65, 'a')),
       kInvalid,
       "agency " + std::string(65, 'a'),
       "field 'agencyId' is longer than 64 characters"},
      {"agency event after the recording day", Registered(),
       OfAgency("a1", kRenamed, "2024-06-02"), kInvalid, "agency a1",
       "field 'occurredOn' is 2024-06-02, after the day it is recorded "
       "(2024-06-01)"},
      {"agency event with a malformed date", Registered(),
       OfAgency("a1", kRenamed, "2024-06-31"), kInvalid, "agency a1",
       R"(field 'occurredOn' "2024-06-31" is not a date YYYY-MM-DD)"},
      {"agencyRegistered without name",
       {},
       OfAgency("a1", R"("agencyRegistered":{})", "2019-01-01"),
       kInvalid,
       "agency a1",
       "field 'agencyRegistered.name' is required"},
      {"parentId with forbidden characters", Registered(),
       RegisterAgency("a2", "a 1"), kInvalid, "agency a2",
       "field 'agencyRegistered.parentId' may contain only"},
      {"parentId naming the agency itself",
       {},
       RegisterAgency("a2", "a2"),
       kInvalid,
       "agency a2",
       "field 'agencyRegistered.parentId' names the agency itself"},
      {"agencyRegistered with expectedVersion 1",
       {},
       With(RegisterAgency("a1"),
            [](v1::Event& e) { e.set_expected_version(1); }),
       kInvalid,
       "agency a1",
       "field 'expectedVersion' must be 0 on agencyRegistered"},
      {"agencyRenamed without name", Registered(),
       OfAgency("a1", R"("agencyRenamed":{})"), kInvalid, "agency a1",
       "field 'agencyRenamed.name' is required"},
      {"documentIssued without documentId", Registered(),
       OfAgency("a1",
                R"("documentIssued":{"kind":"REGULATION","title":"办法"})"),
       kInvalid, "agency a1", "field 'documentIssued.documentId' is required"},
      {"documentIssued without kind", Registered(),
       OfAgency("a1", R"("documentIssued":{"documentId":"D1"})"), kInvalid,
       "agency a1", "field 'documentIssued.kind' is required"},
      {"documentIssued with an unknown kind number", Registered(),
       With(OfAgency("a1", kIssuedD1),
            [](v1::Event& e) {
              e.mutable_document_issued()->set_kind(
                  static_cast<v1::DocumentIssued::Kind>(3));
            }),
       kInvalid, "agency a1",
       "field 'documentIssued.kind' has an unknown value 3"},
      {"documentIssued with a malformed validUntil", Registered(),
       OfAgency(
           "a1",
           R"("documentIssued":{"documentId":"D1","kind":"REGULATION","validUntil":"2025-02-29"})"),
       kInvalid, "agency a1",
       R"(field 'documentIssued.validUntil' "2025-02-29" is not a date YYYY-MM-DD)"},
      {"documentRepealed without documentId",
       Registered({OfAgency("a1", kIssuedD1)}),
       OfAgency("a1", R"("documentRepealed":{})"), kInvalid, "agency a1",
       "field 'documentRepealed.documentId' is required"},
      {"documentExpired without documentId",
       Registered({OfAgency("a1", kIssuedD1)}),
       OfAgency("a1", R"("documentExpired":{})"), kInvalid, "agency a1",
       "field 'documentExpired.documentId' is required"},
      {"decisionsRecorded without kind", Registered(),
       OfAgency("a1", R"("decisionsRecorded":{"count":3})"), kInvalid,
       "agency a1", "field 'decisionsRecorded.kind' is required"},
      {"decisionsRecorded with an unknown kind number", Registered(),
       With(OfAgency("a1",
                     R"("decisionsRecorded":{"kind":"PENALTY","count":3})"),
            [](v1::Event& e) {
              e.mutable_decisions_recorded()->set_kind(
                  static_cast<v1::DecisionsRecorded::Kind>(4));
            }),
       kInvalid, "agency a1",
       "field 'decisionsRecorded.kind' has an unknown value 4"},
      {"decisionsRecorded with a negative count", Registered(),
       OfAgency("a1", R"("decisionsRecorded":{"kind":"LICENSING","count":-1})"),
       kInvalid, "agency a1",
       "field 'decisionsRecorded.count' must not be negative"},
      Accepted(
          "decisionsRecorded with count 0", Registered(),
          OfAgency("a1",
                   R"("decisionsRecorded":{"kind":"LICENSING","count":0})")),
      {"feesCollected with a negative amount", Registered(),
       OfAgency("a1", R"("feesCollected":{"amountFen":-1})"), kInvalid,
       "agency a1", "field 'feesCollected.amountFen' must not be negative"},
      Accepted("feesCollected of 0", Registered(),
               OfAgency("a1", R"("feesCollected":{"amountFen":0})")),
      {"narrativeSet with a two-digit year", Registered(),
       OfAgency(
           "a1",
           R"("narrativeSet":{"year":23,"section":"OVERVIEW","text":"概述"})"),
       kInvalid, "agency a1",
       "field 'narrativeSet.year' must be a year such as 2023"},
      {"narrativeSet without section", Registered(),
       OfAgency("a1", R"("narrativeSet":{"year":2023,"text":"概述"})"),
       kInvalid, "agency a1", "field 'narrativeSet.section' is required"},
      {"narrativeSet with an unknown section number", Registered(),
       With(
           OfAgency(
               "a1",
               R"("narrativeSet":{"year":2023,"section":"OTHER","text":"概述"})"),
           [](v1::Event& e) {
             e.mutable_narrative_set()->set_section(
                 static_cast<v1::NarrativeSet::Section>(4));
           }),
       kInvalid, "agency a1",
       "field 'narrativeSet.section' has an unknown value 4"},
      {"narrativeSet without text", Registered(),
       OfAgency("a1", R"("narrativeSet":{"year":2023,"section":"OTHER"})"),
       kInvalid, "agency a1", "field 'narrativeSet.text' is required"},
  };
}

// Streams that must exist, or must not: kNotFound and kAlreadyExists.
std::vector<Row> ExistenceRows() {
  return {
      {"case event on an unknown case", Opened(),
       CaseEvent("C9", "2024-01-03", kWithdrawn), kNotFound, "case C9",
       "'withdrawn' refused: unknown case (no 'received')"},
      {"case event before received", Registered(), C1("2024-01-03", kDisclosed),
       kNotFound, "case C1",
       "'answered' refused: unknown case (no 'received')"},
      {"amended on an unknown case", Registered(),
       Amend("2024-01-03", 1, kDisclosed), kNotFound, "case C1",
       "'amended' refused: unknown case"},
      {"archived on an unknown case", Registered(), C1("2024-01-03", kArchived),
       kNotFound, "case C1", "'archived' refused: unknown case"},
      {"received for an unregistered agency", Registered(),
       Receive("C1", "a9", "2024-01-02"), kNotFound, "case C1",
       "field 'agencyId' refused: agency a9@ is not registered"},
      {"received for an agency when none is registered",
       {},
       Receive("C1", "a1", "2024-01-02"),
       kNotFound,
       "case C1",
       "field 'agencyId' refused: agency a1@ is not registered"},
      Accepted("received for a registered agency", Registered(),
               Receive("C1", "a1", "2024-01-02")),
      {"second received, same day", Opened(), Receive("C1", "a1", "2024-01-02"),
       kExists, "case C1",
       "'received' refused: the case already exists (version 1)"},
      {"second received, later", Opened({C1("2024-01-10", kDisclosed)}),
       Receive("C1", "a1", "2024-01-12"), kExists, "case C1",
       "'received' refused: the case already exists (version 2)"},
      {"second received from another agency", Opened({RegisterAgency("a2")}),
       Receive("C1", "a2", "2024-01-02"), kExists, "case C1",
       "'received' refused: the case already exists"},
      {"agencyRenamed on an unregistered agency", Registered(),
       OfAgency("a9", kRenamed), kNotFound, "agency a9",
       "'agencyRenamed' refused: the agency is not registered"},
      {"documentIssued on an unregistered agency",
       {},
       OfAgency("a1", kIssuedD1),
       kNotFound,
       "agency a1",
       "'documentIssued' refused: the agency is not registered"},
      {"documentRepealed on an unregistered agency",
       {},
       OfAgency("a1", kRepealedD1),
       kNotFound,
       "agency a1",
       "'documentRepealed' refused: the agency is not registered"},
      {"documentExpired on an unregistered agency",
       {},
       OfAgency("a1", kExpiredD1),
       kNotFound,
       "agency a1",
       "'documentExpired' refused: the agency is not registered"},
      {"decisionsRecorded on an unregistered agency",
       {},
       OfAgency("a1", R"("decisionsRecorded":{"kind":"PENALTY","count":3})"),
       kNotFound,
       "agency a1",
       "'decisionsRecorded' refused: the agency is not registered"},
      {"feesCollected on an unregistered agency",
       {},
       OfAgency("a1", R"("feesCollected":{"amountFen":500})"),
       kNotFound,
       "agency a1",
       "'feesCollected' refused: the agency is not registered"},
      {"narrativeSet on an unregistered agency",
       {},
       OfAgency(
           "a1",
           R"("narrativeSet":{"year":2023,"section":"OVERVIEW","text":"概述"})"),
       kNotFound,
       "agency a1",
       "'narrativeSet' refused: the agency is not registered"},
      {"parentId not registered", Registered(), RegisterAgency("a2", "a9"),
       kNotFound, "agency a2",
       "field 'agencyRegistered.parentId' refused: agency a9@ is not "
       "registered"},
      Accepted("agencyRenamed on a registered agency", Registered(),
               OfAgency("a1", kRenamed)),
      Accepted(
          "narrativeSet again for the same year and section (it replaces the "
          "first)",
          Registered({OfAgency(
              "a1",
              R"("narrativeSet":{"year":2023,"section":"OVERVIEW","text":"初稿"})")}),
          OfAgency(
              "a1",
              R"("narrativeSet":{"year":2023,"section":"OVERVIEW","text":"定稿"})",
              "2024-01-06")),
      Accepted("parentId registered", Registered(), RegisterAgency("a2", "a1")),
      {"second registration", Registered(), RegisterAgency("a1"), kExists,
       "agency a1", "'agencyRegistered' refused: already registered"},
      {"second registration under a parent",
       Registered({RegisterAgency("a2", "a1")}), RegisterAgency("a2", "a1"),
       kExists, "agency a2", "'agencyRegistered' refused: already registered"},
      {"documentIssued with a documentId already used",
       Registered({OfAgency("a1", kIssuedD1)}),
       OfAgency("a1", kIssuedD1, "2024-01-06"), kExists, "agency a1",
       "'documentIssued.documentId' refused: document D1 was already issued"},
      {"documentRepealed of a document never issued", Registered(),
       OfAgency("a1", kRepealedD1), kNotFound, "agency a1",
       "'documentRepealed.documentId' refused: no document D1 was issued by "
       "this agency"},
      {"documentExpired of a document never issued", Registered(),
       OfAgency("a1", kExpiredD1), kNotFound, "agency a1",
       "'documentExpired.documentId' refused: no document D1 was issued by "
       "this agency"},
      {"documentRepealed of another agency's document",
       Registered({RegisterAgency("a2"), OfAgency("a2", kIssuedD1)}),
       OfAgency("a1", kRepealedD1), kNotFound, "agency a1",
       "'documentRepealed.documentId' refused: no document D1 was issued by "
       "this agency"},
      Accepted("documentRepealed of an issued document",
               Registered({OfAgency("a1", kIssuedD1)}),
               OfAgency("a1", kRepealedD1)),
      Accepted("documentExpired of an issued document",
               Registered({OfAgency("a1", kIssuedD1)}),
               OfAgency("a1", kExpiredD1)),
      {"documentRepealed twice",
       Registered({OfAgency("a1", kIssuedD1), OfAgency("a1", kRepealedD1)}),
       OfAgency("a1", kRepealedD1), kPrecondition, "agency a1",
       "'documentRepealed.documentId' refused: document D1 is already "
       "repealed"},
      {"documentExpired after repeal",
       Registered({OfAgency("a1", kIssuedD1), OfAgency("a1", kRepealedD1)}),
       OfAgency("a1", kExpiredD1), kPrecondition, "agency a1",
       "'documentExpired.documentId' refused: document D1 is already repealed"},
      {"documentRepealed after expiry",
       Registered({OfAgency("a1", kIssuedD1), OfAgency("a1", kExpiredD1)}),
       OfAgency("a1", kRepealedD1), kPrecondition, "agency a1",
       "'documentRepealed.documentId' refused: document D1 is already expired"},
  };
}

// Effective dates never go backwards within a case (kFailedPrecondition); the
// recording day bound is a shape rule (kInvalidArgument, in CaseShapeRows).
std::vector<Row> DateRows() {
  return {
      {"date before received", Opened(), C1("2024-01-01", kDisclosed),
       kPrecondition, "case C1",
       "field 'occurredOn' is 2024-01-01, before the case's previous event "
       "(2024-01-02); effective dates never go "
       "backwards within a case"},
      {"date before the latest of several events",
       Opened({C1("2024-01-10", R"("extended":{"workingDays":5})")}),
       C1("2024-01-09", R"("reviewed":{"decision":"APPROVED"})"), kPrecondition,
       "case C1",
       "field 'occurredOn' is 2024-01-09, before the case's previous event "
       "(2024-01-10)"},
      Accepted("date equal to the previous event's",
               Opened({C1("2024-01-10", R"("extended":{"workingDays":5})")}),
               C1("2024-01-10", kDisclosed)),
      {"archived dated before the answer", Answered(),
       C1("2024-01-09", kArchived), kPrecondition, "case C1",
       "field 'occurredOn' is 2024-01-09, before the case's previous event "
       "(2024-01-10)"},
      {"date before an amendment's own date",
       Opened({Amend(
           "2024-02-01", 1,
           R"("received":{"applicant":{"category":"COMMERCIAL_ENTERPRISE"}})")}),
       C1("2024-01-20", kDisclosed), kPrecondition, "case C1",
       "field 'occurredOn' is 2024-01-20, before the case's previous event "
       "(2024-02-01)"},
      {"amendment dated before the previous event", Answered(),
       Amend("2024-01-05", 2, kDisclosed), kPrecondition, "case C1",
       "field 'occurredOn' is 2024-01-05, before the case's previous event "
       "(2024-01-10)"},
      {"date before the case's previous event even when the lifecycle would "
       "refuse too",
       Answered(), C1("2024-01-03", kDisclosed), kPrecondition, "case C1",
       "field 'occurredOn' is 2024-01-03, before"},
  };
}

// Steps the lifecycle does not allow now: kFailedPrecondition. Each refusal has
// its accepted counterpart.
std::vector<Row> LifecycleRows() {
  const v1::Event extend10 =
      C1("2024-01-05", R"("extended":{"workingDays":10})");
  const v1::Event extend10b =
      C1("2024-01-06", R"("extended":{"workingDays":10})");
  return {
      // Correction (第三十条).
      {"correction requested while one is outstanding",
       Opened({C1("2024-01-03", kCorrectionRequested)}),
       C1("2024-01-04", kCorrectionRequested), kPrecondition, "case C1",
       "'correctionRequested' refused: a correction request is already "
       "outstanding"},
      Accepted("correction requested again after the first was answered",
               Opened({C1("2024-01-03", kCorrectionRequested),
                       C1("2024-01-05", kCorrectionReceived)}),
               C1("2024-01-06", kCorrectionRequested)),
      {"correction due before the request's date", Opened(),
       C1("2024-01-05", R"("correctionRequested":{"dueOn":"2024-01-04"})"),
       kPrecondition, "case C1",
       "'correctionRequested.dueOn' refused: is before the request's date"},
      {"correction received with none requested", Opened(),
       C1("2024-01-05", kCorrectionReceived), kPrecondition, "case C1",
       "'correctionReceived' refused: no correction was requested"},
      {"correction received twice",
       Opened({C1("2024-01-03", kCorrectionRequested),
               C1("2024-01-05", kCorrectionReceived)}),
       C1("2024-01-06", kCorrectionReceived), kPrecondition, "case C1",
       "'correctionReceived' refused: no correction was requested"},
      Accepted(
          "correction requested late (flagged by the deadline reports, not "
          "refused)",
          Opened(),
          C1("2024-03-01", R"("correctionRequested":{"dueOn":"2024-03-15"})")),
      Accepted("correction received after the request",
               Opened({C1("2024-01-03", kCorrectionRequested)}),
               C1("2024-01-05", kCorrectionReceived)),
      // Consultation (第三十二条).
      {"consultation started twice with one id",
       Opened({C1(
           "2024-01-03",
           R"("consultationStarted":{"consultationId":"K1","party":"THIRD_PARTY"})")}),
       C1("2024-01-04",
          R"("consultationStarted":{"consultationId":"K1","party":"AGENCY"})"),
       kPrecondition, "case C1",
       "'consultationStarted.consultationId' refused: consultation K1 was "
       "already started on this case"},
      {"consultation id reused after it ended",
       Opened(
           {C1("2024-01-03",
               R"("consultationStarted":{"consultationId":"K1"})"),
            C1("2024-01-04",
               R"("consultationEnded":{"consultationId":"K1","opinion":"CONSENT"})")}),
       C1("2024-01-05", R"("consultationStarted":{"consultationId":"K1"})"),
       kPrecondition, "case C1",
       "'consultationStarted.consultationId' refused: consultation K1 was "
       "already started"},
      Accepted(
          "two consultations with their own ids",
          Opened({C1("2024-01-03",
                     R"("consultationStarted":{"consultationId":"K1"})")}),
          C1("2024-01-04", R"("consultationStarted":{"consultationId":"K2"})")),
      {"consultation ended without start", Opened(),
       C1("2024-01-04",
          R"("consultationEnded":{"consultationId":"K1","opinion":"NO_REPLY"})"),
       kPrecondition, "case C1",
       "'consultationEnded.consultationId' refused: no open consultation K1"},
      {"consultation ended with another id",
       Opened({C1("2024-01-03",
                  R"("consultationStarted":{"consultationId":"K1"})")}),
       C1("2024-01-04",
          R"("consultationEnded":{"consultationId":"K2","opinion":"CONSENT"})"),
       kPrecondition, "case C1",
       "'consultationEnded.consultationId' refused: no open consultation K2"},
      {"consultation ended twice",
       Opened(
           {C1("2024-01-03",
               R"("consultationStarted":{"consultationId":"K1"})"),
            C1("2024-01-04",
               R"("consultationEnded":{"consultationId":"K1","opinion":"OBJECTION"})")}),
       C1("2024-01-05",
          R"("consultationEnded":{"consultationId":"K1","opinion":"CONSENT"})"),
       kPrecondition, "case C1",
       "'consultationEnded.consultationId' refused: no open consultation K1"},
      Accepted(
          "consultation ended after its start",
          Opened({C1("2024-01-03",
                     R"("consultationStarted":{"consultationId":"K1"})")}),
          C1("2024-01-04",
             R"("consultationEnded":{"consultationId":"K1","opinion":"CONSENT"})")),
      // Extensions (第三十三条): 20 working days in total.
      Accepted("extension granted late (flagged, not refused)", Opened(),
               C1("2024-05-20", R"("extended":{"workingDays":5})")),
      Accepted("one extension of 20 working days", Opened(),
               C1("2024-01-05", R"("extended":{"workingDays":20})")),
      Accepted("extensions totalling 20 working days", Opened({extend10}),
               extend10b),
      {"extensions totalling 21 working days",
       Opened({C1("2024-01-05", R"("extended":{"workingDays":15})")}),
       C1("2024-01-06", R"("extended":{"workingDays":6})"), kPrecondition,
       "case C1",
       "'extended.workingDays' refused: extensions would total 21 working "
       "days; at most 20 are allowed"},
      {"a third extension after 20 working days", Opened({extend10, extend10b}),
       C1("2024-01-07", R"("extended":{"workingDays":1})"), kPrecondition,
       "case C1",
       "'extended.workingDays' refused: extensions would total 21 working "
       "days"},
      // Delay (第三十五条).
      {"delay fixed with a due date before its own date", Opened(),
       C1("2024-01-05", R"("delayFixed":{"dueOn":"2024-01-04"})"),
       kPrecondition, "case C1",
       "'delayFixed.dueOn' refused: is before the event's date"},
      Accepted("delay fixed with a later due date", Opened(),
               C1("2024-01-05", R"("delayFixed":{"dueOn":"2024-03-01"})")),
      // Fees.
      {"second outstanding fee notice", Opened({C1("2024-01-03", kFeeNoticed)}),
       C1("2024-01-04", kFeeNoticed), kPrecondition, "case C1",
       "'feeNoticed' refused: a fee notice is already outstanding"},
      Accepted(
          "fee notice after the first was paid",
          Opened({C1("2024-01-03", kFeeNoticed), C1("2024-01-04", kFeePaid)}),
          C1("2024-01-05", kFeeNoticed)),
      {"fee paid without notice", Opened(), C1("2024-01-04", kFeePaid),
       kPrecondition, "case C1",
       "'feePaid' refused: no fee notice is outstanding"},
      {"fee paid with the wrong amount",
       Opened({C1("2024-01-03", kFeeNoticed)}),
       C1("2024-01-04", R"("feePaid":{"amountFen":999})"), kPrecondition,
       "case C1",
       "'feePaid.amountFen' refused: the notice asked for 1000 fen, not 999"},
      {"fee paid twice",
       Opened({C1("2024-01-03", kFeeNoticed), C1("2024-01-04", kFeePaid)}),
       C1("2024-01-05", kFeePaid), kPrecondition, "case C1",
       "'feePaid' refused: no fee notice is outstanding"},
      Accepted("fee paid with the noticed amount",
               Opened({C1("2024-01-03", kFeeNoticed)}),
               C1("2024-01-04", kFeePaid)),
      // Outcomes with preconditions.
      {"OTHER_NO_CORRECTION without a correction request", Opened(),
       C1("2024-01-10", R"("answered":{"outcome":"OTHER_NO_CORRECTION"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: OTHER_NO_CORRECTION needs an outstanding "
       "correction request"},
      {"OTHER_NO_CORRECTION after the correction arrived",
       Opened({C1("2024-01-03", kCorrectionRequested),
               C1("2024-01-05", kCorrectionReceived)}),
       C1("2024-01-10", R"("answered":{"outcome":"OTHER_NO_CORRECTION"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: OTHER_NO_CORRECTION needs an outstanding "
       "correction request"},
      Accepted(
          "OTHER_NO_CORRECTION with an outstanding request",
          Opened({C1("2024-01-03", kCorrectionRequested)}),
          C1("2024-01-30", R"("answered":{"outcome":"OTHER_NO_CORRECTION"})")),
      {"OTHER_FEE_UNPAID without a fee notice", Opened(),
       C1("2024-01-10", R"("answered":{"outcome":"OTHER_FEE_UNPAID"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: OTHER_FEE_UNPAID needs an unpaid fee "
       "notice"},
      {"OTHER_FEE_UNPAID after the fee was paid",
       Opened({C1("2024-01-03", kFeeNoticed), C1("2024-01-04", kFeePaid)}),
       C1("2024-01-10", R"("answered":{"outcome":"OTHER_FEE_UNPAID"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: OTHER_FEE_UNPAID needs an unpaid fee "
       "notice"},
      Accepted(
          "OTHER_FEE_UNPAID with an unpaid notice",
          Opened({C1("2024-01-03", kFeeNoticed)}),
          C1("2024-01-30", R"("answered":{"outcome":"OTHER_FEE_UNPAID"})")),
      {"UNAVAILABLE_STILL_UNCLEAR without a correction", Opened(),
       C1("2024-01-10",
          R"("answered":{"outcome":"UNAVAILABLE_STILL_UNCLEAR"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: UNAVAILABLE_STILL_UNCLEAR needs a received "
       "correction"},
      {"UNAVAILABLE_STILL_UNCLEAR with the correction only requested",
       Opened({C1("2024-01-03", kCorrectionRequested)}),
       C1("2024-01-10",
          R"("answered":{"outcome":"UNAVAILABLE_STILL_UNCLEAR"})"),
       kPrecondition, "case C1",
       "'answered.outcome' refused: UNAVAILABLE_STILL_UNCLEAR needs a received "
       "correction"},
      Accepted("UNAVAILABLE_STILL_UNCLEAR after a received correction",
               Opened({C1("2024-01-03", kCorrectionRequested),
                       C1("2024-01-05", kCorrectionReceived)}),
               C1("2024-01-10",
                  R"("answered":{"outcome":"UNAVAILABLE_STILL_UNCLEAR"})")),
      // Exactly one conclusion; after it only reanswered, archived, appeals and
      // amended.
      {"answered twice", Answered(), C1("2024-01-11", kDisclosed),
       kPrecondition, "case C1",
       "'answered' refused: the case was concluded on 2024-01-10; after "
       "conclusion only reanswered, archived, "
       "appeals and amended are allowed"},
      {"withdrawn after the answer", Answered(), C1("2024-01-11", kWithdrawn),
       kPrecondition, "case C1",
       "'withdrawn' refused: the case was concluded on 2024-01-10"},
      {"answered after withdrawal", Opened({C1("2024-01-08", kWithdrawn)}),
       C1("2024-01-10", kDisclosed), kPrecondition, "case C1",
       "'answered' refused: the case was concluded on 2024-01-08"},
      {"withdrawn twice", Opened({C1("2024-01-08", kWithdrawn)}),
       C1("2024-01-10", kWithdrawn), kPrecondition, "case C1",
       "'withdrawn' refused: the case was concluded on 2024-01-08"},
      {"correction requested after conclusion", Answered(),
       C1("2024-01-11", kCorrectionRequested), kPrecondition, "case C1",
       "'correctionRequested' refused: the case was concluded on 2024-01-10"},
      {"correction received after conclusion",
       Opened({C1("2024-01-03", kCorrectionRequested),
               C1("2024-01-30",
                  R"("answered":{"outcome":"OTHER_NO_CORRECTION"})")}),
       C1("2024-01-31", kCorrectionReceived), kPrecondition, "case C1",
       "'correctionReceived' refused: the case was concluded on 2024-01-30"},
      {"consultation started after conclusion", Answered(),
       C1("2024-01-11", R"("consultationStarted":{"consultationId":"K1"})"),
       kPrecondition, "case C1",
       "'consultationStarted' refused: the case was concluded on 2024-01-10"},
      {"extended after conclusion", Answered(),
       C1("2024-01-11", R"("extended":{"workingDays":5})"), kPrecondition,
       "case C1", "'extended' refused: the case was concluded on 2024-01-10"},
      {"delay fixed after conclusion", Answered(),
       C1("2024-01-11", R"("delayFixed":{"dueOn":"2024-03-01"})"),
       kPrecondition, "case C1",
       "'delayFixed' refused: the case was concluded on 2024-01-10"},
      {"reviewed after conclusion", Answered(),
       C1("2024-01-11", R"("reviewed":{"decision":"APPROVED"})"), kPrecondition,
       "case C1", "'reviewed' refused: the case was concluded on 2024-01-10"},
      {"fee noticed after conclusion", Answered(),
       C1("2024-01-11", kFeeNoticed), kPrecondition, "case C1",
       "'feeNoticed' refused: the case was concluded on 2024-01-10"},
      {"fee paid after conclusion",
       Opened(
           {C1("2024-01-03", kFeeNoticed),
            C1("2024-01-30", R"("answered":{"outcome":"OTHER_FEE_UNPAID"})")}),
       C1("2024-01-31", kFeePaid), kPrecondition, "case C1",
       "'feePaid' refused: the case was concluded on 2024-01-30"},
      {"reanswered before conclusion", Opened(),
       C1("2024-01-10", R"("reanswered":{"outcome":"DISCLOSED"})"),
       kPrecondition, "case C1",
       "'reanswered' refused: the case is not concluded yet; answer it first"},
      Accepted("reanswered after the answer", Answered(),
               C1("2024-01-20",
                  R"("reanswered":{"outcome":"PARTIALLY_DISCLOSED"})")),
      Accepted(
          "reanswered after withdrawal", Opened({C1("2024-01-08", kWithdrawn)}),
          C1("2024-01-20", R"("reanswered":{"outcome":"OTHER_HANDLING"})")),
      // Archive (归档).
      {"archive before conclusion", Opened(), C1("2024-01-10", kArchived),
       kPrecondition, "case C1",
       "'archived' refused: the case is not concluded; archive it after the "
       "answer"},
      {"archive before conclusion, after other steps",
       Opened({C1("2024-01-03", kFeeNoticed)}), C1("2024-01-10", kArchived),
       kPrecondition, "case C1",
       "'archived' refused: the case is not concluded"},
      Accepted("archive after the answer", Answered(),
               C1("2024-01-11", kArchived)),
      Accepted("archive after withdrawal",
               Opened({C1("2024-01-08", kWithdrawn)}),
               C1("2024-01-11", kArchived)),
      {"archive twice", Answered({C1("2024-01-11", kArchived)}),
       C1("2024-01-12", kArchived), kPrecondition, "case C1",
       "'archived' refused: the case is already archived"},
      Accepted("reanswered after archive",
               Answered({C1("2024-01-11", kArchived)}),
               C1("2024-01-12", R"("reanswered":{"outcome":"DISCLOSED"})")),
      Accepted("appeal filed after archive",
               Answered({C1("2024-01-11", kArchived)}),
               C1("2024-01-12", kAppealF1)),
      // Appeals.
      Accepted("appeal filed before conclusion (not answered in time)",
               Opened(), C1("2024-03-01", kAppealF1)),
      {"appeal filed twice with one appealId",
       Answered({C1("2024-01-11", kAppealF1)}),
       C1("2024-01-12",
          R"("appealFiled":{"appealId":"F1","kind":"LITIGATION_DIRECT"})"),
       kPrecondition, "case C1",
       "'appealFiled.appealId' refused: appeal F1 was already filed on this "
       "case"},
      Accepted(
          "second appeal with its own appealId",
          Answered({C1("2024-01-11", kAppealF1)}),
          C1("2024-01-12",
             R"("appealFiled":{"appealId":"F2","kind":"LITIGATION_AFTER_RECONSIDERATION"})")),
      {"appeal decided with no appeal filed", Answered(),
       C1("2024-01-12", kDecidedF1), kPrecondition, "case C1",
       "'appealDecided.appealId' refused: no appeal F1 was filed on this case"},
      {"appeal decided for an unknown appealId",
       Answered({C1("2024-01-11", kAppealF1)}),
       C1("2024-01-12",
          R"("appealDecided":{"appealId":"F2","result":"CORRECTED"})"),
       kPrecondition, "case C1",
       "'appealDecided.appealId' refused: no appeal F2 was filed on this case"},
      Accepted("appeal decided for a filed appeal",
               Answered({C1("2024-01-11", kAppealF1)}),
               C1("2024-01-12", kDecidedF1)),
      Accepted(
          "appeal decided again (a higher instance)",
          Answered({C1("2024-01-11", kAppealF1), C1("2024-01-12", kDecidedF1)}),
          C1("2024-02-12",
             R"("appealDecided":{"appealId":"F1","result":"CORRECTED"})")),
      // The case's agency.
      {"agencyId of another agency on a case event",
       Opened({RegisterAgency("a2")}),
       With(C1("2024-01-10", kDisclosed),
            [](v1::Event& e) { e.set_agency_id("a2"); }),
       kPrecondition, "case C1",
       "field 'agencyId' is a2@ but the case belongs to a1@"},
      {"agencyId of an unregistered agency on a case event", Opened(),
       With(C1("2024-01-10", kDisclosed),
            [](v1::Event& e) { e.set_agency_id("a9"); }),
       kPrecondition, "case C1",
       "field 'agencyId' is a9@ but the case belongs to a1@"},
      Accepted("agencyId of the case's agency", Opened(),
               With(C1("2024-01-10", kDisclosed),
                    [](v1::Event& e) { e.set_agency_id("a1"); })),
  };
}

// Amendments: the target must exist and not be an amendment, the replacement
// must be of its type, and the case with the replacement applied must pass
// every rule, dates included.
std::vector<Row> AmendmentRows() {
  const v1::Event reviewed =
      C1("2024-01-05", R"("reviewed":{"decision":"APPROVED"})");
  const char* commercial =
      R"("received":{"applicant":{"category":"COMMERCIAL_ENTERPRISE"},"channel":"POST"})";
  return {
      Accepted("amend received to change the category", Opened(),
               Amend("2024-01-03", 1, commercial)),
      Accepted("amend the answer's outcome after conclusion", Answered(),
               Amend("2024-01-11", 2,
                     R"("answered":{"outcome":"PARTIALLY_DISCLOSED"})")),
      Accepted(
          "amend the answer's date, still in order", Answered(),
          Amend("2024-01-11", 2, kDisclosed, R"("occurredOn":"2024-01-08")")),
      Accepted("amend an event's date to the amendment's own date",
               Opened({reviewed}),
               Amend("2024-01-09", 2, R"("reviewed":{"decision":"APPROVED"})",
                     R"("occurredOn":"2024-01-09")")),
      Accepted(
          "amend the same event twice (the latest wins)",
          Answered({Amend("2024-01-11", 2,
                          R"("answered":{"outcome":"PARTIALLY_DISCLOSED"})")}),
          Amend("2024-01-12", 2,
                R"("answered":{"outcome":"WITHHELD_STATE_SECRET"})")),
      Accepted("amend an archived case",
               Answered({C1("2024-01-11", kArchived)}),
               Amend("2024-01-12", 3, R"("archived":{"archiveRef":"G-2"})")),
      {"amend a version that does not exist", Answered(),
       Amend("2024-01-11", 3, kDisclosed), kPrecondition, "case C1",
       "'amended.version' refused: the case has no version 3 (its version is "
       "2)"},
      {"amend a far version", Opened(), Amend("2024-01-11", 99, kDisclosed),
       kPrecondition, "case C1",
       "'amended.version' refused: the case has no version 99"},
      {"amend an amendment",
       Answered({Amend("2024-01-11", 2,
                       R"("answered":{"outcome":"PARTIALLY_DISCLOSED"})")}),
       Amend("2024-01-12", 3, R"("answered":{"outcome":"DISCLOSED"})"),
       kPrecondition, "case C1",
       "'amended.version' refused: version 3 is itself an amendment"},
      {"amend with another payload type", Answered(),
       Amend("2024-01-11", 2, kWithdrawn), kPrecondition, "case C1",
       "'amended' refused: version 2 is 'answered', the replacement must be "
       "'answered', not 'withdrawn'"},
      {"amend received with an answer", Answered(),
       Amend("2024-01-11", 1, kDisclosed), kPrecondition, "case C1",
       "'amended' refused: version 1 is 'received', the replacement must be "
       "'received', not 'answered'"},
      // The case must stay valid with the replacement applied.
      {"amend the outcome to OTHER_NO_CORRECTION with no outstanding "
       "correction",
       Answered(),
       Amend("2024-01-11", 2,
             R"("answered":{"outcome":"OTHER_NO_CORRECTION"})"),
       kPrecondition, "case C1",
       "with the correction, version 2: 'answered.outcome' refused: "
       "OTHER_NO_CORRECTION needs an outstanding "
       "correction request"},
      Accepted("amend the outcome to OTHER_NO_CORRECTION with an outstanding "
               "correction",
               Opened({C1("2024-01-03", kCorrectionRequested),
                       C1("2024-01-30", kDisclosed)}),
               Amend("2024-01-31", 3,
                     R"("answered":{"outcome":"OTHER_NO_CORRECTION"})")),
      {"amend the outcome to OTHER_FEE_UNPAID with no fee notice", Answered(),
       Amend("2024-01-11", 2, R"("answered":{"outcome":"OTHER_FEE_UNPAID"})"),
       kPrecondition, "case C1",
       "with the correction, version 2: 'answered.outcome' refused: "
       "OTHER_FEE_UNPAID needs an unpaid fee notice"},
      {"amend a fee notice's amount away from the amount paid",
       Opened({C1("2024-01-03", kFeeNoticed), C1("2024-01-04", kFeePaid)}),
       Amend("2024-01-05", 2,
             R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":1200})"),
       kPrecondition, "case C1",
       "with the correction, version 3: 'feePaid.amountFen' refused: the "
       "notice asked for 1200 fen, not 1000"},
      {"amend an extension so the total exceeds 20 working days",
       Opened({C1("2024-01-05", R"("extended":{"workingDays":10})"),
               C1("2024-01-06", R"("extended":{"workingDays":10})")}),
       Amend("2024-01-07", 2, R"("extended":{"workingDays":15})"),
       kPrecondition, "case C1",
       "with the correction, version 3: 'extended.workingDays' refused: "
       "extensions would total 25 working days"},
      {"amend a consultation's id away from its end",
       Opened(
           {C1("2024-01-03",
               R"("consultationStarted":{"consultationId":"K1"})"),
            C1("2024-01-04",
               R"("consultationEnded":{"consultationId":"K1","opinion":"CONSENT"})")}),
       Amend("2024-01-05", 2,
             R"("consultationStarted":{"consultationId":"K2"})"),
       kPrecondition, "case C1",
       "with the correction, version 3: 'consultationEnded.consultationId' "
       "refused: no open consultation K1"},
      {"amend an appeal's id away from its decision",
       Answered({C1("2024-01-11", kAppealF1), C1("2024-01-12", kDecidedF1)}),
       Amend("2024-01-13", 3,
             R"("appealFiled":{"appealId":"F9","kind":"RECONSIDERATION"})"),
       kPrecondition, "case C1",
       "with the correction, version 4: 'appealDecided.appealId' refused: no "
       "appeal F1 was filed"},
      {"amend a correction's receipt to before its request",
       Opened({C1("2024-01-03", kCorrectionRequested),
               C1("2024-01-05", kCorrectionReceived)}),
       Amend("2024-01-06", 3, kCorrectionReceived,
             R"("occurredOn":"2024-01-02")"),
       kPrecondition, "case C1",
       "'amended' refused: with the correction, version 3 (correctionReceived) "
       "would be dated 2024-01-02, before "
       "version 2 (correctionRequested, 2024-01-03)"},
      // Dates: the corrected date must keep the case's order, amendments
      // included.
      {"amend received's date after the answer", Answered(),
       Amend("2024-01-20", 1, commercial, R"("occurredOn":"2024-01-15")"),
       kPrecondition, "case C1",
       "'amended' refused: with the correction, version 2 (answered) would be "
       "dated 2024-01-10, before version 1 "
       "(received, 2024-01-15); effective dates never go backwards within a "
       "case"},
      {"amend the answer's date before receipt", Answered(),
       Amend("2024-01-11", 2, kDisclosed, R"("occurredOn":"2024-01-01")"),
       kPrecondition, "case C1",
       "'amended' refused: with the correction, version 2 (answered) would be "
       "dated 2024-01-01, before version 1 "
       "(received, 2024-01-02)"},
      {"amend an event's date after a later event",
       Opened({reviewed, C1("2024-01-10", kDisclosed)}),
       Amend("2024-01-12", 2, R"("reviewed":{"decision":"APPROVED"})",
             R"("occurredOn":"2024-01-11")"),
       kPrecondition, "case C1",
       "with the correction, version 3 (answered) would be dated 2024-01-10, "
       "before version 2 (reviewed, "
       "2024-01-11)"},
      // The amendment itself is an event of the case: it cannot record a step
      // dated after it.
      {"amend an event's date after the amendment's own date", Answered(),
       Amend("2024-01-20", 2, kDisclosed, R"("occurredOn":"2024-01-25")"),
       kPrecondition, "case C1",
       "with the correction, version 3 (amended) would be dated 2024-01-20, "
       "before version 2 (answered, "
       "2024-01-25)"},
      {"amend an event's date after an earlier amendment's date",
       Answered({Amend("2024-01-20", 1, commercial)}),
       Amend("2024-02-01", 2, kDisclosed, R"("occurredOn":"2024-01-25")"),
       kPrecondition, "case C1",
       "with the correction, version 3 (amended) would be dated 2024-01-20, "
       "before version 2 (answered, "
       "2024-01-25)"},
      {"amended occurredOn after the recording day", Answered(),
       Amend("2024-01-11", 2, kDisclosed, R"("occurredOn":"2024-07-01")"),
       kInvalid, "case C1",
       "field 'amended.occurredOn' is 2024-07-01, after the day it is recorded "
       "(2024-06-01)"},
  };
}

// Conflicts and idempotency keys: kAborted, and kAlreadyExists for an eventId
// reused with other content.
std::vector<Row> ConflictRows() {
  auto expecting = [](v1::Event event, uint32_t version) {
    event.set_expected_version(version);
    return event;
  };
  auto with_id = [](v1::Event event, const char* id) {
    event.set_event_id(id);
    return event;
  };
  return {
      {"expectedVersion 0 on an existing case", Opened(),
       expecting(C1("2024-01-10", kDisclosed), 0), kAborted, "case C1",
       "expectedVersion 0 does not match the current version 1; read the "
       "stream again and retry"},
      {"expectedVersion ahead of the case", Answered(),
       expecting(C1("2024-01-11", kArchived), 5), kAborted, "case C1",
       "expectedVersion 5 does not match the current version 2"},
      {"expectedVersion behind the case", Answered(),
       expecting(C1("2024-01-11", kArchived), 1), kAborted, "case C1",
       "expectedVersion 1 does not match the current version 2"},
      {"expectedVersion 1 on a new case", Registered(),
       expecting(Receive("C1", "a1", "2024-01-02"), 1), kAborted, "case C1",
       "expectedVersion 1 does not match the current version 0"},
      {"a conflict is reported before the lifecycle refusal", Answered(),
       expecting(C1("2024-01-11", kDisclosed), 1), kAborted, "case C1",
       "expectedVersion 1 does not match the current version 2"},
      Accepted("expectedVersion equal to the case's version", Answered(),
               expecting(C1("2024-01-11", kArchived), 2)),
      Accepted("expectedVersion 0 on a new case", Registered(),
               expecting(Receive("C1", "a1", "2024-01-02"), 0)),
      {"expectedVersion on an agency", Registered(),
       expecting(OfAgency("a1", kRenamed), 3), kAborted, "agency a1",
       "expectedVersion 3 does not match the current version 1"},
      Accepted("expectedVersion equal to the agency's version", Registered(),
               expecting(OfAgency("a1", kRenamed), 1)),
      {"eventId reused with other content on the same case",
       Opened({with_id(C1("2024-01-03", kFeeNoticed), "e1")}),
       with_id(C1("2024-01-04", kFeePaid), "e1"), kExists, "case C1",
       "field 'eventId' refused: e1@ was already used for an event with other "
       "content"},
      {"eventId reused with another date",
       Opened({with_id(C1("2024-01-03", kFeeNoticed), "e1")}),
       with_id(C1("2024-01-04", kFeeNoticed), "e1"), kExists, "case C1",
       "field 'eventId' refused: e1@ was already used for an event with other "
       "content"},
      {"eventId reused on another case",
       Opened({with_id(C1("2024-01-03", kFeeNoticed), "e1")}),
       with_id(Receive("C2", "a1", "2024-01-04"), "e1"), kExists, "case C2",
       "field 'eventId' refused: e1@ was already used for an event with other "
       "content"},
      {"eventId of a case event reused on an agency event",
       Opened({with_id(C1("2024-01-03", kFeeNoticed), "e1")}),
       with_id(OfAgency("a1", kRenamed), "e1"), kExists, "agency a1",
       "field 'eventId' refused: e1@ was already used for an event with other "
       "content"},
      Accepted("a new eventId",
               Opened({with_id(C1("2024-01-03", kFeeNoticed), "e1")}),
               with_id(C1("2024-01-04", kFeePaid), "e2")),
  };
}

TEST(LifecycleTest, MalformedCaseEventsAreInvalidArgument) {
  RunRows(CaseShapeRows(), Restart::kNo);
}

TEST(LifecycleTest, MalformedAgencyEventsAreInvalidArgument) {
  RunRows(AgencyShapeRows(), Restart::kNo);
}

TEST(LifecycleTest, UnknownStreamsAreNotFoundAndSecondCreationsAlreadyExist) {
  RunRows(ExistenceRows(), Restart::kNo);
}

TEST(LifecycleTest, EffectiveDatesNeverGoBackwardsWithinACase) {
  RunRows(DateRows(), Restart::kNo);
}

TEST(LifecycleTest, StepsTheLifecycleDoesNotAllowAreFailedPrecondition) {
  RunRows(LifecycleRows(), Restart::kNo);
}

TEST(LifecycleTest, AmendmentsMustKeepTheCaseValid) {
  RunRows(AmendmentRows(), Restart::kNo);
}

TEST(LifecycleTest, ConflictsAreAbortedAndReusedEventIdsAlreadyExist) {
  RunRows(ConflictRows(), Restart::kNo);
}

TEST(LifecycleTest, EveryRuleHoldsOnStateReplayedAfterReopen) {
  for (const auto& table :
       {CaseShapeRows(), AgencyShapeRows(), ExistenceRows(), DateRows(),
        LifecycleRows(), AmendmentRows(), ConflictRows()}) {
    RunRows(table, Restart::kYes);
  }
}

TEST(LifecycleTest, IdsAtTheirMaximumLengthAreAccepted) {
  TestStore t;
  const std::string agency(64, 'a');
  const std::string case_id(64, 'C');
  ASSERT_OK(t->Append({RegisterAgency(agency)}));
  v1::Event received = Receive(case_id, agency, "2024-01-02");
  received.set_event_id(std::string(128, 'e'));
  received.set_actor(std::string(128, 'x'));
  ASSERT_OK(t->Append({received}));
  ASSERT_OK(
      t->Append({CaseEvent(case_id, "2024-01-03",
                           R"("consultationStarted":{"consultationId":")" +
                               std::string(128, 'k') + "\"}")}));
  ASSERT_OK(t->Append({Receive(
      "Az09._:/-", agency, "2024-01-02")}));  // every allowed character class
  EXPECT_EQ(t->HeadPosition(), 4u);
}

TEST(LifecycleTest, InterchangeOnlyRefusalsStopAtParsing) {
  // A protobuf event cannot carry two payloads or a payload or enum name the
  // schema lacks; in JSON it can, and the codec refuses it before anything
  // reaches Append.
  const struct {
    const char* name;
    const char* json;
    const char* want;
  } rows[] = {
      {"unknown payload",
       R"({"caseId":"C1","occurredOn":"2024-01-03","reopened":{}})",
       "field 'reopened'"},
      {"two payloads",
       R"({"caseId":"C1","occurredOn":"2024-01-03","withdrawn":{},"archived":{}})",
       "one payload per event"},
      {"unknown enum value",
       R"({"caseId":"C1","occurredOn":"2024-01-03","answered":{"outcome":"MAYBE"}})",
       "field 'answered.outcome'"},
      {"count that is not a whole number",
       R"({"agencyId":"a1","occurredOn":"2024-01-03","feesCollected":{"amountFen":1.5}})",
       "field 'feesCollected.amountFen'"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_THAT(ParseEventJson(row.json, EngineFields::kRefuse),
                StatusIs(kInvalid, row.want));
  }
}

TEST(LifecycleTest, ARefusedEventRefusesItsWholeRequest) {
  TestStore t;
  ASSERT_OK(t->Append(Opened()));
  const uint64_t head = t->HeadPosition();
  const std::string c1 = Dump(*t.store, {StreamId::Kind::kCase, "C1"});
  // Valid events on two streams, then an archive twice: nothing of the request
  // is written.
  auto result = t->Append(
      {C1("2024-01-10", kDisclosed), Receive("C2", "a1", "2024-01-10"),
       C1("2024-01-11", kArchived), C1("2024-01-12", kArchived)});
  EXPECT_THAT(result, StatusIs(kPrecondition,
                               "event 4 of 4: case C1: 'archived' refused: the "
                               "case is already archived"));
  EXPECT_EQ(t->HeadPosition(), head);
  EXPECT_EQ(Dump(*t.store, {StreamId::Kind::kCase, "C1"}), c1);
  EXPECT_EQ(Dump(*t.store, {StreamId::Kind::kCase, "C2"}), "");
  // The refused request left no state behind: the same steps one by one are
  // accepted.
  ASSERT_OK(t->Append({C1("2024-01-10", kDisclosed)}));
  ASSERT_OK(t->Append({Receive("C2", "a1", "2024-01-10")}));
  ASSERT_OK(t->Append({C1("2024-01-11", kArchived)}));
  EXPECT_EQ(t->HeadPosition(), head + 3);
}

TEST(LifecycleTest, RetryWithTheSameEventIdAndContentWritesNothing) {
  TestStore t;
  ASSERT_OK(t->Append(Opened()));
  v1::Event answer = C1("2024-01-10", kDisclosed);
  answer.set_event_id("c1-answer");
  answer.set_expected_version(1);
  ASSERT_OK_AND_ASSIGN(auto first, t->Append({answer}));
  // The retry's expectedVersion is stale, but it is the same fact: a no-op that
  // reports the stored position.
  ASSERT_OK_AND_ASSIGN(auto again, t->Append({answer}));
  EXPECT_EQ(again[0].outcome, AppendedEvent::Outcome::kDuplicate);
  EXPECT_EQ(again[0].position, first[0].position);
  EXPECT_EQ(t->HeadPosition(), first[0].position);
  t.Reopen();
  ASSERT_OK_AND_ASSIGN(auto after_reopen, t->Append({answer}));
  EXPECT_EQ(after_reopen[0].outcome, AppendedEvent::Outcome::kDuplicate);
  EXPECT_EQ(t->HeadPosition(), first[0].position);
}

// Returns case `id`'s state folded from its stored events, as the store replays
// it after a reopen.
absl::StatusOr<CaseState> Replay(EventStore& store, const std::string& id) {
  absl::StatusOr<std::vector<v1::Event>> events =
      store.ReadStream({StreamId::Kind::kCase, id});
  if (!events.ok()) return events.status();
  CaseState state;
  for (const v1::Event& event : *events)
    ApplyCaseChange(state, CaseChangeOf(event), event.agency_id());
  return state;
}

TEST(LifecycleTest, AmendedCategoryIsTheCaseCategoryAndTheHistoryKeepsBoth) {
  TestStore t;
  ASSERT_OK(t->Append(Opened()));
  ASSERT_OK(t->Append({Amend(
      "2024-01-05", 1,
      R"("received":{"applicant":{"category":"COMMERCIAL_ENTERPRISE"},"channel":"POST"})")}));
  ASSERT_OK_AND_ASSIGN(CaseState state, Replay(*t.store, "C1"));
  EXPECT_EQ(state.version, 2u);
  EXPECT_EQ(state.facts.category, v1::Applicant::COMMERCIAL_ENTERPRISE);
  EXPECT_EQ(state.facts.channel, v1::Received::POST);
  EXPECT_EQ(
      state.facts.received_on,
      absl::CivilDay(2024, 1, 2));  // no corrected date: the original's is kept
  ASSERT_OK_AND_ASSIGN(auto history,
                       t->ReadStream({StreamId::Kind::kCase, "C1"}));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].received().applicant().category(),
            v1::Applicant::NATURAL_PERSON);
  EXPECT_EQ(history[1].amended().received().applicant().category(),
            v1::Applicant::COMMERCIAL_ENTERPRISE);

  // A second correction of the same event wins, date included; the state after
  // a reopen is the same.
  ASSERT_OK(t->Append(
      {Amend("2024-01-06", 1,
             R"("received":{"applicant":{"category":"RESEARCH_INSTITUTION"}})",
             R"("occurredOn":"2024-01-03")")}));
  t.Reopen();
  ASSERT_OK_AND_ASSIGN(state, Replay(*t.store, "C1"));
  EXPECT_EQ(state.facts.category, v1::Applicant::RESEARCH_INSTITUTION);
  EXPECT_EQ(state.facts.received_on, absl::CivilDay(2024, 1, 3));
  // And the store's own replayed state agrees: the amendment is the latest
  // event, so nothing may predate it.
  EXPECT_THAT(t->Append({C1("2024-01-05", kDisclosed)}),
              StatusIs(kPrecondition,
                       "field 'occurredOn' is 2024-01-05, before the case's "
                       "previous event (2024-01-06)"));
  ASSERT_OK(t->Append({C1("2024-01-06", kDisclosed)}));
}

TEST(LifecycleTest, AmendedFeeNoticeIsTheAmountToPayLiveAndAfterReopen) {
  TestStore t;
  ASSERT_OK(t->Append(Opened({C1("2024-01-03", kFeeNoticed)})));
  ASSERT_OK(t->Append({Amend(
      "2024-01-04", 2,
      R"("feeNoticed":{"method":"PER_APPLICATION","amountFen":1200})")}));
  const uint64_t head = t->HeadPosition();
  EXPECT_THAT(t->Append({C1("2024-01-05", kFeePaid)}),
              StatusIs(kPrecondition,
                       "case C1: 'feePaid.amountFen' refused: the notice asked "
                       "for 1200 fen, not 1000"));
  t.Reopen();
  EXPECT_THAT(
      t->Append({C1("2024-01-05", kFeePaid)}),
      StatusIs(kPrecondition, "the notice asked for 1200 fen, not 1000"));
  EXPECT_EQ(t->HeadPosition(), head);
  ASSERT_OK(t->Append({C1("2024-01-05", R"("feePaid":{"amountFen":1200})")}));
  ASSERT_OK_AND_ASSIGN(CaseState state, Replay(*t.store, "C1"));
  EXPECT_EQ(state.facts.fee_paid_fen, 1200);
  EXPECT_FALSE(state.facts.fee_outstanding);
}

TEST(LifecycleTest, AmendedExtensionFreesWorkingDays) {
  TestStore t;
  ASSERT_OK(t->Append(
      Opened({C1("2024-01-05", R"("extended":{"workingDays":15})")})));
  EXPECT_THAT(
      t->Append({C1("2024-01-06", R"("extended":{"workingDays":15})")}),
      StatusIs(kPrecondition, "extensions would total 30 working days"));
  ASSERT_OK(
      t->Append({Amend("2024-01-06", 2, R"("extended":{"workingDays":5})")}));
  t.Reopen();
  ASSERT_OK(t->Append({C1("2024-01-07", R"("extended":{"workingDays":15})")}));
  EXPECT_THAT(
      t->Append({C1("2024-01-08", R"("extended":{"workingDays":1})")}),
      StatusIs(kPrecondition, "extensions would total 21 working days"));
  ASSERT_OK_AND_ASSIGN(CaseState state, Replay(*t.store, "C1"));
  EXPECT_EQ(state.facts.extension_working_days, 20);
}

TEST(LifecycleTest, AmendedConclusionKeepsTheCaseConcluded) {
  TestStore t;
  ASSERT_OK(t->Append(Opened(
      {C1("2024-01-03", kCorrectionRequested), C1("2024-01-30", kDisclosed)})));
  ASSERT_OK(t->Append(
      {Amend("2024-01-31", 3, R"("answered":{"outcome":"OTHER_NO_CORRECTION"})",
             R"("occurredOn":"2024-01-29")")}));
  ASSERT_OK_AND_ASSIGN(CaseState state, Replay(*t.store, "C1"));
  EXPECT_EQ(state.facts.outcome, v1::Answered::OTHER_NO_CORRECTION);
  EXPECT_EQ(state.facts.concluded_on, absl::CivilDay(2024, 1, 29));
  EXPECT_THAT(t->Append({C1("2024-02-01", kCorrectionReceived)}),
              StatusIs(kPrecondition, "the case was concluded on 2024-01-29"));
  ASSERT_OK(t->Append({C1("2024-02-01", kArchived)}));
}

// Returns a `received` carrying distinctive personal data in every personal
// field and in the free text.
v1::Event ReceiveWithPersonalData(absl::string_view case_id,
                                  absl::string_view agency,
                                  absl::string_view date) {
  return Ev(absl::StrCat(
      R"({"caseId":")", case_id, R"(","agencyId":")", agency,
      R"(","occurredOn":")", date,
      R"(","received":{"applicant":{"category":"NATURAL_PERSON","name":"甄士隐PII","idNumber":"PII110105199912310042",)",
      R"("contact":"PII13900001111@example.cn"},"channel":"POST","description":"PII我要邻居甄士隐的病历"}})"));
}

TEST(LifecycleTest, ErrorMessagesNeverContainPersonalData) {
  const char* personal[] = {"PII",         "甄士隐",     "110105199912310042",
                            "13900001111", "example.cn", "邻居"};
  auto amend_received = [](absl::string_view date, int version,
                           absl::string_view extra = "") {
    return Amend(
        date, version,
        R"("received":{"applicant":{"category":"OTHER_ORGANIZATION","name":"甄士隐PII",)"
        R"("idNumber":"PII110105199912310042","contact":"PII13900001111@example.cn"},)"
        R"("description":"PII我要邻居甄士隐的病历"})",
        extra);
  };
  TestStore t;
  v1::Event original = ReceiveWithPersonalData("C1", "a1", "2024-01-02");
  original.set_event_id("pii-1");
  ASSERT_OK(t->Append(
      {RegisterAgency("a1"), original, C1("2024-01-10", kDisclosed)}));
  const uint64_t head = t->HeadPosition();
  auto received = [](absl::string_view case_id, absl::string_view agency,
                     absl::string_view date) {
    return ReceiveWithPersonalData(case_id, agency, date);
  };
  const struct {
    const char* name;
    v1::Event event;
    Code code;
  } rows[] = {
      {"unregistered agency", received("C2", "a9", "2024-01-02"), kNotFound},
      {"second received", received("C1", "a1", "2024-01-02"), kExists},
      {"after the recording day", received("C2", "a1", "2024-06-02"), kInvalid},
      {"malformed date", received("C2", "a1", "2024-02-30"), kInvalid},
      {"forbidden character in caseId", received("C 2", "a1", "2024-01-02"),
       kInvalid},
      {"no agencyId", received("C2", "", "2024-01-02"), kInvalid},
      {"no category",
       With(received("C2", "a1", "2024-01-02"),
            [](v1::Event& e) {
              e.mutable_received()->mutable_applicant()->clear_category();
            }),
       kInvalid},
      {"unknown category",
       With(received("C2", "a1", "2024-01-02"),
            [](v1::Event& e) {
              e.mutable_received()->mutable_applicant()->set_category(
                  static_cast<v1::Applicant::Category>(99));
            }),
       kInvalid},
      {"negative items",
       With(received("C2", "a1", "2024-01-02"),
            [](v1::Event& e) { e.mutable_received()->set_items(-3); }),
       kInvalid},
      {"engine field",
       With(received("C2", "a1", "2024-01-02"),
            [](v1::Event& e) { e.set_version(1); }),
       kInvalid},
      {"expectedVersion mismatch",
       With(received("C2", "a1", "2024-01-02"),
            [](v1::Event& e) { e.set_expected_version(4); }),
       kAborted},
      {"eventId reused with other content",
       With(received("C2", "a1", "2024-01-03"),
            [](v1::Event& e) { e.set_event_id("pii-1"); }),
       kExists},
      {"amend a version that does not exist", amend_received("2024-01-11", 5),
       kPrecondition},
      {"amend with the wrong payload type", amend_received("2024-01-11", 2),
       kPrecondition},
      {"amend so dates go backwards",
       amend_received("2024-01-11", 1, R"("occurredOn":"2024-01-11")"),
       kPrecondition},
      {"amend to a date after the recording day",
       amend_received("2024-01-11", 1, R"("occurredOn":"2024-06-30")"),
       kInvalid},
      {"amendment dated before the previous event",
       amend_received("2024-01-09", 1), kPrecondition},
      {"amend without version", amend_received("2024-01-11", 0), kInvalid},
      {"amend without category",
       With(amend_received("2024-01-11", 1),
            [](v1::Event& e) {
              e.mutable_amended()
                  ->mutable_received()
                  ->mutable_applicant()
                  ->clear_category();
            }),
       kInvalid},
      {"amend from another agency",
       With(amend_received("2024-01-11", 1),
            [](v1::Event& e) { e.set_agency_id("a2"); }),
       kPrecondition},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    // The store's answer, and the dry run's that `ogi import` prints for every
    // refused line.
    const absl::Status appended = t->Append({row.event}).status();
    const absl::Status checked = t->NewDryRun()->Check(row.event).status();
    EXPECT_THAT(appended, StatusIs(row.code));
    EXPECT_EQ(checked, appended);
    for (const char* value : personal)
      EXPECT_THAT(std::string(appended.message()), Not(HasSubstr(value)));
  }
  // In a request of several events too, whichever one is refused.
  auto result = t->Append({ReceiveWithPersonalData("C3", "a1", "2024-01-02"),
                           ReceiveWithPersonalData("C3", "a1", "2024-01-02")});
  ASSERT_FALSE(result.ok());
  for (const char* value : personal)
    EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr(value)));
  EXPECT_EQ(t->HeadPosition(), head);
}

}  // namespace
}  // namespace ogi
