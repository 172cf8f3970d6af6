// The three decoders of a case step and the compact encoding; see
// case_step_codec.h.
#include "engine/case_step_codec.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "engine/compact_case.h"
#include "proto/case_events.pb.h"

namespace ogi {
namespace {

// Every field the wire decoder reads must be one the wire reader keeps: a
// higher number would silently read as absent.
constexpr int kWireFields[] = {
    v1::Received::kApplicantFieldNumber,
    v1::Received::kChannelFieldNumber,
    v1::Received::kItemsFieldNumber,
    v1::Applicant::kCategoryFieldNumber,
    v1::CorrectionRequested::kDueOnFieldNumber,
    v1::ConsultationStarted::kPartyFieldNumber,
    v1::ConsultationStarted::kConsultationIdFieldNumber,
    v1::ConsultationEnded::kOpinionFieldNumber,
    v1::ConsultationEnded::kConsultationIdFieldNumber,
    v1::AppealFiled::kKindFieldNumber,
    v1::AppealFiled::kAppealIdFieldNumber,
    v1::AppealDecided::kResultFieldNumber,
    v1::AppealDecided::kAppealIdFieldNumber,
    v1::Extended::kWorkingDaysFieldNumber,
    v1::Extended::kApprovedByFieldNumber,
    v1::DelayFixed::kDueOnFieldNumber,
    v1::Reviewed::kDecisionFieldNumber,
    v1::FeeNoticed::kMethodFieldNumber,
    v1::FeeNoticed::kAmountFenFieldNumber,
    v1::FeeNoticed::kPagesFieldNumber,
    v1::FeePaid::kAmountFenFieldNumber,
    v1::Answered::kOutcomeFieldNumber,
    v1::Reanswered::kOutcomeFieldNumber,
};
constexpr bool AllKept() {
  for (int field : kWireFields) {
    if (field < 1 || field > PayloadFields::kMaxField) return false;
  }
  return true;
}
static_assert(
    AllKept(),
    "a field CaseChangeOfView reads is above PayloadFields::kMaxField;"
    " raise kMaxField");

// The step's date; 1970-01-01 (day 0) if it does not parse, which validation
// rules out before anything is stored.
void SetOn(CaseStep& step, absl::string_view text) {
  step.on_day = ParseEpochDay(text).value_or(0);
}

void SetDue(CaseStep& step, absl::string_view text) {
  if (text.empty()) return;
  const std::optional<int32_t> day = ParseEpochDay(text);
  if (!day) return;
  step.due_day = *day;
  step.has_due = true;
}

}  // namespace

CaseStep StepOf(const v1::Event& e) {
  CaseStep s;
  s.payload = e.payload_case();
  SetOn(s, e.occurred_on());
  switch (s.payload) {
    case v1::Event::kReceived:
      s.code = e.received().applicant().category();
      s.channel = e.received().channel();
      s.amount = e.received().items();
      break;
    case v1::Event::kCorrectionRequested:
      SetDue(s, e.correction_requested().due_on());
      break;
    case v1::Event::kConsultationStarted:
      s.code = e.consultation_started().party();
      s.ref = e.consultation_started().consultation_id();
      break;
    case v1::Event::kConsultationEnded:
      s.code = e.consultation_ended().opinion();
      s.ref = e.consultation_ended().consultation_id();
      break;
    case v1::Event::kExtended:
      s.amount = e.extended().working_days();
      s.code = e.extended().approved_by().empty() ? 0 : 1;  // approved?
      break;
    case v1::Event::kDelayFixed:
      SetDue(s, e.delay_fixed().due_on());
      break;
    case v1::Event::kReviewed:
      s.code = e.reviewed().decision();
      break;
    case v1::Event::kFeeNoticed:
      s.code = e.fee_noticed().method();
      s.amount = e.fee_noticed().amount_fen();
      s.set_pages(e.fee_noticed().pages());
      break;
    case v1::Event::kFeePaid:
      s.amount = e.fee_paid().amount_fen();
      break;
    case v1::Event::kAnswered:
      s.code = e.answered().outcome();
      break;
    case v1::Event::kReanswered:
      s.code = e.reanswered().outcome();
      break;
    case v1::Event::kAppealFiled:
      s.code = e.appeal_filed().kind();
      s.ref = e.appeal_filed().appeal_id();
      break;
    case v1::Event::kAppealDecided:
      s.code = e.appeal_decided().result();
      s.ref = e.appeal_decided().appeal_id();
      break;
    case v1::Event::kAmended:
      s.amount = e.amended().version();
      break;
    default:
      break;
  }
  return s;
}

namespace {

// Reads a payload's fields as StepOf reads them from a parsed event, and
// notes when one is not of the wire type a full parse would read it with.
class FieldReader {
 public:
  explicit FieldReader(const PayloadFields& fields) : fields_(fields) {}

  bool ok() const { return ok_; }
  int32_t Int32(int field) { return static_cast<int32_t>(Varint(field)); }
  int64_t Int64(int field) { return static_cast<int64_t>(Varint(field)); }
  // A string field whose value is used: ASCII, or left to the full parse
  // (which checks UTF-8).
  absl::string_view Text(int field) {
    const absl::string_view bytes = Bytes(field);
    if (!IsAscii(bytes)) ok_ = false;
    return bytes;
  }
  // A string field of which only emptiness is used, or a message field.
  absl::string_view Bytes(int field) {
    switch (fields_.type[field]) {
      case PayloadFields::Type::kAbsent:
        return absl::string_view();
      case PayloadFields::Type::kBytes:
        return fields_.bytes[field];
      default:
        ok_ = false;
        return absl::string_view();
    }
  }

 private:
  uint64_t Varint(int field) {
    switch (fields_.type[field]) {
      case PayloadFields::Type::kAbsent:
        return 0;
      case PayloadFields::Type::kVarint:
        return fields_.varint[field];
      default:
        ok_ = false;
        return 0;
    }
  }

  const PayloadFields& fields_;
  bool ok_ = true;
};

}  // namespace

std::optional<CaseChange> CaseChangeOfView(const EventView& view) {
  if (view.payload == v1::Event::kAmended || !IsCasePayload(view.payload))
    return std::nullopt;
  PayloadFields fields;
  if (!ReadPayloadFields(view.payload_bytes, fields)) return std::nullopt;
  FieldReader f(fields);
  CaseStep s;
  s.payload = view.payload;
  SetOn(s, view.occurred_on);
  // The same fields, in the same order, as StepOf.
  switch (s.payload) {
    case v1::Event::kReceived: {
      PayloadFields applicant;
      if (!ReadPayloadFields(f.Bytes(v1::Received::kApplicantFieldNumber),
                             applicant))
        return std::nullopt;
      FieldReader a(applicant);
      s.code = a.Int32(v1::Applicant::kCategoryFieldNumber);
      if (!a.ok()) return std::nullopt;
      s.channel = f.Int32(v1::Received::kChannelFieldNumber);
      s.amount = f.Int32(v1::Received::kItemsFieldNumber);
      break;
    }
    case v1::Event::kCorrectionRequested:
      SetDue(s, f.Text(v1::CorrectionRequested::kDueOnFieldNumber));
      break;
    case v1::Event::kConsultationStarted:
      s.code = f.Int32(v1::ConsultationStarted::kPartyFieldNumber);
      s.ref = std::string(
          f.Text(v1::ConsultationStarted::kConsultationIdFieldNumber));
      break;
    case v1::Event::kConsultationEnded:
      s.code = f.Int32(v1::ConsultationEnded::kOpinionFieldNumber);
      s.ref = std::string(
          f.Text(v1::ConsultationEnded::kConsultationIdFieldNumber));
      break;
    case v1::Event::kAppealFiled:
      s.code = f.Int32(v1::AppealFiled::kKindFieldNumber);
      s.ref = std::string(f.Text(v1::AppealFiled::kAppealIdFieldNumber));
      break;
    case v1::Event::kAppealDecided:
      s.code = f.Int32(v1::AppealDecided::kResultFieldNumber);
      s.ref = std::string(f.Text(v1::AppealDecided::kAppealIdFieldNumber));
      break;
    case v1::Event::kExtended:
      s.amount = f.Int32(v1::Extended::kWorkingDaysFieldNumber);
      s.code = f.Bytes(v1::Extended::kApprovedByFieldNumber).empty() ? 0 : 1;
      break;
    case v1::Event::kDelayFixed:
      SetDue(s, f.Text(v1::DelayFixed::kDueOnFieldNumber));
      break;
    case v1::Event::kReviewed:
      s.code = f.Int32(v1::Reviewed::kDecisionFieldNumber);
      break;
    case v1::Event::kFeeNoticed:
      s.code = f.Int32(v1::FeeNoticed::kMethodFieldNumber);
      s.amount = f.Int64(v1::FeeNoticed::kAmountFenFieldNumber);
      s.set_pages(f.Int32(v1::FeeNoticed::kPagesFieldNumber));
      break;
    case v1::Event::kFeePaid:
      s.amount = f.Int64(v1::FeePaid::kAmountFenFieldNumber);
      break;
    case v1::Event::kAnswered:
      s.code = f.Int32(v1::Answered::kOutcomeFieldNumber);
      break;
    case v1::Event::kReanswered:
      s.code = f.Int32(v1::Reanswered::kOutcomeFieldNumber);
      break;
    default:
      break;
  }
  if (!f.ok()) return std::nullopt;
  return CaseChange{std::move(s), std::nullopt, false};
}

namespace {

enum StepFlag : uint8_t {
  kHasDue = 1,
  kRef = 2,
  kAmount = 4,
  kDueDay = 8,
  kCode = 16,
  kChannel = 32,
};

}  // namespace

void AppendSigned(std::string& out, int64_t v) {
  AppendVarint(
      out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

int64_t ReadSigned(const char*& p) {
  const uint64_t v = ReadVarint(p);
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t ReadVarint(const char*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return v;
  }
}

void AppendLengthPrefixed(std::string& out, absl::string_view s) {
  AppendVarint(out, s.size());
  out.append(s.data(), s.size());
}

absl::string_view ReadLengthPrefixed(const char*& p) {
  const size_t size = ReadVarint(p);
  absl::string_view s(p, size);
  p += size;
  return s;
}

void AppendCompactStep(std::string& out, const CaseStep& step) {
  const uint8_t flags =
      (step.has_due ? kHasDue : 0) | (step.ref.empty() ? 0 : kRef) |
      (step.amount != 0 ? kAmount : 0) | (step.due_day != 0 ? kDueDay : 0) |
      (step.code != 0 ? kCode : 0) | (step.channel != 0 ? kChannel : 0);
  out.push_back(static_cast<char>(flags));
  AppendVarint(out, static_cast<uint64_t>(step.payload));
  AppendSigned(out, step.on_day);
  if (flags & kAmount) AppendSigned(out, step.amount);
  if (flags & kDueDay) AppendSigned(out, step.due_day);
  if (flags & kCode) AppendSigned(out, step.code);
  if (flags & kChannel) AppendSigned(out, step.channel);
  if (flags & kRef) AppendLengthPrefixed(out, step.ref);
}

CaseStep ReadCompactStep(const char*& p) {
  CaseStep step;
  const auto flags = static_cast<uint8_t>(*p++);
  step.has_due = (flags & kHasDue) != 0;
  step.payload = static_cast<PayloadCase>(ReadVarint(p));
  step.on_day = static_cast<int32_t>(ReadSigned(p));
  if (flags & kAmount) step.amount = ReadSigned(p);
  if (flags & kDueDay) step.due_day = static_cast<int32_t>(ReadSigned(p));
  if (flags & kCode) step.code = static_cast<int16_t>(ReadSigned(p));
  if (flags & kChannel) step.channel = static_cast<int8_t>(ReadSigned(p));
  if (flags & kRef) step.ref = std::string(ReadLengthPrefixed(p));
  return step;
}

std::string DumpStep(const CaseStep& step) {
  std::string out = absl::StrCat(PayloadName(step.payload), " on ",
                                 FormatCivilDay(step.on()));
  if (step.has_due) absl::StrAppend(&out, " due ", FormatCivilDay(step.due()));
  if (step.due_day != 0 && !step.has_due)
    absl::StrAppend(&out, " pages ", step.pages());
  if (step.code != 0) absl::StrAppend(&out, " code ", step.code);
  if (step.channel != 0) absl::StrAppend(&out, " channel ", step.channel);
  if (step.amount != 0) absl::StrAppend(&out, " amount ", step.amount);
  if (!step.ref.empty()) absl::StrAppend(&out, " ref ", step.ref);
  return out;
}

void AppendCase(std::string& out, absl::string_view id,
                const CaseState& state) {
  // One step spare: a case held this way often gets one more (archived).
  out.reserve(out.size() + id.size() + state.agency_id.size() + 3 +
              8 * (state.steps.size() + 1));
  AppendLengthPrefixed(out, id);
  AppendLengthPrefixed(out, state.agency_id);
  CaseState folded;
  for (const CaseStep& step : state.steps) {
    ApplyCaseChange(folded, CaseChange{step, std::nullopt, false},
                    state.agency_id);
  }
  AppendSigned(out, state.floor_on - folded.floor_on);
  for (const CaseStep& step : state.steps) AppendCompactStep(out, step);
}

CaseState DecodeCase(absl::string_view encoded) {
  const char* p = encoded.data();
  const char* const end = p + encoded.size();
  (void)ReadLengthPrefixed(p);  // the id
  const std::string agency(ReadLengthPrefixed(p));
  const int64_t floor_delta = ReadSigned(p);
  CaseState state;
  while (p < end)
    ApplyCaseChange(state, CaseChange{ReadCompactStep(p), std::nullopt, false},
                    agency);
  state.floor_on += floor_delta;
  return state;
}

}  // namespace ogi
