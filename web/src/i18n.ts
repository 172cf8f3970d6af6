// The console's one message catalogue: every label the console shows, Chinese first, English by the switch in
// the header. Report labels are verbatim from the national format (projections/report_codes.cc).
import { signal } from './state';

export type Lang = 'zh' | 'en';
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('ogi-lang')) as Lang | null;
export const lang = signal<Lang>(saved === 'en' ? 'en' : 'zh');
export function setLang(l: Lang) {
  lang.set(l);
  localStorage.setItem('ogi-lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

const M = {
  appTitle: ['政府信息公开申请办理台', 'Information disclosure console'],
  skip: ['跳到正文', 'Skip to content'],
  navDue: ['待办', 'Work list'],
  navReport: ['年度报告', 'Annual report'],
  navVerify: ['核验', 'Audit'],
  navNew: ['收到申请', 'New application'],
  language: ['English', '中文'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  token: ['访问令牌', 'Access token'],
  tokenHelp: ['由管理员以 ogi token create 签发，仅在本次登录时使用，不保存在浏览器中。',
    'Issued with ogi token create; used once to sign in, never stored in the browser.'],
  signedInAs: ['当前用户 {0}（{1}{2}）', 'Signed in as {0} ({1}{2})'],
  andSubtree: ['及下级机关', ' and the agencies under it'],
  signInFirst: ['请先登录。', 'Please sign in.'],
  loading: ['加载中…', 'Loading…'],
  error: ['错误', 'Error'],
  // 待办
  dueTitle: ['待办：未办结申请（按答复期限）', 'Work list: open applications by due date'],
  agency: ['机关', 'Agency'],
  includeSubtree: ['含下级机关', 'Include agencies under it'],
  status: ['状态', 'Status'],
  statusAll: ['全部', 'All'],
  statusOverdue: ['已超期', 'Overdue'],
  statusLapsed: ['申请人期限已过', "Applicant's time ran out"],
  statusCorrection: ['等待补正', 'Waiting for a correction'],
  statusConsultation: ['征求意见中', 'In consultation'],
  statusFee: ['等待缴费', 'Waiting for a fee'],
  within: ['期限在 N 个工作日内', 'Due within N working days'],
  search: ['案件编号', 'Case id'],
  apply: ['查询', 'Apply'],
  caseId: ['案件编号', 'Case id'],
  dueOn: ['答复期限', 'Due on'],
  standing: ['剩余 / 超期', 'Left / overdue'],
  waitingFor: ['等待', 'Waiting for'],
  flags: ['提示', 'Flags'],
  daysLeft: ['剩余 {0} 个工作日', '{0} working day(s) left'],
  daysOverdue: ['超期 {0} 个工作日', '{0} working day(s) overdue'],
  noDueDate: ['无期限', 'no due date'],
  lapsed: ['申请人期限已过，可按“{0}”办结', "applicant's time ran out: may conclude as {0}"],
  w_correction: ['补正', 'correction'],
  w_consultation: ['征求意见', 'consultation'],
  w_fee: ['缴费', 'fee'],
  w_answer: ['答复', 'answer'],
  total: ['共 {0} 件，第 {1}–{2} 件', '{0} cases, {1}–{2} shown'],
  prev: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  none: ['没有符合条件的案件。', 'No cases match.'],
  asOfDay: ['截至 {0}', 'as of {0}'],
  // Case page
  caseTitle: ['案件 {0}', 'Case {0}'],
  timeline: ['办理过程', 'Timeline'],
  effective: ['发生日期', 'Effective'],
  recorded: ['记录时间', 'Recorded'],
  actor: ['记录人', 'Actor'],
  step: ['步骤', 'Step'],
  details: ['详情', 'Details'],
  amends: ['更正第 {0} 条：', 'amends #{0}: '],
  amendedBy: ['已被第 {0} 条更正', 'amended by #{0}'],
  deadline: ['答复期限', 'Deadline'],
  derivation: ['期限推算', 'How the due date was computed'],
  dayZero: ['起算日', 'Day zero'],
  concludedOn: ['办结日期', 'Concluded on'],
  overdue: ['已超期', 'Overdue'],
  noFlags: ['无', 'none'],
  masked: ['（已隐去个人信息：令牌无 personal 权限）', '(personal data masked: the token lacks personal)'],
  recordStep: ['记录下一步', 'Record the next step'],
  chooseStep: ['步骤', 'Step'],
  occurredOn: ['发生日期', 'Effective date'],
  submit: ['提交', 'Submit'],
  saved: ['已记录（第 {0} 条）。', 'Recorded (#{0}).'],
  refused: ['未记录：', 'Not recorded: '],
  noAppend: ['令牌无 append 权限，不能记录步骤。', 'The token lacks append: steps cannot be recorded.'],
  openCase: ['打开案件', 'Open case'],
  // steps
  s_received: ['收到申请', 'Received'],
  s_correctionRequested: ['补正告知', 'Correction requested'],
  s_correctionReceived: ['收到补正', 'Correction received'],
  s_consultationStarted: ['征求意见', 'Consultation started'],
  s_consultationEnded: ['征求意见结束', 'Consultation ended'],
  s_extended: ['延期', 'Extended'],
  s_delayFixed: ['确定合理期限', 'Delay fixed'],
  s_reviewed: ['审核', 'Reviewed'],
  s_feeNoticed: ['收费通知', 'Fee noticed'],
  s_feePaid: ['缴费', 'Fee paid'],
  s_answered: ['答复', 'Answered'],
  s_withdrawn: ['撤回', 'Withdrawn'],
  s_reanswered: ['重新答复', 'Re-answered'],
  s_archived: ['归档', 'Archived'],
  s_appealFiled: ['复议/诉讼', 'Appeal filed'],
  s_appealDecided: ['复议/诉讼结果', 'Appeal decided'],
  s_amended: ['更正', 'Amended'],
  s_personalDataErased: ['删除个人信息', 'Personal data erased'],
  // fields
  f_caseId: ['案件编号', 'Case id'],
  f_agencyId: ['机关', 'Agency'],
  'f_applicant.category': ['申请人类型', 'Applicant category'],
  'f_applicant.name': ['申请人姓名', 'Applicant name'],
  'f_applicant.idNumber': ['证件号码', 'ID number'],
  'f_applicant.contact': ['联系方式', 'Contact'],
  f_channel: ['申请渠道', 'Channel'],
  f_description: ['申请内容', 'Description'],
  f_items: ['申请事项数', 'Items'],
  f_dueOn: ['期限', 'Due on'],
  f_note: ['备注', 'Note'],
  f_consultationId: ['征求意见编号', 'Consultation id'],
  f_party: ['征求对象', 'Party'],
  f_opinion: ['意见', 'Opinion'],
  f_workingDays: ['延长的工作日数', 'Working days'],
  f_approvedBy: ['批准人', 'Approved by'],
  f_reviewer: ['审核人', 'Reviewer'],
  f_decision: ['审核结论', 'Decision'],
  f_method: ['计收方式', 'Method'],
  f_amountFen: ['金额（分）', 'Amount (fen)'],
  f_pages: ['页数', 'Pages'],
  f_outcome: ['答复结果', 'Outcome'],
  f_archiveRef: ['档案号', 'Archive reference'],
  f_appealId: ['复议/诉讼编号', 'Appeal id'],
  f_kind: ['类型', 'Kind'],
  f_body: ['复议机关或法院', 'Reviewing body'],
  f_result: ['结果', 'Result'],
  f_version: ['被更正的条目序号', 'Version corrected'],
  f_reason: ['更正原因', 'Reason'],
  f_fields: ['只更正这些字段（逗号分隔，可空）', 'Only these fields (comma-separated, optional)'],
  f_replacement: ['更正后的内容（JSON，如 {"answered":{"outcome":"DISCLOSED"}}）', 'Replacement (JSON, e.g. {"answered":{"outcome":"DISCLOSED"}})'],
  f_occurredOn: ['发生日期', 'Effective date'],
  f_actor: ['经办人', 'Clerk'],
  choose: ['（请选择）', '(choose)'],
  // report
  reportTitle: ['{0} 年度政府信息公开工作年度报告（{1}）', 'Annual report {0} ({1})'],
  year: ['年度', 'Year'],
  rollupLabel: ['汇总下级机关', 'Roll up the agencies under it'],
  asOf: ['截至时刻（重现已发布的报告）', 'As of (reproduce a published report)'],
  show: ['显示', 'Show'],
  diff: ['与当前对比', 'Compare with today'],
  download: ['下载', 'Download'],
  wholeDocument: ['年度报告全文', 'The whole report document'],
  docHelp: ['含各部分文字说明与表格，按签发日期落款；未填写的部分会列为提示。',
    'Every part with its narratives and the tables, signed on the date given; missing parts are listed as warnings.'],
  docDate: ['签发日期', 'Date signed'],
  docFormat: ['格式', 'Format'],
  docDownload: ['下载全文', 'Download the document'],
  docRefused: ['未生成全文：', 'No document: '],
  docReady: ['全文已生成并下载（{0} 处提示）。', 'The document was generated and downloaded ({0} warning(s)).'],
  // a cell's cases, paged
  cellRange: ['第 {0}–{1} 条，共 {2} 条', '{0}–{1} of {2}'],
  cellNone: ['此单元格没有案件。', 'No cases in this cell.'],
  cellPager: ['分页', 'Pages'],
  lateTruncated: ['（只列出前 {0} 件，共 {1} 件）', '(only the first {0} of {1} are listed)'],
  digest: ['摘要（位置:哈希）', 'Digest (POSITION:HASH)'],
  verifyDigest: ['核验日志是否延续此摘要', 'Verify the log extends this digest'],
  part2: ['二、主动公开政府信息情况', 'II. Proactive disclosure'],
  part3: ['三、收到和处理政府信息公开申请情况', 'III. Applications received and handled'],
  part4: ['四、政府信息公开行政复议、行政诉讼情况', 'IV. Administrative reconsideration and litigation'],
  feeLine: ['收取费用：{0} 件，{1} 元', 'Fees: {0} application(s), {1} yuan'],
  changed: ['有变化的单元格：{0} 个', 'Changed cells: {0}'],
  was: ['原为 {0}', 'was {0}'],
  lateEntries: ['造成变化的案件：新计入（+）的附计入事件，移出（−）的附移出事件', 'The cases that changed it: each one counted in (+) with the event that put it there, each one taken out (−) with the event that took it out'],
  lateEntered: ['+ 计入', '+ in'],
  lateLeft: ['− 移出', '− out'],
  atPosition: ['日志位置 {0}', 'position {0}'],
  cellTitle: ['{0} / {1} 的案件', 'Cases in {0} / {1}'],
  event: ['入表事件', 'Event that put it there'],
  backToReport: ['返回报告', 'Back to the report'],
  // verify
  verifyTitle: ['核验', 'Audit'],
  headDigest: ['当前日志摘要', 'Head digest'],
  runVerify: ['核验整个日志', 'Verify the whole log'],
  verifying: ['核验中… 已用 {0} 秒', 'Verifying… {0} s so far'],
  verifyOk: ['通过：{0} 个事件，摘要 {1}，用时 {2} 秒，完成于 {3}', 'Passed: {0} events, digest {1}, {2} s, finished {3}'],
  verifyFailed: ['未通过：{0}', 'Failed: {0}'],
  noVerifyYet: ['尚未核验。', 'Not verified yet.'],
  digestBox: ['已发布报告的摘要', "A published report's digest"],
  check: ['检查', 'Check'],
  extendsYes: ['日志完整延续此摘要（此后追加 {0} 个事件）。', 'The log extends this digest exactly ({0} events since).'],
  extendsNo: ['日志不延续此摘要：{0}', 'The log does not extend this digest: {0}'],
} as const;

export type MsgKey = keyof typeof M;

export function t(key: MsgKey | string, ...args: (string | number)[]): string {
  const entry = (M as Record<string, readonly [string, string]>)[key];
  let text = entry ? entry[lang.get() === 'zh' ? 0 : 1] : key;
  args.forEach((a, i) => { text = text.split(`{${i}}`).join(String(a)); });
  return text;
}

// Enum values and report rows and columns, Chinese in the national format's words; English shows the code.
const TERMS: Record<string, string> = {
  NATURAL_PERSON: '自然人', COMMERCIAL_ENTERPRISE: '商业企业', RESEARCH_INSTITUTION: '科研机构',
  PUBLIC_WELFARE_ORGANIZATION: '社会公益组织', LEGAL_SERVICE_AGENCY: '法律服务机构', OTHER_ORGANIZATION: '其他',
  IN_PERSON: '当面', POST: '信函', ONLINE: '网络', FAX: '传真', OTHER: '其他',
  THIRD_PARTY: '第三方', AGENCY: '其他机关', CONSENT: '同意', OBJECTION: '不同意', NO_REPLY: '逾期未答复',
  APPROVED: '通过', RETURNED: '退回', PER_APPLICATION: '按件计收', PER_PAGE: '按量计收',
  RECONSIDERATION: '行政复议', LITIGATION_DIRECT: '未经复议直接起诉', LITIGATION_AFTER_RECONSIDERATION: '复议后起诉',
  UPHELD: '维持', CORRECTED: '纠正', REGULATION: '规章', NORMATIVE_DOCUMENT: '行政规范性文件',
};
export const OUTCOMES: [string, string][] = [
  ['DISCLOSED', '（一）予以公开'],
  ['PARTIALLY_DISCLOSED', '（二）部分公开（区分处理的，只计这一情形，不计其他情形）'],
  ['WITHHELD_STATE_SECRET', '（三）不予公开 1.属于国家秘密'],
  ['WITHHELD_PROHIBITED_BY_LAW', '（三）不予公开 2.其他法律行政法规禁止公开'],
  ['WITHHELD_SECURITY_STABILITY', '（三）不予公开 3.危及“三安全一稳定”'],
  ['WITHHELD_THIRD_PARTY_RIGHTS', '（三）不予公开 4.保护第三方合法权益'],
  ['WITHHELD_INTERNAL_AFFAIRS', '（三）不予公开 5.属于三类内部事务信息'],
  ['WITHHELD_PROCESS_INFORMATION', '（三）不予公开 6.属于四类过程性信息'],
  ['WITHHELD_ENFORCEMENT_FILE', '（三）不予公开 7.属于行政执法案卷'],
  ['WITHHELD_ADMINISTRATIVE_INQUIRY', '（三）不予公开 8.属于行政查询事项'],
  ['UNAVAILABLE_NOT_HELD', '（四）无法提供 1.本机关不掌握相关政府信息'],
  ['UNAVAILABLE_NEEDS_CREATION', '（四）无法提供 2.没有现成信息需要另行制作'],
  ['UNAVAILABLE_STILL_UNCLEAR', '（四）无法提供 3.补正后申请内容仍不明确'],
  ['NOT_PROCESSED_PETITION', '（五）不予处理 1.信访举报投诉类申请'],
  ['NOT_PROCESSED_DUPLICATE', '（五）不予处理 2.重复申请'],
  ['NOT_PROCESSED_PUBLICATION', '（五）不予处理 3.要求提供公开出版物'],
  ['NOT_PROCESSED_EXCESSIVE', '（五）不予处理 4.无正当理由大量反复申请'],
  ['NOT_PROCESSED_CONFIRMATION', '（五）不予处理 5.要求行政机关确认或重新出具已获取信息'],
  ['OTHER_NO_CORRECTION', '（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'],
  ['OTHER_FEE_UNPAID', '（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'],
  ['OTHER_HANDLING', '（六）其他处理 3.其他'],
];
for (const [code, label] of OUTCOMES) TERMS[code] = label;

export function term(code: string): string {
  if (lang.get() === 'en') return code;
  return TERMS[code] ?? code;
}

export const ROWS: [string, string][] = [
  ['new', '一、本年新收政府信息公开申请数量'],
  ['carried_in', '二、上年结转政府信息公开申请数量'],
  ['disclosed', '（一）予以公开'],
  ['partially_disclosed', '（二）部分公开（区分处理的，只计这一情形，不计其他情形）'],
  ['withheld_state_secret', '（三）不予公开 1.属于国家秘密'],
  ['withheld_prohibited_by_law', '2.其他法律行政法规禁止公开'],
  ['withheld_security_stability', '3.危及“三安全一稳定”'],
  ['withheld_third_party_rights', '4.保护第三方合法权益'],
  ['withheld_internal_affairs', '5.属于三类内部事务信息'],
  ['withheld_process_information', '6.属于四类过程性信息'],
  ['withheld_enforcement_file', '7.属于行政执法案卷'],
  ['withheld_administrative_inquiry', '8.属于行政查询事项'],
  ['unavailable_not_held', '（四）无法提供 1.本机关不掌握相关政府信息'],
  ['unavailable_needs_creation', '2.没有现成信息需要另行制作'],
  ['unavailable_still_unclear', '3.补正后申请内容仍不明确'],
  ['not_processed_petition', '（五）不予处理 1.信访举报投诉类申请'],
  ['not_processed_duplicate', '2.重复申请'],
  ['not_processed_publication', '3.要求提供公开出版物'],
  ['not_processed_excessive', '4.无正当理由大量反复申请'],
  ['not_processed_confirmation', '5.要求行政机关确认或重新出具已获取信息'],
  ['other_no_correction', '（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'],
  ['other_fee_unpaid', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'],
  ['other_handling', '3.其他'],
  ['results_total', '（七）总计'],
  ['carried_out', '四、结转下年度继续办理'],
];
export const COLUMNS: [string, string][] = [
  ['natural_person', '自然人'], ['commercial_enterprise', '商业企业'], ['research_institution', '科研机构'],
  ['public_welfare_organization', '社会公益组织'], ['legal_service_agency', '法律服务机构'],
  ['other_organization', '其他'], ['total', '总计'],
];
export const APPEAL_GROUPS: [string, string][] = [
  ['reconsideration', '行政复议'], ['litigation_direct', '未经复议直接起诉'],
  ['litigation_after_reconsideration', '复议后起诉'],
];
export const APPEAL_COLUMNS: [string, string][] = [
  ['upheld', '结果维持'], ['corrected', '结果纠正'], ['other', '其他结果'], ['pending', '尚未审结'], ['total', '总计'],
];
export function label(pair: [string, string]): string {
  return lang.get() === 'zh' ? pair[1] : pair[0];
}

// Dates as the calendar rules say: civil dates YYYY-MM-DD in China time; instants shown in UTC+8.
export function instant(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  const s = new Date(d.getTime() + 8 * 3600 * 1000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} (UTC+8)`;
}
