// The case page: the timeline as `ogi history` shows it, the due-date derivation and flags (GET /v1/cases/{id},
// GET /v1/deadlines/{id}), and the forms that record the next step (POST /v1/events); the 收到申请 form.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, enc, getJson, getText, postJson, session } from '../api';
import { instant, t, term } from '../i18n';
import { BASE, navigate } from '../router';
import { buildEvent, fieldOf, RECEIVED, Step, STEPS } from '../steps';
import { ErrorBox, Loading } from './common';

const ENVELOPE = new Set(['eventId', 'caseId', 'agencyId', 'occurredOn', 'actor', 'expectedVersion', 'recordedAt',
  'version', 'position']);

function payloadOf(e: any): [string, any] {
  for (const k of Object.keys(e)) if (!ENVELOPE.has(k)) return [k, e[k]];
  return ['?', {}];
}

function describe(p: any, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(p ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...describe(v, path));
    else out.push(`${t('f_' + path).startsWith('f_') ? path : t('f_' + path)}: ${typeof v === 'string' ? term(v) : JSON.stringify(v)}`);
  }
  return out;
}

function today(): string {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function StepForm({ step, caseId, onDone, idPrefix }: {
  step: Step; caseId: string | null; onDone: (position: number, event: any) => void; idPrefix: string;
}) {
  const [values, setValues] = useState<Record<string, string>>({ occurredOn: today() });
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const event = buildEvent(step, values, caseId);
      const r = await postJson<{ results: { position: number; version: number }[] }>('/v1/events', event);
      onDone(r.results[0].version, event);
    } catch (err) {
      const message = (err as Error).message;
      setError({ field: err instanceof ApiError || err instanceof SyntaxError ? fieldOf(step, message) : null, message });
    } finally {
      setBusy(false);
    }
  };
  const fields = [{ name: 'occurredOn', kind: 'date' as const, required: true }, ...step.fields,
    { name: 'actor', kind: 'text' as const }];
  const id = (n: string) => `${idPrefix}-${n.replace(/\./g, '-')}`;
  return (
    <form class="step" onSubmit={submit} aria-label={t('s_' + step.payload)} noValidate>
      {error && error.field === null && <p role="alert" class="error wide">{t('refused')}{error.message}</p>}
      {fields.map((f) => {
        const invalid = error?.field === f.name;
        const common = {
          id: id(f.name), name: f.name, required: f.required, value: values[f.name] ?? '',
          'aria-invalid': invalid ? ('true' as const) : undefined, 'aria-describedby': invalid ? id(f.name) + '-error' : undefined,
          onInput: (e: Event) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value }),
        };
        return (
          <div class={f.kind === 'textarea' ? 'wide' : ''} key={f.name}>
            <label for={id(f.name)}>{t('f_' + f.name)}{f.required ? ' *' : ''}</label>
            {f.kind === 'select' ? (
              <select {...common} onChange={common.onInput}>
                <option value="">{t('choose')}</option>
                {('options' in f ? f.options ?? [] : []).map((o) => <option value={o} key={o}>{term(o)}</option>)}
              </select>
            ) : f.kind === 'textarea' ? <textarea {...common} rows={2} />
              : <input {...common} type={f.kind === 'number' ? 'number' : f.kind === 'date' ? 'date' : 'text'} />}
            {invalid && <span role="alert" class="field-error" id={id(f.name) + '-error'}>{t('refused')}{error!.message}</span>}
          </div>
        );
      })}
      <div class="wide"><button type="submit" disabled={busy}>{t('submit')}</button></div>
    </form>
  );
}

export function CaseScreen({ caseId }: { caseId: string }) {
  const [events, setEvents] = useState<any[] | null>(null);
  const [deadline, setDeadline] = useState<any>(null);
  const [error, setError] = useState('');
  const [step, setStep] = useState('');
  const [saved, setSaved] = useState('');
  const [reload, setReload] = useState(0);
  const me = session.get()!;
  useEffect(() => {
    getText(`/v1/cases/${enc(caseId)}`).then(
      (text) => setEvents(text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))),
      (e) => setError(e.message));
    getJson(`/v1/deadlines/${enc(caseId)}`).then(setDeadline, () => setDeadline(null));
  }, [caseId, reload]);
  if (error) return <section><h1>{t('caseTitle', caseId)}</h1><ErrorBox error={error} /></section>;
  if (!events) return <Loading />;
  const amendedBy = new Map<number, number[]>();
  for (const e of events) if (e.amended) amendedBy.set(e.amended.version, [...(amendedBy.get(e.amended.version) ?? []), e.version]);
  const current = STEPS.find((s) => s.payload === step);
  return (
    <section aria-labelledby="case-title">
      <h1 id="case-title">{t('caseTitle', caseId)}</h1>
      {!me.scopes.includes('personal') && <p class="help">{t('masked')}</p>}
      <h2>{t('timeline')}</h2>
      <table id="timeline">
        <thead><tr><th scope="col">#</th><th scope="col">{t('effective')}</th><th scope="col">{t('recorded')}</th>
          <th scope="col">{t('actor')}</th><th scope="col">{t('step')}</th><th scope="col">{t('details')}</th></tr></thead>
        <tbody>
          {events.map((e) => {
            const [name, p] = payloadOf(e);
            const amends = name === 'amended' ? p.version : null;
            return (
              <tr key={e.version} class={amends ? 'amend' : ''}>
                <td>{e.version}</td><td>{e.occurredOn}</td><td>{instant(e.recordedAt)}</td>
                <td>{e.actor ?? ''}</td><td>{t('s_' + name)}</td>
                <td>
                  {amends && <strong>{t('amends', amends)}</strong>}
                  {describe(p).map((d) => <div key={d}>{d}</div>)}
                  {amendedBy.has(e.version) && <em>{t('amendedBy', amendedBy.get(e.version)!.join(', '))}</em>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {deadline && (
        <>
          <h2>{t('deadline')}</h2>
          <dl class="kv" id="deadline">
            <dt>{t('dayZero')}</dt><dd>{deadline.dayZero ?? '—'}</dd>
            <dt>{t('dueOn')}</dt><dd class={deadline.overdue ? 'overdue' : ''}>{deadline.dueOn ?? t('noDueDate')}
              {deadline.workingDaysOverdue !== undefined && ` · ${t('daysOverdue', deadline.workingDaysOverdue)}`}
              {deadline.workingDaysLeft !== undefined && ` · ${t('daysLeft', deadline.workingDaysLeft)}`}</dd>
            {deadline.concludedOn && <><dt>{t('concludedOn')}</dt><dd>{deadline.concludedOn}</dd></>}
            <dt>{t('waitingFor')}</dt><dd>{(deadline.waitingFor ?? []).map((w: string) => t('w_' + w)).join('、') || '—'}</dd>
            <dt>{t('derivation')}</dt>
            <dd><ul>{(deadline.derivation ?? []).map((d: any, i: number) =>
              <li key={i}>{typeof d === 'string' ? d : d.text ?? Object.entries(d).map(([k, v]) => `${k}: ${v}`).join(', ')}</li>)}</ul></dd>
            <dt>{t('flags')}</dt>
            <dd><ul>{(deadline.flags ?? []).length === 0 ? <li>{t('noFlags')}</li> : deadline.flags.map((f: any, i: number) =>
              <li key={i} class="overdue">{typeof f === 'string' ? f : f.text ?? f.message ?? f.code}</li>)}</ul></dd>
          </dl>
        </>
      )}
      <h2>{t('recordStep')}</h2>
      {!me.scopes.includes('append') ? <p>{t('noAppend')}</p> : (
        <>
          <label for="step-choice">{t('chooseStep')}</label>{' '}
          <select id="step-choice" value={step} onChange={(e) => { setStep((e.target as HTMLSelectElement).value); setSaved(''); }}>
            <option value="">{t('choose')}</option>
            {STEPS.map((s) => <option value={s.payload} key={s.payload}>{t('s_' + s.payload)}</option>)}
          </select>
          {saved && <p role="status" class="ok">{saved}</p>}
          {current && <StepForm key={step} step={current} caseId={caseId} idPrefix="step"
            onDone={(version) => { setSaved(t('saved', version)); setStep(''); setReload(reload + 1); }} />}
        </>
      )}
    </section>
  );
}

export function NewCaseScreen() {
  const me = session.get()!;
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">{t('s_received')}</h1>
      {!me.scopes.includes('append') ? <p>{t('noAppend')}</p> :
        <StepForm step={RECEIVED} caseId={null} idPrefix="new"
          onDone={(_v, event) => navigate(`${BASE}/cases/${enc(event.caseId)}`)} />}
    </section>
  );
}
