// The step forms: each payload of docs/EVENTS.md a clerk records, with its fields. Field names are the JSON paths
// the server's refusals name, so a refusal is shown beside the field it names.
import { OUTCOMES } from './i18n';

export interface Field {
  name: string;  // JSON path inside the payload ("applicant.name"), or an envelope field ("occurredOn")
  kind: 'text' | 'date' | 'number' | 'select' | 'textarea';
  options?: string[];
  required?: boolean;
  envelope?: boolean;
}
export interface Step { payload: string; fields: Field[]; }

const note: Field = { name: 'note', kind: 'textarea' };
const sel = (name: string, options: string[], required = false): Field => ({ name, kind: 'select', options, required });

export const STEPS: Step[] = [
  { payload: 'correctionRequested', fields: [{ name: 'dueOn', kind: 'date' }, note] },
  { payload: 'correctionReceived', fields: [note] },
  { payload: 'consultationStarted', fields: [{ name: 'consultationId', kind: 'text', required: true },
    sel('party', ['THIRD_PARTY', 'AGENCY']), note] },
  { payload: 'consultationEnded', fields: [{ name: 'consultationId', kind: 'text', required: true },
    sel('opinion', ['CONSENT', 'OBJECTION', 'NO_REPLY'])] },
  { payload: 'extended', fields: [{ name: 'workingDays', kind: 'number', required: true },
    { name: 'approvedBy', kind: 'text' }] },
  { payload: 'reviewed', fields: [{ name: 'reviewer', kind: 'text' }, sel('decision', ['APPROVED', 'RETURNED'], true), note] },
  { payload: 'feeNoticed', fields: [sel('method', ['PER_APPLICATION', 'PER_PAGE'], true),
    { name: 'amountFen', kind: 'number' }, { name: 'pages', kind: 'number' }] },
  { payload: 'feePaid', fields: [{ name: 'amountFen', kind: 'number' }] },
  { payload: 'answered', fields: [sel('outcome', OUTCOMES.map(([c]) => c), true), note] },
  { payload: 'withdrawn', fields: [note] },
  { payload: 'reanswered', fields: [sel('outcome', OUTCOMES.map(([c]) => c), true), note] },
  { payload: 'archived', fields: [{ name: 'archiveRef', kind: 'text' }] },
  { payload: 'appealFiled', fields: [{ name: 'appealId', kind: 'text', required: true },
    sel('kind', ['RECONSIDERATION', 'LITIGATION_DIRECT', 'LITIGATION_AFTER_RECONSIDERATION'], true),
    { name: 'body', kind: 'text' }] },
  { payload: 'appealDecided', fields: [{ name: 'appealId', kind: 'text', required: true },
    sel('result', ['UPHELD', 'CORRECTED', 'OTHER'], true), note] },
  { payload: 'amended', fields: [{ name: 'version', kind: 'number', required: true },
    { name: 'reason', kind: 'text', required: true }, { name: 'fields', kind: 'text' },
    { name: 'replacement', kind: 'textarea', required: true }] },
];

export const RECEIVED: Step = {
  payload: 'received', fields: [
    { name: 'caseId', kind: 'text', required: true, envelope: true },
    { name: 'agencyId', kind: 'text', required: true, envelope: true },
    sel('applicant.category', ['NATURAL_PERSON', 'COMMERCIAL_ENTERPRISE', 'RESEARCH_INSTITUTION',
      'PUBLIC_WELFARE_ORGANIZATION', 'LEGAL_SERVICE_AGENCY', 'OTHER_ORGANIZATION'], true),
    { name: 'applicant.name', kind: 'text' }, { name: 'applicant.idNumber', kind: 'text' },
    { name: 'applicant.contact', kind: 'text' },
    sel('channel', ['IN_PERSON', 'POST', 'ONLINE', 'FAX', 'OTHER']),
    { name: 'description', kind: 'textarea' }, { name: 'items', kind: 'number' },
  ],
};

// The event JSON for a step from the form's values (empty fields left out).
export function buildEvent(step: Step, values: Record<string, string>, caseId: string | null): any {
  const event: any = { occurredOn: values.occurredOn };
  if (caseId) event.caseId = caseId;
  if (values.actor) event.actor = values.actor;
  const payload: any = {};
  let replacement: any = undefined;
  for (const f of step.fields) {
    const v = (values[f.name] ?? '').trim();
    if (v === '') continue;
    if (f.envelope) { event[f.name] = v; continue; }
    if (f.name === 'replacement') { replacement = v; continue; }
    const value = f.kind === 'number' ? Number(v) : v;
    const path = f.name.split('.');
    let o = payload;
    for (const p of path.slice(0, -1)) o = o[p] ??= {};
    o[path[path.length - 1]] = value;
  }
  if (step.payload === 'amended' && replacement !== undefined) {
    // {"payloadName":{...}} or just the fields of the corrected event's payload type.
    const parsed = JSON.parse(replacement);
    Object.assign(payload, parsed);
  }
  event[step.payload] = payload;
  return event;
}

// The form field a refusal names: the longest field name (or its payload path) in the message.
export function fieldOf(step: Step, message: string): string | null {
  const names = [...step.fields.map((f) => f.name), 'occurredOn', 'actor'].sort((a, b) => b.length - a.length);
  for (const n of names) {
    const last = n.split('.').pop()!;
    if (message.includes(`${step.payload}.${n}`) || message.includes(n) || message.includes(last)) return n;
  }
  return null;
}
