// Due dates, their derivation and the compliance flags (docs/DEADLINES.md), and
// the fee bands (docs/FEES.md): each rule alone and combined, pauses only
// delay, extensions never shorten, a calendar change moves open due dates,
// unknown calendar years are never guessed.
#include "engine/deadline.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/calendar.h"
#include "engine/case_state.h"
#include "engine/civil_date.h"
#include "engine/fees.h"
#include "tests/testing/builders.h"

namespace ogi {
namespace {

using ::ogi::testing::CaseEvent;
using ::ogi::testing::Receive;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::CivilDay Day(const char* text) { return *ParseCivilDay(text); }

// Folds `payloads` (date, payload JSON) after a receipt on `received_on`.
CaseState Case(const char* received_on,
               const std::vector<std::pair<const char*, std::string>>& steps) {
  CaseState state;
  v1::Event r = Receive("C1", "a1", received_on);
  ApplyCaseChange(state, CaseChangeOf(r), "a1");
  for (const auto& [date, payload] : steps) {
    v1::Event e = CaseEvent("C1", date, payload);
    absl::StatusOr<CaseChange> change = DecideCaseEvent(state, e);
    EXPECT_TRUE(change.ok()) << change.status() << " " << payload;
    if (change.ok()) ApplyCaseChange(state, *change, "a1");
  }
  return state;
}

std::vector<std::string> FlagCodes(const Deadline& d) {
  std::vector<std::string> codes;
  for (const ComplianceFlag& f : d.flags) codes.push_back(f.code);
  return codes;
}

const Calendar& Cal() { return Calendar::BuiltIn(); }
const absl::CivilDay kToday = absl::CivilDay(2024, 12, 1);

const std::string kAnswered = R"("answered":{"outcome":"DISCLOSED"})";

TEST(DeadlineTest, TwentyWorkingDaysAfterDayZero) {
  const Deadline d = ComputeDeadline(Case("2024-09-13", {}), Cal(), kToday);
  ASSERT_TRUE(d.due_on.has_value());
  EXPECT_EQ(*d.due_on, Day("2024-10-17"));
  EXPECT_TRUE(d.calendar_known);
  EXPECT_FALSE(d.concluded);
  EXPECT_TRUE(d.overdue);  // open on 2024-12-01
  EXPECT_FALSE(ComputeDeadline(Case("2024-09-13", {}), Cal(), Day("2024-10-17"))
                   .overdue);
  EXPECT_EQ(d.derivation.front().kind, "dayZero");
  EXPECT_EQ(d.derivation.back().text,
            "20 working days after day 0 (2024-09-13): 2024-10-17.");
}

TEST(DeadlineTest, AnswersOnTheDayAndOnTheDueDateAreInTimeTheDayAfterIsLate) {
  EXPECT_FALSE(ComputeDeadline(Case("2024-09-13", {{"2024-09-13", kAnswered}}),
                               Cal(), kToday)
                   .overdue);
  const Deadline on_time = ComputeDeadline(
      Case("2024-09-13", {{"2024-10-17", kAnswered}}), Cal(), kToday);
  EXPECT_FALSE(on_time.overdue);
  EXPECT_THAT(FlagCodes(on_time), IsEmpty());
  const Deadline late = ComputeDeadline(
      Case("2024-09-13", {{"2024-10-18", kAnswered}}), Cal(), kToday);
  EXPECT_TRUE(late.overdue);
  EXPECT_TRUE(late.concluded);
  EXPECT_EQ(*late.concluded_on, Day("2024-10-18"));
  EXPECT_THAT(FlagCodes(late), ElementsAre("ANSWERED_LATE"));
}

TEST(DeadlineTest, ACorrectionRestartsThePeriodAndNothingIsDueWhileItIsOut) {
  const std::string request = R"("correctionRequested":{})";
  const std::string received = R"("correctionReceived":{})";
  const Deadline waiting = ComputeDeadline(
      Case("2024-09-13", {{"2024-09-20", request}}), Cal(), kToday);
  EXPECT_FALSE(waiting.due_on.has_value());
  EXPECT_TRUE(waiting.calendar_known);
  EXPECT_FALSE(waiting.overdue);
  EXPECT_THAT(waiting.waiting_for, ElementsAre("correction"));

  const Deadline restarted = ComputeDeadline(
      Case("2024-09-13", {{"2024-09-20", request}, {"2024-10-08", received}}),
      Cal(), kToday);
  EXPECT_EQ(restarted.day_zero, Day("2024-10-08"));
  EXPECT_EQ(*restarted.due_on, *Cal().AddWorkingDays(Day("2024-10-08"), 20));
  EXPECT_THAT(FlagCodes(restarted), IsEmpty());

  // Working day 7 after 2024-09-13 is 09-25: a request on 09-26 is late.
  EXPECT_THAT(
      FlagCodes(ComputeDeadline(Case("2024-09-13", {{"2024-09-25", request}}),
                                Cal(), kToday)),
      IsEmpty());
  EXPECT_THAT(
      FlagCodes(ComputeDeadline(Case("2024-09-13", {{"2024-09-26", request}}),
                                Cal(), kToday)),
      ElementsAre("CORRECTION_NOTICE_LATE"));
  // A second request after the first was answered.
  EXPECT_THAT(
      FlagCodes(ComputeDeadline(Case("2024-09-13", {{"2024-09-20", request},
                                                    {"2024-09-23", received},
                                                    {"2024-09-24", request}}),
                                Cal(), kToday)),
      ElementsAre("CORRECTION_REQUESTED_MORE_THAN_ONCE"));
}

std::string Start(const char* id) {
  return absl::StrCat(R"("consultationStarted":{"consultationId":")", id,
                      R"(","party":"THIRD_PARTY"})");
}
std::string End(const char* id) {
  return absl::StrCat(R"("consultationEnded":{"consultationId":")", id,
                      R"(","opinion":"CONSENT"})");
}

TEST(DeadlineTest, ConsultationsPauseOnceForTheirUnion) {
  // 2024-03-05..07 are Tue..Thu: 3 working days.
  const Deadline one = ComputeDeadline(
      Case("2024-03-01",
           {{"2024-03-05", Start("k1")}, {"2024-03-07", End("k1")}}),
      Cal(), kToday);
  EXPECT_EQ(*one.due_on, *Cal().AddWorkingDays(Day("2024-03-01"), 23));
  // Overlapping 03-05..07 and 03-06..11: the union is 5 working days.
  const Deadline two =
      ComputeDeadline(Case("2024-03-01", {{"2024-03-05", Start("k1")},
                                          {"2024-03-06", Start("k2")},
                                          {"2024-03-07", End("k1")},
                                          {"2024-03-11", End("k2")}}),
                      Cal(), kToday);
  EXPECT_EQ(*two.due_on, *Cal().AddWorkingDays(Day("2024-03-01"), 25));
  // Still open: the pause runs to today and the case waits for it.
  const Deadline open =
      ComputeDeadline(Case("2024-03-01", {{"2024-03-05", Start("k1")}}), Cal(),
                      Day("2024-03-12"));
  EXPECT_THAT(open.waiting_for, ElementsAre("consultation"));
  EXPECT_EQ(*open.due_on, *Cal().AddWorkingDays(Day("2024-03-01"), 26));
  // Open longer than 15 working days.
  EXPECT_THAT(
      FlagCodes(ComputeDeadline(Case("2024-03-01", {{"2024-03-05", Start("k1")},
                                                    {"2024-03-27", End("k1")}}),
                                Cal(), kToday)),
      ElementsAre("CONSULTATION_OVER_15_WORKING_DAYS"));
}

TEST(DeadlineTest, ExtensionsAddWorkingDaysAndAreFlaggedWhenLateOrUnapproved) {
  const std::string ext =
      R"("extended":{"workingDays":10,"approvedBy":"李主任"})";
  const Deadline d =
      ComputeDeadline(Case("2024-09-13", {{"2024-10-10", ext}}), Cal(), kToday);
  EXPECT_EQ(*d.due_on, *Cal().AddWorkingDays(Day("2024-10-17"), 10));
  EXPECT_THAT(FlagCodes(d), IsEmpty());
  EXPECT_THAT(
      FlagCodes(ComputeDeadline(
          Case("2024-09-13", {{"2024-10-18", ext}, {"2024-10-21", kAnswered}}),
          Cal(), kToday)),
      ElementsAre("EXTENSION_AFTER_DUE_DATE"));
  EXPECT_THAT(FlagCodes(ComputeDeadline(
                  Case("2024-09-13",
                       {{"2024-10-10", R"("extended":{"workingDays":5})"}}),
                  Cal(), kToday)),
              ElementsAre("EXTENSION_WITHOUT_APPROVER"));
}

TEST(DeadlineTest, DelayFixedReplacesTheDueDate) {
  const Deadline d = ComputeDeadline(
      Case("2024-09-13",
           {{"2024-09-20", R"("delayFixed":{"dueOn":"2024-12-20"})"}}),
      Cal(), kToday);
  EXPECT_EQ(*d.due_on, Day("2024-12-20"));
  EXPECT_FALSE(d.overdue);
}

TEST(DeadlineTest, FeeNoticeToPaymentIsAPause) {
  const std::string notice =
      R"("feeNoticed":{"method":"PER_PAGE","amountFen":70000,"pages":100})";
  const Deadline d = ComputeDeadline(
      Case("2024-03-01", {{"2024-03-05", notice},
                          {"2024-03-07", R"("feePaid":{"amountFen":70000})"}}),
      Cal(), kToday);
  EXPECT_EQ(*d.due_on, *Cal().AddWorkingDays(Day("2024-03-01"), 23));
  EXPECT_THAT(FlagCodes(d), IsEmpty());
  const std::string wrong =
      R"("feeNoticed":{"method":"PER_PAGE","amountFen":100,"pages":100})";
  EXPECT_THAT(FlagCodes(ComputeDeadline(
                  Case("2024-03-01", {{"2024-04-15", wrong}}), Cal(), kToday)),
              ElementsAre("FEE_AMOUNT_DIFFERS", "FEE_NOTICE_AFTER_DUE_DATE"));
}

TEST(DeadlineTest, RestartThenPauseThenExtension) {
  const Deadline d = ComputeDeadline(
      Case("2024-09-13",
           {{"2024-09-20", R"("correctionRequested":{})"},
            {"2024-10-08", R"("correctionReceived":{})"},
            {"2024-10-09", Start("k1")},
            {"2024-10-11", End("k1")},
            {"2024-10-14",
             R"("extended":{"workingDays":20,"approvedBy":"李主任"})"}}),
      Cal(), kToday);
  // 10-09..10-11 are 3 working days (Wed, Thu, Fri; Sat 10-12 is worked but
  // outside the pause).
  const absl::CivilDay base = *Cal().AddWorkingDays(Day("2024-10-08"), 23);
  EXPECT_EQ(*d.due_on, *Cal().AddWorkingDays(base, 20));
  std::vector<std::string> kinds;
  for (const DerivationStep& s : d.derivation) kinds.push_back(s.kind);
  EXPECT_THAT(kinds,
              ElementsAre("dayZero", "restart", "pause", "due", "extension"));
}

TEST(DeadlineTest, PausesOnlyDelayAndExtensionsNeverShorten) {
  for (int start = 1; start <= 40; start += 3) {
    for (int length = 0; length <= 10; length += 2) {
      const absl::CivilDay s = Day("2024-03-01") + start;
      const std::string from = FormatCivilDay(s);
      const std::string to = FormatCivilDay(s + length);
      const Deadline plain =
          ComputeDeadline(Case("2024-03-01", {}), Cal(), kToday);
      const Deadline paused = ComputeDeadline(
          Case("2024-03-01",
               {{from.c_str(), Start("k")}, {to.c_str(), End("k")}}),
          Cal(), kToday);
      EXPECT_GE(*paused.due_on, *plain.due_on) << from << ".." << to;
      const Deadline extended = ComputeDeadline(
          Case("2024-03-01",
               {{from.c_str(), Start("k")},
                {to.c_str(), End("k")},
                {to.c_str(),
                 R"("extended":{"workingDays":3,"approvedBy":"x"})"}}),
          Cal(), kToday);
      EXPECT_GT(*extended.due_on, *paused.due_on) << from << ".." << to;
    }
  }
}

TEST(DeadlineTest, ACalendarChangeMovesTheDueDateAndUnknownYearsAreNotGuessed) {
  Calendar no_holidays = Calendar::BuiltIn();
  no_holidays.Merge(*Calendar::Parse("year 2024\n", "test"));
  const CaseState open = Case("2024-09-13", {});
  const Deadline before = ComputeDeadline(open, Cal(), kToday);
  const Deadline after = ComputeDeadline(open, no_holidays, kToday);
  EXPECT_EQ(*after.due_on, Day("2024-10-11"));  // 20 plain weekdays
  EXPECT_NE(*after.due_on, *before.due_on);

  // A concluded case's overdue status follows the calendar in use, always
  // consistently with the due date it reports.
  const CaseState answered = Case("2024-09-13", {{"2024-10-14", kAnswered}});
  for (const Calendar* calendar :
       {&Cal(), static_cast<const Calendar*>(&no_holidays)}) {
    const Deadline d = ComputeDeadline(answered, *calendar, kToday);
    EXPECT_EQ(d.overdue, *d.concluded_on > *d.due_on);
  }
  EXPECT_FALSE(ComputeDeadline(answered, Cal(), kToday).overdue);
  EXPECT_TRUE(ComputeDeadline(answered, no_holidays, kToday).overdue);

  const Deadline unknown =
      ComputeDeadline(Case("2026-12-20", {}), Cal(), Day("2026-12-21"));
  EXPECT_FALSE(unknown.due_on.has_value());
  EXPECT_FALSE(unknown.calendar_known);
  EXPECT_THAT(unknown.unknown_reason,
              ::testing::HasSubstr("calendar unknown for 2027"));
  EXPECT_FALSE(unknown.overdue);
}

TEST(FeesTest, BandsAtTheirEdgesAndTheExamplesOfFeesMd) {
  EXPECT_EQ(PerApplicationFeeFen(10), 0);
  EXPECT_EQ(PerApplicationFeeFen(11), 10000);
  EXPECT_EQ(PerApplicationFeeFen(30), 10000);
  EXPECT_EQ(PerApplicationFeeFen(31), 20000);
  EXPECT_EQ(PerApplicationFeeFen(40), 20000);
  EXPECT_EQ(PerApplicationFeeFen(41), 30000);
  EXPECT_EQ(PerApplicationFeeFen(51), 40000);
  EXPECT_EQ(PerApplicationFeesFen(1, 45), 550000);  // 5,500 yuan
  EXPECT_EQ(PerPageFeeFen(30), 0);
  EXPECT_EQ(PerPageFeeFen(31), 1000);
  EXPECT_EQ(PerPageFeeFen(100), 70000);
  EXPECT_EQ(PerPageFeeFen(101), 72000);
  EXPECT_EQ(PerPageFeeFen(200), 270000);
  EXPECT_EQ(PerPageFeeFen(201), 274000);
  EXPECT_EQ(PerPageFeeFen(250), 470000);  // 4,700 yuan
}

}  // namespace
}  // namespace ogi
