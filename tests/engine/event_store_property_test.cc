// Seeded property test of the event store against a small in-memory model of
// docs/EVENTS.md.
//
// Each seed drives a random sequence of requests, valid and invalid: every case
// payload, amendments of several kinds, events for unknown cases, bad and
// backward dates, malformed envelopes, retried and reused eventIds, right and
// wrong expectedVersions, and multi-event requests in which one event may be
// refused. The model below is a second implementation of the rules, written
// from the spec and sharing no code with the engine: it keeps each case's
// effective steps and refolds them to decide. The store must accept exactly
// what the model accepts (same status code, same positions and versions), and
// after every reopen the stored streams, log and eventId index must equal the
// model's, and the sequence goes on against the replayed state. Half of the
// seeds run with a case cache of 2 states, so most decisions replay the case
// from the log.
//
// Where the spec leaves an order of checks open, the model follows this one:
// envelope shape (kInvalidArgument), then the eventId (a stored id with the
// same content is a duplicate, with other content kAlreadyExists), then
// expectedVersion (kAborted), then existence and the lifecycle.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "engine/event_id.h"
#include "engine/event_store.h"
#include "proto/event.pb.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::testing::HasSubstr;

constexpr int kSeeds = 20;
constexpr int kRequestsPerSeed = 300;
constexpr int kReopenEvery = 100;
constexpr absl::CivilDay kToday(2024, 6, 1);  // FakeClock's default day

// Commands, as the generator makes them and the model reads them.

enum class Kind {
  kNone,  // no payload: malformed
  kReceived,
  kCorrectionRequested,
  kCorrectionReceived,
  kConsultationStarted,
  kConsultationEnded,
  kExtended,
  kDelayFixed,
  kReviewed,
  kFeeNoticed,
  kFeePaid,
  kAnswered,
  kWithdrawn,
  kReanswered,
  kArchived,
  kAppealFiled,
  kAppealDecided,
  kAmended,
  kAgencyRegistered,
};

constexpr Kind kCaseSteps[] = {
    Kind::kCorrectionRequested,
    Kind::kCorrectionReceived,
    Kind::kConsultationStarted,
    Kind::kConsultationEnded,
    Kind::kExtended,
    Kind::kDelayFixed,
    Kind::kReviewed,
    Kind::kFeeNoticed,
    Kind::kFeePaid,
    Kind::kAnswered,
    Kind::kWithdrawn,
    Kind::kReanswered,
    Kind::kArchived,
    Kind::kAppealFiled,
    Kind::kAppealDecided,
};

// One event to submit. Only the fields its kind uses are set.
struct Cmd {
  Kind kind = Kind::kNone;
  std::string event_id;
  std::string case_id;
  std::string agency_id;
  std::string date;  // occurredOn, as text (may be malformed)
  std::string actor;
  std::optional<uint32_t> expected_version;
  bool sets_engine_field = false;  // sets `version`, which producers may not
  int code =
      0;  // category, outcome, decision, kind or result (proto enum number)
  int64_t amount = 0;  // items, working days or fen
  std::string ref;     // consultation or appeal id
  std::string due;     // dueOn
  // kAmended only.
  uint32_t target = 0;
  std::string reason;
  std::string replacement_date;  // "" keeps the corrected event's date
  std::vector<Cmd> replacement;  // at most one: the corrected payload
};

template <typename M>
void SetPayload(const Cmd& c, M& m) {
  switch (c.kind) {
    case Kind::kReceived: {
      v1::Received* r = m.mutable_received();
      r->mutable_applicant()->set_category(
          static_cast<v1::Applicant::Category>(c.code));
      r->mutable_applicant()->set_name("张某");
      r->set_channel(v1::Received::ONLINE);
      r->set_items(static_cast<int32_t>(c.amount));
      break;
    }
    case Kind::kCorrectionRequested:
      m.mutable_correction_requested()->set_due_on(c.due);
      break;
    case Kind::kCorrectionReceived:
      m.mutable_correction_received()->set_note("补正材料");
      break;
    case Kind::kConsultationStarted:
      m.mutable_consultation_started()->set_consultation_id(c.ref);
      m.mutable_consultation_started()->set_party(
          v1::ConsultationStarted::THIRD_PARTY);
      break;
    case Kind::kConsultationEnded:
      m.mutable_consultation_ended()->set_consultation_id(c.ref);
      m.mutable_consultation_ended()->set_opinion(
          v1::ConsultationEnded::CONSENT);
      break;
    case Kind::kExtended:
      m.mutable_extended()->set_working_days(static_cast<int32_t>(c.amount));
      break;
    case Kind::kDelayFixed:
      m.mutable_delay_fixed()->set_due_on(c.due);
      break;
    case Kind::kReviewed:
      m.mutable_reviewed()->set_decision(
          static_cast<v1::Reviewed::Decision>(c.code));
      break;
    case Kind::kFeeNoticed:
      m.mutable_fee_noticed()->set_method(v1::FeeNoticed::PER_APPLICATION);
      m.mutable_fee_noticed()->set_amount_fen(c.amount);
      break;
    case Kind::kFeePaid:
      m.mutable_fee_paid()->set_amount_fen(c.amount);
      break;
    case Kind::kAnswered:
      m.mutable_answered()->set_outcome(
          static_cast<v1::Answered::Outcome>(c.code));
      break;
    case Kind::kWithdrawn:
      m.mutable_withdrawn()->set_note("申请人撤回");
      break;
    case Kind::kReanswered:
      m.mutable_reanswered()->set_outcome(
          static_cast<v1::Answered::Outcome>(c.code));
      break;
    case Kind::kArchived:
      m.mutable_archived()->set_archive_ref("A-1");
      break;
    case Kind::kAppealFiled:
      m.mutable_appeal_filed()->set_appeal_id(c.ref);
      m.mutable_appeal_filed()->set_kind(
          static_cast<v1::AppealFiled::Kind>(c.code));
      break;
    case Kind::kAppealDecided:
      m.mutable_appeal_decided()->set_appeal_id(c.ref);
      m.mutable_appeal_decided()->set_result(
          static_cast<v1::AppealDecided::Result>(c.code));
      break;
    case Kind::kAmended:
      if constexpr (std::is_same_v<M, v1::Event>) {
        v1::Amended* a = m.mutable_amended();
        a->set_version(c.target);
        a->set_reason(c.reason);
        a->set_occurred_on(c.replacement_date);
        if (!c.replacement.empty()) SetPayload(c.replacement[0], *a);
      }
      break;
    case Kind::kAgencyRegistered:
      if constexpr (std::is_same_v<M, v1::Event>)
        m.mutable_agency_registered()->set_name("机关");
      break;
    case Kind::kNone:
      break;
  }
}

v1::Event ToEvent(const Cmd& c) {
  v1::Event e;
  e.set_event_id(c.event_id);
  e.set_case_id(c.case_id);
  e.set_agency_id(c.agency_id);
  e.set_occurred_on(c.date);
  e.set_actor(c.actor);
  if (c.expected_version) e.set_expected_version(*c.expected_version);
  if (c.sets_engine_field) e.set_version(7);
  SetPayload(c, e);
  return e;
}

std::vector<v1::Event> ToEvents(absl::Span<const Cmd> cmds) {
  std::vector<v1::Event> events;
  for (const Cmd& c : cmds) events.push_back(ToEvent(c));
  return events;
}

std::string Describe(absl::Span<const Cmd> cmds) {
  std::string out;
  for (const Cmd& c : cmds)
    absl::StrAppend(&out, "\n  ", ToEvent(c).ShortDebugString());
  return out;
}

std::string DayText(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// The model: the rules of docs/EVENTS.md, kept as simple as possible.

// Returns the day written exactly "YYYY-MM-DD" (a real calendar day, year
// 1000-9999), or nullopt.
std::optional<absl::CivilDay> ParseDay(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (s[i] - '0');
    }
  }
  const absl::CivilDay day(parts[0], parts[1], parts[2]);
  if (parts[0] < 1000 || day.year() != parts[0] || day.month() != parts[1] ||
      day.day() != parts[2]) {
    return std::nullopt;
  }
  return day;
}

bool ValidStreamId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
           c == '/' || c == '-';
  });
}

bool PayloadShapeOk(const Cmd& p) {
  switch (p.kind) {
    case Kind::kReceived:
      return p.code != 0 && p.amount >= 0;
    case Kind::kCorrectionRequested:
      return p.due.empty() || ParseDay(p.due).has_value();
    case Kind::kDelayFixed:
      return ParseDay(p.due).has_value();
    case Kind::kConsultationStarted:
    case Kind::kConsultationEnded:
      return !p.ref.empty();
    case Kind::kAppealFiled:
    case Kind::kAppealDecided:
      return !p.ref.empty() && p.code != 0;
    case Kind::kExtended:
      return p.amount >= 1 && p.amount <= 20;
    case Kind::kReviewed:
    case Kind::kAnswered:
    case Kind::kReanswered:
      return p.code != 0;
    case Kind::kFeeNoticed:
    case Kind::kFeePaid:
      return p.amount >= 0;
    case Kind::kCorrectionReceived:
    case Kind::kWithdrawn:
    case Kind::kArchived:
      return true;
    default:
      return false;
  }
}

// The "What is refused" rules that need no state: a request breaking one is
// kInvalidArgument.
bool ShapeOk(const Cmd& c) {
  if (c.kind == Kind::kNone || c.sets_engine_field) return false;
  const std::optional<absl::CivilDay> day = ParseDay(c.date);
  if (!day || *day > kToday) return false;
  if (c.kind == Kind::kAgencyRegistered) {
    // The engine's reading (validate.cc): a registration can only make
    // version 1, so an expectedVersion other than 0 is malformed rather than
    // a conflict.
    return ValidStreamId(c.agency_id) && c.case_id.empty() &&
           c.expected_version.value_or(0) == 0;
  }
  if (!ValidStreamId(c.case_id)) return false;
  if ((c.kind == Kind::kReceived || !c.agency_id.empty()) &&
      !ValidStreamId(c.agency_id))
    return false;
  if (c.kind != Kind::kAmended) return PayloadShapeOk(c);
  if (c.target < 1 || c.reason.empty() || c.replacement.size() != 1)
    return false;
  if (!c.replacement_date.empty()) {
    const std::optional<absl::CivilDay> corrected =
        ParseDay(c.replacement_date);
    if (!corrected || *corrected > kToday) return false;
  }
  return PayloadShapeOk(c.replacement[0]);
}

// The facts of one event of a case. An amendment's own step (kAmended) only
// carries its date.
struct Step {
  Kind kind = Kind::kNone;
  absl::CivilDay on;
  int code = 0;
  int64_t amount = 0;
  std::string ref;
  std::string due;
};

Step StepOf(const Cmd& c, absl::CivilDay on) {
  return Step{c.kind, on, c.code, c.amount, c.ref, c.due};
}

struct Facts {
  absl::CivilDay last;
  bool correction_outstanding = false;
  bool correction_received = false;
  bool fee_outstanding = false;
  int64_t fee_fen = 0;
  int64_t extension_days = 0;
  bool concluded = false;
  bool archived = false;
  std::set<std::string> consultations_open;
  std::set<std::string> consultations_seen;
  std::set<std::string> appeals;
};

// Returns whether the lifecycle allows step `s` on a case with facts `f`.
bool Allowed(const Facts& f, const Step& s) {
  switch (s.kind) {
    case Kind::kReanswered:
      return f.concluded;
    case Kind::kArchived:
      return f.concluded && !f.archived;
    case Kind::kAppealFiled:
      return !f.appeals.contains(s.ref);
    case Kind::kAppealDecided:
      return f.appeals.contains(s.ref);
    default:
      break;
  }
  if (f.concluded)
    return false;  // everything else happens before the one conclusion
  switch (s.kind) {
    case Kind::kCorrectionRequested:
      return !f.correction_outstanding;
    case Kind::kCorrectionReceived:
      return f.correction_outstanding;
    case Kind::kConsultationStarted:
      return !f.consultations_seen.contains(s.ref);
    case Kind::kConsultationEnded:
      return f.consultations_open.contains(s.ref);
    case Kind::kExtended:
      return f.extension_days + s.amount <= 20;
    case Kind::kFeeNoticed:
      return !f.fee_outstanding;
    case Kind::kFeePaid:
      return f.fee_outstanding && s.amount == f.fee_fen;
    case Kind::kAnswered:
      if (s.code == v1::Answered::OTHER_NO_CORRECTION)
        return f.correction_outstanding;
      if (s.code == v1::Answered::OTHER_FEE_UNPAID) return f.fee_outstanding;
      if (s.code == v1::Answered::UNAVAILABLE_STILL_UNCLEAR)
        return f.correction_received;
      return true;
    case Kind::kDelayFixed:
    case Kind::kReviewed:
    case Kind::kWithdrawn:
      return true;
    default:
      return false;
  }
}

void Fold(Facts& f, const Step& s) {
  f.last = std::max(f.last, s.on);
  switch (s.kind) {
    case Kind::kCorrectionRequested:
      f.correction_outstanding = true;
      break;
    case Kind::kCorrectionReceived:
      f.correction_outstanding = false;
      f.correction_received = true;
      break;
    case Kind::kConsultationStarted:
      f.consultations_open.insert(s.ref);
      f.consultations_seen.insert(s.ref);
      break;
    case Kind::kConsultationEnded:
      f.consultations_open.erase(s.ref);
      break;
    case Kind::kExtended:
      f.extension_days += s.amount;
      break;
    case Kind::kFeeNoticed:
      f.fee_outstanding = true;
      f.fee_fen = s.amount;
      break;
    case Kind::kFeePaid:
      f.fee_outstanding = false;
      break;
    case Kind::kAnswered:
    case Kind::kWithdrawn:
      f.concluded = true;
      break;
    case Kind::kArchived:
      f.archived = true;
      break;
    case Kind::kAppealFiled:
      f.appeals.insert(s.ref);
      break;
    default:
      break;
  }
}

// Returns the facts of a case's effective steps, or nullopt if they break a
// rule or go back in time. An amendment's own step changes no fact but keeps
// its place in the date order: a correction cannot date a step after an
// amendment recorded later (the one making the correction included).
std::optional<Facts> FoldAll(const std::vector<Step>& steps) {
  Facts f;
  bool first = true;
  for (const Step& s : steps) {
    if (!first && s.on < f.last) return std::nullopt;
    f.last = std::max(f.last, s.on);
    if (s.kind == Kind::kAmended) continue;
    if (!first && !Allowed(f, s)) return std::nullopt;
    first = false;
    Fold(f, s);
  }
  return f;
}

struct CaseModel {
  std::string agency;
  std::vector<Step> steps;  // effective, by version - 1 (an amendment's slot
                            // holds its own step)
  absl::CivilDay floor;     // the latest date of any event or effective step:
                            // nothing may be dated before
  std::vector<uint64_t> positions;  // by version - 1
};

struct LogEntry {
  StreamId stream;
  uint32_t version;
  v1::Event content;  // the event as it should be stored, without engine fields
};

struct Outcome {
  absl::StatusCode code = absl::StatusCode::kOk;
  size_t failed_index = 0;
  std::vector<AppendedEvent> appended;
};

class Model {
 public:
  // Applies a request all-or-nothing and returns what the store should answer.
  Outcome Apply(absl::Span<const Cmd> request) {
    const auto agencies = agencies_;
    const auto cases = cases_;
    const auto event_ids = event_ids_;
    const size_t log_size = log_.size(), accepted = accepted_.size();
    Outcome out;
    for (size_t i = 0; i < request.size(); ++i) {
      AppendedEvent appended{};
      const absl::StatusCode code = ApplyOne(request[i], appended);
      if (code != absl::StatusCode::kOk) {
        agencies_ = agencies;
        cases_ = cases;
        event_ids_ = event_ids;
        log_.resize(log_size);
        accepted_.resize(accepted);
        return Outcome{code, i, {}};
      }
      out.appended.push_back(appended);
    }
    return out;
  }

  const std::map<std::string, std::vector<uint64_t>>& agencies() const {
    return agencies_;
  }
  const std::map<std::string, CaseModel>& cases() const { return cases_; }
  // By (namespace agency, eventId): eventIds are scoped by the agency of
  // the event's stream (engine/event_id.h).
  const std::map<std::pair<std::string, std::string>, uint64_t>& event_ids()
      const {
    return event_ids_;
  }
  const std::vector<LogEntry>& log() const { return log_; }
  // Commands with an eventId that were appended (not duplicates), for the
  // generator's retries.
  const std::vector<Cmd>& accepted_with_id() const { return accepted_; }

 private:
  absl::StatusCode ApplyOne(const Cmd& c, AppendedEvent& out) {
    if (!ShapeOk(c)) return absl::StatusCode::kInvalidArgument;
    const bool agency_event = c.kind == Kind::kAgencyRegistered;
    const StreamId stream{
        agency_event ? StreamId::Kind::kAgency : StreamId::Kind::kCase,
        agency_event ? c.agency_id : c.case_id};
    auto case_it = cases_.find(c.case_id);
    const bool case_exists = !agency_event && case_it != cases_.end();

    v1::Event content = ToEvent(c);
    content.clear_expected_version();
    if (case_exists && content.agency_id().empty())
      content.set_agency_id(case_it->second.agency);

    // The id's namespace: the agency an agency event or a `received` names,
    // else the case's (none for a case that does not exist).
    const bool own_scope = agency_event || c.kind == Kind::kReceived;
    const std::string scope =
        own_scope ? c.agency_id
                  : (case_exists ? case_it->second.agency : std::string());
    if (!c.event_id.empty() && (own_scope || case_exists)) {
      if (auto it = event_ids_.find({scope, c.event_id});
          it != event_ids_.end()) {
        const LogEntry& stored = log_[it->second - 1];
        if (!google::protobuf::util::MessageDifferencer::Equals(stored.content,
                                                                content)) {
          return absl::StatusCode::kAlreadyExists;
        }
        out = AppendedEvent{AppendedEvent::Outcome::kDuplicate, it->second,
                            stored.version};
        return absl::StatusCode::kOk;
      }
    }

    uint32_t version = 0;
    if (agency_event) {
      if (auto it = agencies_.find(c.agency_id); it != agencies_.end())
        version = it->second.size();
    } else if (case_exists) {
      version = case_it->second.steps.size();
    }
    if (c.expected_version && *c.expected_version != version)
      return absl::StatusCode::kAborted;

    const absl::CivilDay on = *ParseDay(c.date);
    if (agency_event) {
      if (version > 0) return absl::StatusCode::kAlreadyExists;
    } else if (c.kind == Kind::kReceived) {
      if (!agencies_.contains(c.agency_id)) return absl::StatusCode::kNotFound;
      if (case_exists) return absl::StatusCode::kAlreadyExists;
      case_it = cases_
                    .emplace(c.case_id,
                             CaseModel{c.agency_id, {StepOf(c, on)}, on, {}})
                    .first;
    } else {
      if (!case_exists) return absl::StatusCode::kNotFound;
      CaseModel& cm = case_it->second;
      if (!c.agency_id.empty() && c.agency_id != cm.agency)
        return absl::StatusCode::kFailedPrecondition;
      if (on < cm.floor) return absl::StatusCode::kFailedPrecondition;
      if (c.kind == Kind::kAmended) {
        if (c.target > cm.steps.size() ||
            cm.steps[c.target - 1].kind == Kind::kAmended ||
            cm.steps[c.target - 1].kind != c.replacement[0].kind) {
          return absl::StatusCode::kFailedPrecondition;
        }
        const absl::CivilDay corrected_on = c.replacement_date.empty()
                                                ? cm.steps[c.target - 1].on
                                                : *ParseDay(c.replacement_date);
        Step marker;
        marker.kind = Kind::kAmended;
        marker.on = on;
        std::vector<Step> steps = cm.steps;
        steps[c.target - 1] = StepOf(c.replacement[0], corrected_on);
        steps.push_back(std::move(marker));
        if (!FoldAll(steps).has_value()) {
          return absl::StatusCode::kFailedPrecondition;
        }
        cm.steps = std::move(steps);
        cm.floor = std::max({cm.floor, on, corrected_on});
      } else {
        const Step step = StepOf(c, on);
        if (!Allowed(*FoldAll(cm.steps), step))
          return absl::StatusCode::kFailedPrecondition;
        cm.steps.push_back(step);
        cm.floor = std::max(cm.floor, on);
      }
    }

    const uint64_t position = log_.size() + 1;
    log_.push_back(LogEntry{stream, version + 1, std::move(content)});
    if (agency_event) {
      agencies_[c.agency_id].push_back(position);
    } else {
      case_it->second.positions.push_back(position);
    }
    if (!c.event_id.empty()) {
      event_ids_[{scope, c.event_id}] = position;
      accepted_.push_back(c);
    }
    out =
        AppendedEvent{AppendedEvent::Outcome::kAppended, position, version + 1};
    return absl::StatusCode::kOk;
  }

  // Each agency's positions, by version - 1.
  std::map<std::string, std::vector<uint64_t>> agencies_;
  std::map<std::string, CaseModel> cases_;
  std::map<std::pair<std::string, std::string>, uint64_t> event_ids_;
  std::vector<LogEntry> log_;  // by position - 1
  std::vector<Cmd> accepted_;
};

// The generator: mostly plausible commands, guided by the model's state, with a
// share of every kind of mistake.

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::vector<Cmd> NextRequest(const Model& m) {
    const int r = Uniform(100);
    if (r < 5) return NewCaseBundle(m);
    if (r < 15) {
      std::vector<Cmd> request;
      for (int i = 0, n = 2 + Uniform(2); i < n; ++i)
        request.push_back(Next(m));
      // Sometimes the same event twice, or a malformed one among the others.
      if (Chance(20)) request.push_back(request.front());
      if (Chance(20)) {
        request.insert(
            request.begin() + Uniform(static_cast<int>(request.size())),
            Broken(Next(m)));
      }
      return request;
    }
    return {Next(m)};
  }

  // Remembers the eventIds of a refused request: reusing one later must work
  // like a fresh id.
  void NoteRefused(absl::Span<const Cmd> request) {
    for (const Cmd& c : request) {
      if (!c.event_id.empty()) refused_ids_.push_back(c.event_id);
    }
  }

 private:
  int Uniform(int n) {
    return static_cast<int>(rng_() % static_cast<uint32_t>(n));
  }
  bool Chance(int percent) { return Uniform(100) < percent; }
  template <typename Container>
  const auto& Pick(const Container& c) {
    return c[Uniform(static_cast<int>(std::size(c)))];
  }

  std::string FreshEventId() { return absl::StrCat("e", next_event_++); }

  // Returns a date for the next event of a case whose floor is `floor`: mostly
  // on or a little after it, sometimes before it, after the recording day, or
  // malformed.
  std::string NextDate(absl::CivilDay floor) {
    constexpr const char* kMalformed[] = {
        "2024-02-30", "2024-1-05", "2024/01/05", "", "20240105", "2024-13-01"};
    const int r = Uniform(100);
    if (r < 3) return DayText(kToday + 1 + Uniform(30));
    if (r < 6) return Pick(kMalformed);
    if (r < 12) return DayText(floor - (1 + Uniform(5)));
    return DayText(std::min(kToday, floor + Uniform(4)));
  }

  int RandomOutcome() {
    constexpr int kOutcomes[] = {
        v1::Answered::DISCLOSED,
        v1::Answered::PARTIALLY_DISCLOSED,
        v1::Answered::UNAVAILABLE_NOT_HELD,
        v1::Answered::UNAVAILABLE_STILL_UNCLEAR,
        v1::Answered::OTHER_NO_CORRECTION,
        v1::Answered::OTHER_FEE_UNPAID,
        v1::Answered::OTHER_HANDLING,
    };
    return Pick(kOutcomes);
  }

  // Sets the envelope fields every command may carry: eventId, expectedVersion,
  // an explicit agencyId.
  void Decorate(Cmd& c, uint32_t version, const std::string& own_agency,
                const Model& m) {
    const int r = Uniform(100);
    if (r < 75) {
      c.event_id = FreshEventId();
    } else if (r < 80 && !refused_ids_.empty()) {
      c.event_id = Pick(refused_ids_);
    }
    if (Chance(25)) {
      const bool right = Chance(80);
      c.expected_version = right                          ? version
                           : (version == 0 || Chance(50)) ? version + 1
                                                          : version - 1;
    }
    if (c.kind != Kind::kReceived && c.kind != Kind::kAgencyRegistered &&
        !own_agency.empty()) {
      const int a = Uniform(100);
      if (a < 8) {
        c.agency_id = own_agency;
      } else if (a < 12) {
        for (const auto& [id, positions] : m.agencies()) {
          if (id != own_agency) c.agency_id = id;
        }
      }
    }
  }

  Cmd Received(const std::string& case_id, absl::CivilDay day, const Model& m) {
    Cmd c;
    c.kind = Kind::kReceived;
    c.case_id = case_id;
    constexpr const char* kAgencies[] = {"a1", "a1", "a1", "a2",
                                         "a2", "a3", "zz"};
    c.agency_id = Pick(kAgencies);
    c.date = DayText(day);
    c.code = 1 + Uniform(6);
    c.amount = Uniform(3);
    const auto it = m.cases().find(case_id);
    Decorate(c,
             it == m.cases().end()
                 ? 0
                 : static_cast<uint32_t>(it->second.steps.size()),
             "", m);
    return c;
  }

  // A new case and one or two more steps on it, in one atomic request.
  std::vector<Cmd> NewCaseBundle(const Model& m) {
    const absl::CivilDay day = absl::CivilDay(2024, 1, 2) + Uniform(60);
    const std::string case_id = absl::StrCat("C", next_case_++);
    std::vector<Cmd> request = {Received(case_id, day, m)};
    constexpr Kind kFollowUps[] = {Kind::kReviewed, Kind::kCorrectionRequested,
                                   Kind::kAnswered, Kind::kArchived,
                                   Kind::kExtended};
    for (int i = 0, n = 1 + Uniform(2); i < n; ++i) {
      Cmd c = Payload(Pick(kFollowUps), Facts(), day + 1 + i);
      c.case_id = case_id;
      c.date = Chance(10) ? DayText(kToday + 3) : DayText(day + 1 + i);
      if (Chance(50)) c.event_id = FreshEventId();
      request.push_back(std::move(c));
    }
    return request;
  }

  // Returns a command of `kind` with plausible fields for a case with facts `f`
  // (case and date left to the caller).
  Cmd Payload(Kind kind, const Facts& f, absl::CivilDay on) {
    Cmd c;
    c.kind = kind;
    switch (kind) {
      case Kind::kCorrectionRequested:
        c.due = DayText(on + 15);
        break;
      case Kind::kConsultationStarted:
        c.ref = (Chance(85) || f.consultations_seen.empty())
                    ? absl::StrCat("K", next_ref_++)
                    : *f.consultations_seen.begin();
        break;
      case Kind::kConsultationEnded:
        c.ref = (Chance(80) && !f.consultations_open.empty())
                    ? *f.consultations_open.begin()
                    : "K999";
        break;
      case Kind::kExtended:
        c.amount = Chance(5) ? (Chance(50) ? 0 : 21) : 1 + Uniform(10);
        break;
      case Kind::kDelayFixed:
        c.due = DayText(on + 30);
        break;
      case Kind::kReviewed:
        c.code = 1 + Uniform(2);
        break;
      case Kind::kFeeNoticed: {
        constexpr int64_t kFees[] = {0, 1000, 2500};
        c.amount = Chance(4) ? -5 : Pick(kFees);
        break;
      }
      case Kind::kFeePaid:
        c.amount = Chance(80) ? f.fee_fen : f.fee_fen + 100;
        break;
      case Kind::kAnswered:
        c.code = Chance(3) ? 0 : RandomOutcome();
        break;
      case Kind::kReanswered:
        c.code = v1::Answered::DISCLOSED;
        break;
      case Kind::kAppealFiled:
        c.ref = (Chance(85) || f.appeals.empty())
                    ? absl::StrCat("F", next_ref_++)
                    : *f.appeals.begin();
        c.code = 1 + Uniform(3);
        break;
      case Kind::kAppealDecided:
        c.ref =
            (Chance(80) && !f.appeals.empty()) ? *f.appeals.rbegin() : "F999";
        c.code = 1 + Uniform(3);
        break;
      default:
        break;
    }
    return c;
  }

  // Returns a step for a case with facts `f`: mostly one its lifecycle allows
  // now (so that cases progress), otherwise any step.
  Cmd AnyStep(const Facts& f, absl::CivilDay on) {
    const bool allowed_only = Chance(70);
    Cmd c = Payload(Pick(kCaseSteps), f, on);
    for (int tries = 0; allowed_only && tries < 8; ++tries) {
      if (Allowed(f, StepOf(c, on))) break;
      c = Payload(Pick(kCaseSteps), f, on);
    }
    return c;
  }

  Cmd Amendment(const CaseModel& cm, absl::CivilDay on) {
    Cmd c;
    c.kind = Kind::kAmended;
    c.reason = Chance(96) ? "录入错误" : "";
    const auto version = static_cast<uint32_t>(cm.steps.size());
    const int r = Uniform(100);
    c.target = r < 4 ? version + 1
                     : (r < 6 ? 0 : 1 + Uniform(static_cast<int>(version)));
    const Step* original = c.target >= 1 && c.target <= version
                               ? &cm.steps[c.target - 1]
                               : nullptr;
    Kind kind =
        original != nullptr && Chance(90) ? original->kind : Pick(kCaseSteps);
    if (kind == Kind::kAmended) kind = Kind::kReviewed;
    Cmd replacement = Payload(kind, *FoldAll(cm.steps), on);
    if (original != nullptr && original->kind == kind) {
      replacement.code = original->code;
      replacement.amount = original->amount;
      replacement.ref = original->ref;
      replacement.due = original->due;
      switch (kind) {  // correct one fact, which the rest of the case may or
                       // may not allow
        case Kind::kReceived:
          replacement.code = 1 + Uniform(6);
          break;
        case Kind::kExtended:
          replacement.amount = 1 + Uniform(20);
          break;
        case Kind::kAnswered:
          replacement.code = RandomOutcome();
          break;
        case Kind::kFeeNoticed:
          replacement.amount = Chance(50) ? 1000 : 2500;
          break;
        case Kind::kConsultationStarted:
        case Kind::kAppealFiled:
          if (Chance(30)) replacement.ref = absl::StrCat("R", next_ref_++);
          break;
        default:
          break;
      }
    }
    if (original != nullptr && Chance(35)) {
      c.replacement_date =
          DayText(std::min(kToday, original->on + (Uniform(7) - 3)));
    }
    c.replacement.push_back(std::move(replacement));
    return c;
  }

  // A command on an existing case (or a new one when there is none yet), or a
  // registration or unknown case.
  Cmd Next(const Model& m) {
    const int r = Uniform(100);
    if (r < 2) {
      Cmd c;
      c.kind = Kind::kAgencyRegistered;
      c.agency_id = Chance(50) ? "a3" : "a4";
      c.date = "2024-01-01";
      Decorate(c, 0, "", m);
      return c;
    }
    if (r < 12 || m.cases().empty()) {
      return Received(absl::StrCat("C", next_case_++),
                      absl::CivilDay(2024, 1, 2) + Uniform(60), m);
    }
    if (r < 14) {
      const auto& [id, cm] = *std::next(
          m.cases().begin(), Uniform(static_cast<int>(m.cases().size())));
      return Received(id, cm.steps[0].on, m);
    }
    if (r < 16) {
      Cmd c = Payload(Pick(kCaseSteps), Facts(), kToday);
      c.case_id = absl::StrCat("X", Uniform(5));
      c.date = "2024-03-01";
      Decorate(c, 0, "", m);
      return c;
    }
    if (r < 22 && !m.accepted_with_id().empty()) {
      // A retry: a duplicate whatever its expectedVersion says, unless its
      // content differs.
      Cmd c = Pick(m.accepted_with_id());
      if (Chance(40)) c.expected_version = Uniform(5);
      if (Chance(25)) {
        c.actor = "someone else";  // the same eventId with other content
      } else if (c.kind != Kind::kReceived &&
                 c.kind != Kind::kAgencyRegistered && c.agency_id.empty()) {
        // Naming the case's own agency leaves the content the same.
        if (auto it = m.cases().find(c.case_id);
            it != m.cases().end() && Chance(30)) {
          c.agency_id = it->second.agency;
        }
      }
      return c;
    }
    const auto& [id, cm] = *std::next(
        m.cases().begin(), Uniform(static_cast<int>(m.cases().size())));
    const std::string date = NextDate(cm.floor);
    const std::optional<absl::CivilDay> day = ParseDay(date);
    const absl::CivilDay on = day ? *day : cm.floor;
    Cmd c = Chance(12) ? Amendment(cm, on) : AnyStep(*FoldAll(cm.steps), on);
    c.case_id = id;
    c.date = date;
    Decorate(c, static_cast<uint32_t>(cm.steps.size()), cm.agency, m);
    return Chance(5) ? Broken(std::move(c)) : c;
  }

  // Returns `c` with one shape mistake that the store must refuse whatever the
  // state.
  Cmd Broken(Cmd c) {
    switch (Uniform(6)) {
      case 0:
        c.kind = Kind::kNone;
        break;
      case 1:
        c.sets_engine_field = true;
        break;
      case 2:
        c.case_id = Chance(50) ? "C 1" : std::string(65, 'C');
        break;
      case 3:
        c.date = "2024-02-30";
        break;
      case 4:
        c.date = DayText(kToday + 1);
        break;
      default:
        c.kind = Kind::kExtended;
        c.amount = 21;
        break;
    }
    return c;
  }

  std::mt19937 rng_;
  int next_case_ = 1;
  int next_event_ = 1;
  int next_ref_ = 1;
  std::vector<std::string> refused_ids_;
};

// The store under test and the comparisons.

struct Store {
  explicit Store(size_t case_cache_capacity) : capacity(case_cache_capacity) {
    Reopen();
  }
  void Reopen() {
    store.reset();
    auto opened = EventStore::Open({.path = dir.Sub("db"),
                                    .clock = &clock,
                                    .case_cache_capacity = capacity});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store = std::move(*opened);
  }

  ::ogi::testing::TempDir dir;
  ::ogi::testing::FakeClock clock;
  size_t capacity;
  std::unique_ptr<EventStore> store;
};

// Returns whether a stored event holds `want` (an event without engine fields).
bool SameContent(const v1::Event& stored, const v1::Event& want) {
  v1::Event content = stored;
  content.clear_recorded_at();
  content.clear_version();
  content.clear_position();
  // An event sent without an id is stored with the one the engine assigns.
  v1::Event wanted = want;
  if (wanted.event_id().empty())
    wanted.set_event_id(AssignedEventId(StreamOf(stored), stored.version()));
  return google::protobuf::util::MessageDifferencer::Equals(content, wanted);
}

void ExpectStreamMatches(EventStore& store, const StreamId& stream,
                         const std::vector<uint64_t>& positions,
                         const Model& model) {
  SCOPED_TRACE(absl::StrCat("stream ", stream.id));
  absl::StatusOr<std::vector<v1::Event>> events = store.ReadStream(stream);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    const v1::Event& e = (*events)[i];
    EXPECT_EQ(e.version(), i + 1);
    EXPECT_EQ(e.position(), positions[i]);
    EXPECT_TRUE(e.has_recorded_at());
    EXPECT_TRUE(SameContent(e, model.log()[positions[i] - 1].content))
        << e.ShortDebugString() << "\nwant "
        << model.log()[positions[i] - 1].content.ShortDebugString();
  }
}

// Checks the log, every stream, the eventId index and the counts against the
// model.
void ExpectStoreMatches(EventStore& store, const Model& model) {
  ASSERT_EQ(store.HeadPosition(), model.log().size());
  uint64_t next = 1;
  ASSERT_OK(store.ScanLog(1, [&](const v1::Event& e) {
    if (e.position() != next || next > model.log().size()) {
      return absl::InternalError(
          absl::StrCat("position ", e.position(), " where ", next, " was due"));
    }
    const LogEntry& want = model.log()[next - 1];
    EXPECT_EQ(e.version(), want.version) << "position " << next;
    EXPECT_TRUE(SameContent(e, want.content))
        << e.ShortDebugString() << "\nwant " << want.content.ShortDebugString();
    ++next;
    return absl::OkStatus();
  }));
  EXPECT_EQ(next - 1, model.log().size()) << "the log has gaps or ends early";
  for (const auto& [id, cm] : model.cases()) {
    ExpectStreamMatches(store, {StreamId::Kind::kCase, id}, cm.positions,
                        model);
  }
  for (const auto& [id, positions] : model.agencies()) {
    ExpectStreamMatches(store, {StreamId::Kind::kAgency, id}, positions, model);
  }
  for (const auto& [key, position] : model.event_ids()) {
    const auto& [agency, event_id] = key;
    absl::StatusOr<std::optional<v1::Event>> found =
        store.FindByEventId(agency, event_id);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(found->has_value()) << event_id;
    EXPECT_EQ((*found)->position(), position) << event_id;
  }
  absl::StatusOr<StoreStats> stats = store.Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->events, model.log().size());
  EXPECT_EQ(stats->cases, model.cases().size());
  EXPECT_EQ(stats->agencies, model.agencies().size());
}

// What a seed's requests did, to check that the sequence exercises every kind
// of answer.
struct Tally {
  int appended = 0;
  int duplicates = 0;
  int amendments = 0;
  int multi_event_accepted = 0;
  int multi_event_refused = 0;
  std::map<absl::StatusCode, int> refusals;
};

// Expects the store's answer `got` to a request to be the model's `want`.
void ExpectSameAnswer(absl::Span<const Cmd> request,
                      const absl::StatusOr<std::vector<AppendedEvent>>& got,
                      const Outcome& want) {
  if (want.code != absl::StatusCode::kOk) {
    ASSERT_EQ(got.status().code(), want.code)
        << "the model refuses event " << want.failed_index + 1 << " with "
        << absl::StatusCodeToString(want.code) << "; the store says "
        << got.status() << Describe(request);
    if (request.size() > 1) {
      EXPECT_THAT(got.status().message(),
                  HasSubstr(absl::StrCat("event ", want.failed_index + 1,
                                         " of ", request.size(), ":")));
    }
    return;
  }
  ASSERT_TRUE(got.ok()) << "the model accepts; the store says " << got.status()
                        << Describe(request);
  ASSERT_EQ(got->size(), want.appended.size());
  for (size_t i = 0; i < want.appended.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("event ", i + 1));
    EXPECT_EQ((*got)[i].outcome, want.appended[i].outcome) << Describe(request);
    EXPECT_EQ((*got)[i].position, want.appended[i].position);
    EXPECT_EQ((*got)[i].version, want.appended[i].version);
  }
}

// Sends `request` to the store and the model, expects the same answer and the
// same head, and counts the answer.
void Step(EventStore& store, Model& model, absl::Span<const Cmd> request,
          Tally& tally) {
  const absl::StatusOr<std::vector<AppendedEvent>> got =
      store.Append(ToEvents(request));
  const Outcome want = model.Apply(request);
  ASSERT_NO_FATAL_FAILURE(ExpectSameAnswer(request, got, want));
  EXPECT_EQ(store.HeadPosition(), model.log().size());
  if (want.code != absl::StatusCode::kOk) {
    ++tally.refusals[want.code];
    if (request.size() > 1) ++tally.multi_event_refused;
    return;
  }
  if (request.size() > 1) ++tally.multi_event_accepted;
  for (size_t i = 0; i < request.size(); ++i) {
    if (want.appended[i].outcome == AppendedEvent::Outcome::kDuplicate) {
      ++tally.duplicates;
    } else {
      ++tally.appended;
      if (request[i].kind == Kind::kAmended) ++tally.amendments;
    }
  }
}

void RunSeed(uint32_t seed, Tally& tally) {
  // Even seeds keep at most 2 case states in memory: most decisions then
  // replay the case from the log.
  Store s(seed % 2 == 0 ? 2 : 100000);
  ASSERT_NE(s.store, nullptr);
  Model model;
  Generator gen(seed);
  for (const char* agency : {"a1", "a2"}) {
    Cmd c;
    c.kind = Kind::kAgencyRegistered;
    c.agency_id = agency;
    c.date = "2019-01-01";
    ASSERT_NO_FATAL_FAILURE(Step(*s.store, model, {c}, tally));
  }
  for (int i = 0; i < kRequestsPerSeed; ++i) {
    SCOPED_TRACE(absl::StrCat("request ", i));
    const std::vector<Cmd> request = gen.NextRequest(model);
    const size_t before = model.log().size();
    ASSERT_NO_FATAL_FAILURE(Step(*s.store, model, request, tally));
    if (model.log().size() == before) gen.NoteRefused(request);
    if ((i + 1) % kReopenEvery == 0) {
      ASSERT_NO_FATAL_FAILURE(s.Reopen());
      ASSERT_NO_FATAL_FAILURE(ExpectStoreMatches(*s.store, model));
    }
  }
}

TEST(EventStorePropertyTest,
     StoreAgreesWithModelOnRandomRequestsAcrossReopens) {
  Tally tally;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RunSeed(seed, tally);
    if (HasFailure()) return;  // one seed's report is enough to debug
  }
  // The sequences must exercise every answer, or they test little.
  const int requests = kSeeds * kRequestsPerSeed;
  EXPECT_GT(tally.appended, requests * 2 / 5);
  EXPECT_GT(tally.duplicates, kSeeds * 5);
  EXPECT_GT(tally.amendments, kSeeds * 2);
  EXPECT_GT(tally.multi_event_accepted, kSeeds * 2);
  EXPECT_GT(tally.multi_event_refused, kSeeds * 2);
  for (const absl::StatusCode code :
       {absl::StatusCode::kInvalidArgument, absl::StatusCode::kNotFound,
        absl::StatusCode::kAlreadyExists, absl::StatusCode::kFailedPrecondition,
        absl::StatusCode::kAborted}) {
    EXPECT_GT(tally.refusals[code], kSeeds * 2) << code;
  }
}

}  // namespace
}  // namespace ogi
