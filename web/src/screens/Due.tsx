// 待办: the open cases in reach by due date, with filters and paging (GET /v1/due).
import { useEffect, useState } from 'preact/hooks';
import { enc, getJson, session } from '../api';
import { t, term } from '../i18n';
import { BASE, navigate, Route } from '../router';
import { ErrorBox, Link, Loading } from './common';

interface DueCase {
  caseId: string; agencyId: string; dueOn: string | null; workingDaysLeft?: number; workingDaysOverdue?: number;
  standing: string; waitingFor: string; waitingForCodes: string[]; applicantLapsed: boolean; lapseOutcome?: string;
}
interface DuePage { asOf: string; total: number; offset: number; cases: DueCase[]; }
const PAGE = 50;

export function DueScreen({ route }: { route: Route }) {
  const q = route.query;
  const me = session.get()!;
  const [form, setForm] = useState({
    agency: q.get('agency') ?? '', rollup: q.get('rollup') ?? (me.rollup ? '1' : '0'), status: q.get('status') ?? '',
    within: q.get('within') ?? '', q: q.get('q') ?? '',
  });
  const offset = Number(q.get('offset') ?? '0') || 0;
  const [data, setData] = useState<DuePage | null>(null);
  const [error, setError] = useState('');
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ agency: q.get('agency'), rollup: q.get('rollup'), status: q.get('status'),
    within: q.get('within'), q: q.get('q') })) if (v) query.set(k, v);
  const key = query.toString();
  useEffect(() => {
    setData(null);
    setError('');
    const api = new URLSearchParams(query);
    api.set('offset', String(offset));
    api.set('limit', String(PAGE));
    getJson<DuePage>(`/v1/due?${api}`).then(setData, (e) => setError(e.message));
  }, [key, offset]);
  const go = (o: number) => {
    const next = new URLSearchParams(query);
    if (o) next.set('offset', String(o));
    navigate(`${BASE}/due${next.toString() ? '?' + next : ''}`);
  };
  const apply = (e: Event) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (form.agency) next.set('agency', form.agency);
    next.set('rollup', form.rollup);
    if (form.status) next.set('status', form.status);
    if (form.within) next.set('within', form.within);
    if (form.q) next.set('q', form.q);
    navigate(`${BASE}/due?${next}`);
  };
  const set = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.target as HTMLInputElement).type === 'checkbox'
      ? ((e.target as HTMLInputElement).checked ? '1' : '0') : (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="due-title">
      <h1 id="due-title">{t('dueTitle')}</h1>
      <form class="filters" onSubmit={apply} role="search">
        <div><label for="f-agency">{t('agency')}</label>
          <input id="f-agency" value={form.agency} placeholder={me.agencyId} onInput={set('agency')} /></div>
        <div><label for="f-rollup">{t('includeSubtree')}</label>
          <input id="f-rollup" type="checkbox" checked={form.rollup === '1'} disabled={!me.rollup}
            onChange={set('rollup')} /></div>
        <div><label for="f-status">{t('status')}</label>
          <select id="f-status" value={form.status} onChange={set('status')}>
            <option value="">{t('statusAll')}</option>
            <option value="overdue">{t('statusOverdue')}</option>
            <option value="lapsed">{t('statusLapsed')}</option>
            <option value="correction">{t('statusCorrection')}</option>
            <option value="consultation">{t('statusConsultation')}</option>
            <option value="fee">{t('statusFee')}</option>
          </select></div>
        <div><label for="f-within">{t('within')}</label>
          <input id="f-within" type="number" min="0" value={form.within} onInput={set('within')} /></div>
        <div><label for="f-q">{t('search')}</label>
          <input id="f-q" type="search" value={form.q} onInput={set('q')} /></div>
        <button type="submit">{t('apply')}</button>
      </form>
      {error && <ErrorBox error={error} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <p aria-live="polite">{t('asOfDay', data.asOf)} · {data.total === 0 ? t('none')
            : t('total', data.total, data.offset + 1, data.offset + data.cases.length)}</p>
          {data.cases.length > 0 && (
            <table id="due-table">
              <caption class="help">{t('dueTitle')}</caption>
              <thead><tr>
                <th scope="col">{t('caseId')}</th><th scope="col">{t('agency')}</th><th scope="col">{t('dueOn')}</th>
                <th scope="col">{t('standing')}</th><th scope="col">{t('waitingFor')}</th><th scope="col">{t('flags')}</th>
              </tr></thead>
              <tbody>
                {data.cases.map((c) => (
                  <tr key={c.caseId}>
                    <td><Link href={`${BASE}/cases/${enc(c.caseId)}`}>{c.caseId}</Link></td>
                    <td>{c.agencyId}</td>
                    <td>{c.dueOn ?? t('noDueDate')}</td>
                    <td class={c.workingDaysOverdue !== undefined ? 'overdue' : ''}>
                      {c.workingDaysOverdue !== undefined ? t('daysOverdue', c.workingDaysOverdue)
                        : c.workingDaysLeft !== undefined ? t('daysLeft', c.workingDaysLeft) : c.standing}</td>
                    <td>{c.waitingForCodes.map((w) => t('w_' + w)).join('、')}</td>
                    <td>{c.applicantLapsed && <span class="overdue">{t('lapsed', term(c.lapseOutcome ?? ''))}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div class="pager">
            <button type="button" class="secondary" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE))}>
              {t('prev')}</button>
            <button type="button" class="secondary" disabled={offset + PAGE >= data.total} onClick={() => go(offset + PAGE)}>
              {t('next')}</button>
          </div>
        </>
      )}
    </section>
  );
}
