// Shape rules of events; see validate.h. The rules follow
// docs/EVENTS.md; where the spec does not say whether a field is
// required, docs/EVENTS.md records the choice made here.
#include "engine/validate.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/message.h"

#include "engine/civil_date.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

// A field as a message names it: its path ("received.applicant.category"),
// in Chinese after its term ("申请人类型（received.applicant.category）"). The
// term is looked up without the payload's name.
std::string FieldShown(absl::string_view path) {
  absl::string_view key = path;
  absl::ConsumePrefix(&key, "amended.");
  const size_t dot = key.find('.');
  if (dot != absl::string_view::npos && !HasTerm(key))
    key.remove_prefix(dot + 1);
  const absl::string_view term = Term(key);
  if (term == key) return std::string(path);
  return absl::StrCat(term, "（", path, "）");
}

// Collects the stream label so every message of one event starts the same way.
class Checker {
 public:
  Checker(const v1::Event& event, absl::CivilDay recording_day)
      : label_(StreamLabel(event)), recording_day_(recording_day) {}

  // A partial amendment: only the fields under `prefix` + one of `paths` are
  // checked; the others keep the corrected event's (valid) values.
  void OnlyPaths(std::string prefix, std::vector<std::string> paths) {
    only_prefix_ = std::move(prefix);
    only_paths_ = std::move(paths);
  }

  absl::Status Error(absl::string_view field, absl::string_view what) const {
    if (!only_paths_.empty() && !Checked(field)) return absl::OkStatus();
    return absl::InvalidArgumentError(
        Text(Msg::kFieldInvalid, label_, FieldShown(field), what));
  }

  absl::Status Required(absl::string_view field, bool present) const {
    return present ? absl::OkStatus() : Error(field, Text(Msg::kFieldRequired));
  }

  absl::Status Id(absl::string_view field, absl::string_view value,
                  size_t max_length) const {
    if (value.empty()) return Error(field, Text(Msg::kFieldRequired));
    if (value.size() > max_length)
      return Error(field, Text(Msg::kFieldTooLong, max_length));
    for (const char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return Error(field, Text(Msg::kFieldControlCharacter));
    }
    return absl::OkStatus();
  }

  absl::Status StreamId(absl::string_view field,
                        absl::string_view value) const {
    if (value.empty()) return Error(field, Text(Msg::kFieldRequired));
    if (value.size() > kMaxStreamIdLength) {
      return Error(field, Text(Msg::kFieldTooLong, kMaxStreamIdLength));
    }
    for (const char c : value) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
          c != '_' && c != ':' && c != '/' && c != '-') {
        return Error(field, Text(Msg::kFieldIdCharacters));
      }
    }
    return absl::OkStatus();
  }

  // Checks an optional date; `required` makes an empty one an error.
  absl::Status Date(absl::string_view field, absl::string_view value,
                    bool required) const {
    if (value.empty())
      return required ? Error(field, Text(Msg::kFieldRequired))
                      : absl::OkStatus();
    auto day = ParseCivilDay(value);
    if (!day.ok()) return Error(field, day.status().message());
    return absl::OkStatus();
  }

  absl::Status NotAfterRecording(absl::string_view field,
                                 absl::string_view value) const {
    auto day = ParseCivilDay(value);
    if (day.ok() && *day > recording_day_) {
      return Error(field, Text(Msg::kFieldAfterRecording, value,
                               FormatCivilDay(recording_day_)));
    }
    return absl::OkStatus();
  }

  // Checks an enum field. The JSON codec refuses unknown names, but a producer
  // that builds the proto directly can set any number, and an unknown one must
  // not reach the reports. `required` refuses 0 (unspecified).
  absl::Status Enum(absl::string_view field, int value, bool (*is_valid)(int),
                    bool required) const {
    if (value == 0)
      return required ? Error(field, Text(Msg::kFieldRequired))
                      : absl::OkStatus();
    if (!is_valid(value))
      return Error(field, Text(Msg::kFieldUnknownValue, value));
    return absl::OkStatus();
  }

  // Checks 0 <= value <= max: every amount and count has a documented
  // maximum (validate.h), so no sum of them over a year can wrap.
  absl::Status InRange(absl::string_view field, int64_t value,
                       int64_t max) const {
    if (value < 0) return Error(field, Text(Msg::kFieldNegative));
    if (value > max) return Error(field, Text(Msg::kFieldAtMost, max));
    return absl::OkStatus();
  }

 private:
  // Whether `field` is, contains or lies within one of only_paths_.
  bool Checked(absl::string_view field) const {
    if (!absl::ConsumePrefix(&field, only_prefix_)) return true;
    for (const std::string& p : only_paths_) {
      const absl::string_view a = field, b = p;
      const absl::string_view shorter = a.size() < b.size() ? a : b;
      const absl::string_view longer = a.size() < b.size() ? b : a;
      if (absl::StartsWith(longer, shorter) &&
          (longer.size() == shorter.size() || longer[shorter.size()] == '.'))
        return true;
    }
    return false;
  }

  std::string label_;
  absl::CivilDay recording_day_;
  std::string only_prefix_;
  std::vector<std::string> only_paths_;
};

absl::Status ValidateCasePayload(const Checker& c, absl::string_view p,
                                 const v1::Event& e) {
  auto f = [&](absl::string_view field) { return absl::StrCat(p, ".", field); };
  switch (e.payload_case()) {
    case v1::Event::kReceived: {
      const auto& r = e.received();
      OGI_RETURN_IF_ERROR(c.Required(f("applicant"), r.has_applicant()));
      const v1::Applicant& a = r.applicant();
      if (!a.sealed().empty()) {
        return c.Error(f("applicant.sealed"),
                       "is set by the engine, not by producers");
      }
      if (a.personal_data_erased() &&
          (!a.name().empty() || !a.id_number().empty() ||
           !a.contact().empty())) {
        return c.Error(f("applicant.personalDataErased"),
                       "cannot come with a name, idNumber or contact");
      }
      OGI_RETURN_IF_ERROR(c.Enum(f("applicant.category"),
                                 r.applicant().category(),
                                 v1::Applicant::Category_IsValid,
                                 /*required=*/true));
      OGI_RETURN_IF_ERROR(c.Enum(f("channel"), r.channel(),
                                 v1::Received::Channel_IsValid,
                                 /*required=*/false));
      return c.InRange(f("items"), r.items(), kMaxItems);
    }
    case v1::Event::kCorrectionRequested:
      return c.Date(f("dueOn"), e.correction_requested().due_on(),
                    /*required=*/false);
    case v1::Event::kCorrectionReceived:
      return absl::OkStatus();
    case v1::Event::kConsultationStarted:
      OGI_RETURN_IF_ERROR(c.Id(f("consultationId"),
                               e.consultation_started().consultation_id(),
                               kMaxEventIdLength));
      return c.Enum(f("party"), e.consultation_started().party(),
                    v1::ConsultationStarted::Party_IsValid,
                    /*required=*/false);
    case v1::Event::kConsultationEnded:
      OGI_RETURN_IF_ERROR(c.Id(f("consultationId"),
                               e.consultation_ended().consultation_id(),
                               kMaxEventIdLength));
      return c.Enum(f("opinion"), e.consultation_ended().opinion(),
                    v1::ConsultationEnded::Opinion_IsValid,
                    /*required=*/false);
    case v1::Event::kExtended: {
      const int days = e.extended().working_days();
      if (days < 1 || days > kMaxExtensionWorkingDays) {
        return c.Error(f("workingDays"),
                       absl::StrCat("must be 1 to ", kMaxExtensionWorkingDays));
      }
      return absl::OkStatus();
    }
    case v1::Event::kDelayFixed:
      return c.Date(f("dueOn"), e.delay_fixed().due_on(), /*required=*/true);
    case v1::Event::kReviewed:
      return c.Enum(f("decision"), e.reviewed().decision(),
                    v1::Reviewed::Decision_IsValid, /*required=*/true);
    case v1::Event::kFeeNoticed: {
      const auto& n = e.fee_noticed();
      OGI_RETURN_IF_ERROR(c.Enum(f("method"), n.method(),
                                 v1::FeeNoticed::Method_IsValid,
                                 /*required=*/true));
      OGI_RETURN_IF_ERROR(
          c.InRange(f("amountFen"), n.amount_fen(), kMaxAmountFen));
      OGI_RETURN_IF_ERROR(c.InRange(f("pages"), n.pages(), kMaxPages));
      if (n.method() == v1::FeeNoticed::PER_PAGE && n.pages() < 1) {
        return c.Error(f("pages"),
                       "is required (at least 1) for method PER_PAGE");
      }
      return absl::OkStatus();
    }
    case v1::Event::kFeePaid:
      return c.InRange(f("amountFen"), e.fee_paid().amount_fen(),
                       kMaxAmountFen);
    case v1::Event::kAnswered:
      return c.Enum(f("outcome"), e.answered().outcome(),
                    v1::Answered::Outcome_IsValid, /*required=*/true);
    case v1::Event::kWithdrawn:
      return absl::OkStatus();
    case v1::Event::kReanswered:
      return c.Enum(f("outcome"), e.reanswered().outcome(),
                    v1::Answered::Outcome_IsValid, /*required=*/true);
    case v1::Event::kArchived:
    case v1::Event::kPersonalDataErased:
      return absl::OkStatus();
    case v1::Event::kAppealFiled:
      OGI_RETURN_IF_ERROR(
          c.Id(f("appealId"), e.appeal_filed().appeal_id(), kMaxEventIdLength));
      return c.Enum(f("kind"), e.appeal_filed().kind(),
                    v1::AppealFiled::Kind_IsValid, /*required=*/true);
    case v1::Event::kAppealDecided:
      OGI_RETURN_IF_ERROR(c.Id(f("appealId"), e.appeal_decided().appeal_id(),
                               kMaxEventIdLength));
      return c.Enum(f("result"), e.appeal_decided().result(),
                    v1::AppealDecided::Result_IsValid, /*required=*/true);
    default:
      return c.Error(p, "is not a case payload");
  }
}

// Returns the JSON path of the first message within `message` that carries
// fields this build does not know (a binary producer's newer or mistaken
// field numbers), or nullopt. JSON refuses such fields when it parses; a
// binary event must not store what export would not show and erasure could
// not reach.
std::optional<std::string> UnknownFieldPath(
    const google::protobuf::Message& message, const std::string& path) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty())
    return path.empty() ? std::string("(the event)") : path;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE)
      continue;
    const std::string sub = path.empty()
                                ? field->json_name()
                                : absl::StrCat(path, ".", field->json_name());
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        std::optional<std::string> found =
            UnknownFieldPath(reflection->GetRepeatedMessage(message, field, i),
                             absl::StrCat(sub, "[", i, "]"));
        if (found) return found;
      }
    } else {
      std::optional<std::string> found =
          UnknownFieldPath(reflection->GetMessage(message, field), sub);
      if (found) return found;
    }
  }
  return std::nullopt;
}

absl::Status ValidateAgencyPayload(const Checker& c, const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kAgencyRegistered: {
      const auto& r = e.agency_registered();
      OGI_RETURN_IF_ERROR(
          c.Required("agencyRegistered.name", !r.name().empty()));
      if (r.parent_id().empty()) return absl::OkStatus();
      OGI_RETURN_IF_ERROR(
          c.StreamId("agencyRegistered.parentId", r.parent_id()));
      if (r.parent_id() == e.agency_id())
        return c.Error("agencyRegistered.parentId", "names the agency itself");
      return absl::OkStatus();
    }
    case v1::Event::kAgencyRenamed:
      return c.Required("agencyRenamed.name",
                        !e.agency_renamed().name().empty());
    case v1::Event::kDocumentIssued: {
      const auto& d = e.document_issued();
      OGI_RETURN_IF_ERROR(c.Id("documentIssued.documentId", d.document_id(),
                               kMaxEventIdLength));
      OGI_RETURN_IF_ERROR(c.Enum("documentIssued.kind", d.kind(),
                                 v1::DocumentIssued::Kind_IsValid,
                                 /*required=*/true));
      return c.Date("documentIssued.validUntil", d.valid_until(),
                    /*required=*/false);
    }
    case v1::Event::kDocumentRepealed:
      return c.Id("documentRepealed.documentId",
                  e.document_repealed().document_id(), kMaxEventIdLength);
    case v1::Event::kDocumentExpired:
      return c.Id("documentExpired.documentId",
                  e.document_expired().document_id(), kMaxEventIdLength);
    case v1::Event::kDecisionsRecorded:
      OGI_RETURN_IF_ERROR(
          c.Enum("decisionsRecorded.kind", e.decisions_recorded().kind(),
                 v1::DecisionsRecorded::Kind_IsValid, /*required=*/true));
      return c.InRange("decisionsRecorded.count",
                       e.decisions_recorded().count(), kMaxDecisionCount);
    case v1::Event::kFeesCollected:
      return c.InRange("feesCollected.amountFen",
                       e.fees_collected().amount_fen(), kMaxAmountFen);
    case v1::Event::kNarrativeSet: {
      const auto& n = e.narrative_set();
      if (n.year() < 1000 || n.year() > 9999)
        return c.Error("narrativeSet.year", "must be a year such as 2023");
      OGI_RETURN_IF_ERROR(c.Enum("narrativeSet.section", n.section(),
                                 v1::NarrativeSet::Section_IsValid,
                                 /*required=*/true));
      return c.Required("narrativeSet.text", !n.text().empty());
    }
    default:
      return c.Error(PayloadName(e.payload_case()), "is not an agency payload");
  }
}

}  // namespace

std::string StreamLabel(const v1::Event& event) {
  if (IsAgencyPayload(event.payload_case()) || event.case_id().empty()) {
    return Text(Msg::kStreamAgency, event.agency_id().empty()
                                        ? Text(Msg::kStreamNone)
                                        : event.agency_id());
  }
  return Text(Msg::kStreamCase, event.case_id());
}

absl::Status ValidateStreamId(absl::string_view field, absl::string_view id) {
  v1::Event unnamed;
  return Checker(unnamed, absl::CivilDay()).StreamId(field, id);
}

absl::Status ValidateEvent(const v1::Event& event,
                           absl::CivilDay recording_day) {
  const Checker c(event, recording_day);
  const PayloadCase payload = event.payload_case();
  if (payload == v1::Event::PAYLOAD_NOT_SET) {
    return c.Error("payload",
                   "is missing: give exactly one payload such as 'received'");
  }
  if (std::optional<std::string> unknown = UnknownFieldPath(event, "")) {
    return c.Error(*unknown,
                   "has fields this version does not know (unknown field "
                   "numbers are refused, as unknown JSON names are)");
  }
  if (event.has_recorded_at() || event.version() != 0 ||
      event.position() != 0) {
    return c.Error("recordedAt/version/position",
                   "is set by the engine, not by producers");
  }
  if (!event.event_id().empty())
    OGI_RETURN_IF_ERROR(c.Id("eventId", event.event_id(), kMaxEventIdLength));
  if (event.actor().size() > kMaxActorLength) {
    return c.Error("actor", absl::StrCat("is longer than ", kMaxActorLength,
                                         " characters"));
  }
  OGI_RETURN_IF_ERROR(
      c.Date("occurredOn", event.occurred_on(), /*required=*/true));
  OGI_RETURN_IF_ERROR(c.NotAfterRecording("occurredOn", event.occurred_on()));

  if (IsAgencyPayload(payload)) {
    OGI_RETURN_IF_ERROR(c.StreamId("agencyId", event.agency_id()));
    if (!event.case_id().empty())
      return c.Error("caseId", "must not be given on an agency event");
    if (event.has_expected_version() &&
        payload == v1::Event::kAgencyRegistered &&
        event.expected_version() != 0) {
      return c.Error("expectedVersion", "must be 0 on agencyRegistered");
    }
    return ValidateAgencyPayload(c, event);
  }

  OGI_RETURN_IF_ERROR(c.StreamId("caseId", event.case_id()));
  if (payload == v1::Event::kReceived || !event.agency_id().empty()) {
    OGI_RETURN_IF_ERROR(c.StreamId("agencyId", event.agency_id()));
  }
  if (payload != v1::Event::kAmended)
    return ValidateCasePayload(c, PayloadName(payload), event);

  const auto& amended = event.amended();
  if (amended.version() < 1)
    return c.Error("amended.version",
                   "is required (the version of the event corrected)");
  OGI_RETURN_IF_ERROR(c.Required("amended.reason", !amended.reason().empty()));
  if (amended.replacement_case() == v1::Amended::REPLACEMENT_NOT_SET) {
    return c.Error("amended",
                   "needs a replacement payload of the corrected event's type, "
                   "e.g. 'received'");
  }
  OGI_RETURN_IF_ERROR(
      c.Date("amended.occurredOn", amended.occurred_on(), /*required=*/false));
  OGI_RETURN_IF_ERROR(
      c.NotAfterRecording("amended.occurredOn", amended.occurred_on()));
  const v1::Event replacement = AmendmentReplacement(event);
  const std::string prefix =
      absl::StrCat("amended.", PayloadName(replacement.payload_case()));
  absl::StatusOr<std::vector<std::string>> paths = AmendmentFields(event);
  if (!paths.ok()) {
    return absl::InvalidArgumentError(
        Text(Msg::kLabeled, StreamLabel(event), paths.status().message()));
  }
  if (paths->empty()) return ValidateCasePayload(c, prefix, replacement);
  Checker partial = c;
  partial.OnlyPaths(absl::StrCat(prefix, "."), *std::move(paths));
  return ValidateCasePayload(partial, prefix, replacement);
}

}  // namespace ogi
