// The payload table; see payload.h.
#include "engine/payload.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"

#include "engine/messages.h"

namespace ogi {
namespace {

struct PayloadInfo {
  PayloadCase payload;
  absl::string_view name;
  absl::string_view zh;
  absl::string_view en;
};

constexpr PayloadInfo kPayloads[] = {
    {v1::Event::kReceived, "received", "收到申请", "application received"},
    {v1::Event::kCorrectionRequested, "correctionRequested", "补正告知",
     "correction requested"},
    {v1::Event::kCorrectionReceived, "correctionReceived", "收到补正",
     "correction received"},
    {v1::Event::kConsultationStarted, "consultationStarted", "征求意见",
     "consultation started"},
    {v1::Event::kConsultationEnded, "consultationEnded", "征求意见结束",
     "consultation ended"},
    {v1::Event::kExtended, "extended", "延长答复期限",
     "answer period extended"},
    {v1::Event::kDelayFixed, "delayFixed", "确定合理答复期限",
     "later due date fixed"},
    {v1::Event::kReviewed, "reviewed", "审核", "reviewed"},
    {v1::Event::kFeeNoticed, "feeNoticed", "收费通知", "fee notice sent"},
    {v1::Event::kFeePaid, "feePaid", "缴纳费用", "fee paid"},
    {v1::Event::kAnswered, "answered", "答复", "answered"},
    {v1::Event::kWithdrawn, "withdrawn", "撤回申请", "withdrawn"},
    {v1::Event::kReanswered, "reanswered", "重新答复", "answered again"},
    {v1::Event::kArchived, "archived", "归档", "archived"},
    {v1::Event::kAppealFiled, "appealFiled", "提起复议或诉讼", "appeal filed"},
    {v1::Event::kAppealDecided, "appealDecided", "复议或诉讼结果",
     "appeal decided"},
    {v1::Event::kAmended, "amended", "更正记录", "record amended"},
    {v1::Event::kPersonalDataErased, "personalDataErased", "删除个人信息",
     "personal data erased"},
    {v1::Event::kAgencyRegistered, "agencyRegistered", "登记机关",
     "agency registered"},
    {v1::Event::kAgencyRenamed, "agencyRenamed", "机关更名", "agency renamed"},
    {v1::Event::kDocumentIssued, "documentIssued", "制发文件",
     "document issued"},
    {v1::Event::kDocumentRepealed, "documentRepealed", "废止文件",
     "document repealed"},
    {v1::Event::kDocumentExpired, "documentExpired", "文件失效",
     "document expired"},
    {v1::Event::kDecisionsRecorded, "decisionsRecorded", "登记处理决定数量",
     "decisions recorded"},
    {v1::Event::kFeesCollected, "feesCollected", "登记行政事业性收费",
     "fees collected"},
    {v1::Event::kNarrativeSet, "narrativeSet", "年度报告文字",
     "report text set"},
};

const PayloadInfo* Find(PayloadCase payload) {
  for (const PayloadInfo& info : kPayloads) {
    if (info.payload == payload) return &info;
  }
  return nullptr;
}

}  // namespace

bool IsCasePayload(PayloadCase payload) {
  return payload >= v1::Event::kReceived &&
         payload <= v1::Event::kPersonalDataErased;
}

bool IsAgencyPayload(PayloadCase payload) {
  return payload >= v1::Event::kAgencyRegistered &&
         payload <= v1::Event::kNarrativeSet;
}

absl::string_view PayloadName(PayloadCase payload) {
  const PayloadInfo* info = Find(payload);
  return info == nullptr ? "none" : info->name;
}

absl::string_view PayloadLabelZh(PayloadCase payload) {
  const PayloadInfo* info = Find(payload);
  return info == nullptr ? "未知" : info->zh;
}

absl::string_view PayloadLabelEn(PayloadCase payload) {
  const PayloadInfo* info = Find(payload);
  return info == nullptr ? "unknown" : info->en;
}

namespace {

void MaskApplicant(v1::Applicant& applicant) {
  constexpr absl::string_view kMask = "***";
  if (!applicant.name().empty()) applicant.set_name(std::string(kMask));
  if (!applicant.id_number().empty())
    applicant.set_id_number(std::string(kMask));
  if (!applicant.contact().empty()) applicant.set_contact(std::string(kMask));
}

}  // namespace

void MaskPersonalData(v1::Event& event) {
  if (event.has_received() && event.received().has_applicant()) {
    MaskApplicant(*event.mutable_received()->mutable_applicant());
  }
  if (event.has_amended() && event.amended().has_received() &&
      event.amended().received().has_applicant()) {
    MaskApplicant(
        *event.mutable_amended()->mutable_received()->mutable_applicant());
  }
}

v1::Event AmendmentReplacement(const v1::Event& amended_event) {
  v1::Event out;
  out.set_case_id(amended_event.case_id());
  out.set_agency_id(amended_event.agency_id());
  const v1::Amended& amended = amended_event.amended();
  out.set_occurred_on(amended.occurred_on());
  const auto* reflection = amended.GetReflection();
  const auto* field = reflection->GetOneofFieldDescriptor(
      amended, amended.GetDescriptor()->oneof_decl(0));
  if (field != nullptr) {
    // Amended.replacement uses the envelope's field numbers (event.proto), so
    // the payload maps across by number.
    const auto* target =
        v1::Event::descriptor()->FindFieldByNumber(field->number());
    out.GetReflection()
        ->MutableMessage(&out, target)
        ->CopyFrom(reflection->GetMessage(amended, field));
  }
  return out;
}

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Returns the fields along `path` from `descriptor` (each name lowerCamelCase
// or snake_case), or an empty chain if a name is unknown or a non-last field
// is not a singular message.
std::vector<const FieldDescriptor*> ResolvePath(const Descriptor* descriptor,
                                                absl::string_view path) {
  std::vector<const FieldDescriptor*> chain;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (descriptor == nullptr) return {};
    const FieldDescriptor* field =
        descriptor->FindFieldByCamelcaseName(std::string(name));
    if (field == nullptr)
      field = descriptor->FindFieldByName(std::string(name));
    if (field == nullptr) return {};
    chain.push_back(field);
    descriptor = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                         !field->is_repeated()
                     ? field->message_type()
                     : nullptr;
  }
  return chain;
}

// The paths of amended.fields ("a.b,c" -> {"a.b", "c"}).
std::vector<std::string> FieldPaths(const v1::Amended& amended) {
  if (amended.fields().empty()) return {};
  return absl::StrSplit(amended.fields(), ',');
}

// The replacement payload's message inside Amended.
const Message* ReplacementPayload(const v1::Amended& amended) {
  const auto* field = amended.GetReflection()->GetOneofFieldDescriptor(
      amended, amended.GetDescriptor()->oneof_decl(0));
  return field == nullptr
             ? nullptr
             : &amended.GetReflection()->GetMessage(amended, field);
}

// Makes the field at `chain` of `to` equal to that of `from` (same type).
void CopyPath(const Message& from, Message& to,
              absl::Span<const FieldDescriptor* const> chain) {
  const FieldDescriptor* field = chain.front();
  const auto* from_r = from.GetReflection();
  const auto* to_r = to.GetReflection();
  if (chain.size() > 1) {
    CopyPath(from_r->GetMessage(from, field), *to_r->MutableMessage(&to, field),
             chain.subspan(1));
    return;
  }
  to_r->ClearField(&to, field);
  // A copy of `from` holding only this field, merged in: MergeFrom copies
  // each kind of field (scalar, message, repeated) the way protobuf defines.
  std::unique_ptr<Message> only(from.New());
  only->CopyFrom(from);
  std::vector<const FieldDescriptor*> set;
  only->GetReflection()->ListFields(*only, &set);
  for (const FieldDescriptor* other : set) {
    if (other != field) only->GetReflection()->ClearField(only.get(), other);
  }
  to.MergeFrom(*only);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> AmendmentFields(
    const v1::Event& amended_event) {
  const v1::Amended& amended = amended_event.amended();
  std::vector<std::string> paths;
  const Message* payload = ReplacementPayload(amended);
  const std::vector<std::string> listed = FieldPaths(amended);
  for (size_t i = 0; i < listed.size(); ++i) {
    const std::vector<const FieldDescriptor*> chain =
        payload == nullptr || listed[i].empty()
            ? std::vector<const FieldDescriptor*>()
            : ResolvePath(payload->GetDescriptor(), listed[i]);
    if (chain.empty()) {
      return absl::InvalidArgumentError(
          Text(Msg::kAmendedFieldNotInReplacement, i));
    }
    std::vector<std::string> names;
    for (const FieldDescriptor* f : chain) names.push_back(f->json_name());
    std::string canonical = absl::StrJoin(names, ".");
    if (std::find(paths.begin(), paths.end(), canonical) != paths.end()) {
      return absl::InvalidArgumentError(
          Text(Msg::kAmendedFieldRepeats, i, canonical));
    }
    paths.push_back(std::move(canonical));
  }
  return paths;
}

v1::Event ApplyAmendment(const v1::Event& effective,
                         const v1::Event& amended_event) {
  const v1::Amended& amended = amended_event.amended();
  v1::Event out = effective;
  if (!amended.occurred_on().empty())
    out.set_occurred_on(amended.occurred_on());
  const v1::Event replacement = AmendmentReplacement(amended_event);
  const auto* target = replacement.GetReflection()->GetOneofFieldDescriptor(
      replacement, replacement.GetDescriptor()->oneof_decl(0));
  if (target == nullptr) return out;
  const Message& from =
      replacement.GetReflection()->GetMessage(replacement, target);
  Message* to = out.GetReflection()->MutableMessage(&out, target);
  if (amended.fields().empty()) {
    to->CopyFrom(from);
    return out;
  }
  for (const std::string& path : FieldPaths(amended)) {
    const std::vector<const FieldDescriptor*> chain =
        ResolvePath(from.GetDescriptor(), path);
    if (!chain.empty()) CopyPath(from, *to, chain);
  }
  return out;
}

}  // namespace ogi
