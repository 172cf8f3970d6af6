// The row and column codes and labels of docs/REPORT.md; see
// annual_report.h.
#include "projections/annual_report.h"

namespace ogi {
namespace {

struct RowText {
  absl::string_view code;
  absl::string_view label;
};

// In AppRow order; labels verbatim from the national format.
constexpr RowText kRowTexts[] = {
    {"new", "一、本年新收政府信息公开申请数量"},
    {"carried_in", "二、上年结转政府信息公开申请数量"},
    {"disclosed", "（一）予以公开"},
    {"partially_disclosed",
     "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"},
    {"withheld_state_secret", "1.属于国家秘密"},
    {"withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"},
    {"withheld_security_stability", "3.危及“三安全一稳定”"},
    {"withheld_third_party_rights", "4.保护第三方合法权益"},
    {"withheld_internal_affairs", "5.属于三类内部事务信息"},
    {"withheld_process_information", "6.属于四类过程性信息"},
    {"withheld_enforcement_file", "7.属于行政执法案卷"},
    {"withheld_administrative_inquiry", "8.属于行政查询事项"},
    {"unavailable_not_held", "1.本机关不掌握相关政府信息"},
    {"unavailable_needs_creation", "2.没有现成信息需要另行制作"},
    {"unavailable_still_unclear", "3.补正后申请内容仍不明确"},
    {"not_processed_petition", "1.信访举报投诉类申请"},
    {"not_processed_duplicate", "2.重复申请"},
    {"not_processed_publication", "3.要求提供公开出版物"},
    {"not_processed_excessive", "4.无正当理由大量反复申请"},
    {"not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"},
    {"other_no_correction",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
    {"other_fee_unpaid",
     "2."
     "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
    {"other_handling", "3.其他"},
    {"results_total", "（七）总计"},
    {"carried_out", "四、结转下年度继续办理"},
};
static_assert(sizeof(kRowTexts) / sizeof(kRowTexts[0]) == kApplicationRows,
              "one code and label per part 三 row");

constexpr RowText kColumnTexts[] = {
    {"natural_person", "自然人"},
    {"commercial_enterprise", "商业企业"},
    {"research_institution", "科研机构"},
    {"public_welfare_organization", "社会公益组织"},
    {"legal_service_agency", "法律服务机构"},
    {"other_organization", "其他"},
    {"total", "总计"},
};
static_assert(sizeof(kColumnTexts) / sizeof(kColumnTexts[0]) ==
                  kApplicationColumns,
              "one code and label per part 三 column");

constexpr absl::string_view kAppealGroupCodes[] = {
    "reconsideration", "litigation_direct", "litigation_after_reconsideration"};
constexpr absl::string_view kAppealColumnCodes[] = {
    "upheld", "corrected", "other", "pending", "total"};

}  // namespace

absl::string_view ApplicationRowCode(AppRow row) {
  return kRowTexts[static_cast<int>(row)].code;
}
absl::string_view ApplicationRowLabel(AppRow row) {
  return kRowTexts[static_cast<int>(row)].label;
}
absl::string_view ApplicationColumnCode(int column) {
  return kColumnTexts[column].code;
}
absl::string_view ApplicationColumnLabel(int column) {
  return kColumnTexts[column].label;
}
absl::string_view AppealGroupCode(AppealGroup group) {
  return kAppealGroupCodes[static_cast<int>(group)];
}
absl::string_view AppealColumnCode(AppealColumn column) {
  return kAppealColumnCodes[static_cast<int>(column)];
}

}  // namespace ogi
