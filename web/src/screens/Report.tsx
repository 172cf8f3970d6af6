// 年度报告: the official tables (parts 二, 三, 四 and the fee line) of an agency (or its roll-up) and year, every
// nonzero cell a link to its cases; "as of" an instant, the diff against today with the late entries behind each
// changed cell; downloads, and the whole document signed on a date; the report's digest and whether the log still
// extends it. A cell's cases, paged on the server.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, getJson, getResponse, session } from '../api';
import { APPEAL_COLUMNS, APPEAL_GROUPS, COLUMNS, label, ROWS, t } from '../i18n';
import { BASE, navigate, Route } from '../router';
import { ErrorBox, Link, Loading } from './common';

type Cells = Record<string, Record<string, number>>;
interface Report {
  agency: string; agencyName: string; rollup: boolean; year: number; asOf: string | null; position: number; hash: string;
  proactive: any; applications: Cells; appeals: Cells; fees: { applications: number; amountYuan: string };
}

function reportPath(agency: string, year: string | number) { return `/v1/reports/${enc(agency)}/${year}`; }

export function ReportPickScreen() {
  const me = session.get()!;
  const [agency, setAgency] = useState(me.agencyId);
  const [year, setYear] = useState(String(new Date().getFullYear() - 1));
  const [rollup, setRollup] = useState(me.rollup);
  return (
    <section aria-labelledby="pick-title">
      <h1 id="pick-title">{t('navReport')}</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault();
        navigate(`${BASE}/reports/${enc(agency)}/${year}${rollup ? '?rollup=1' : ''}`); }}>
        <div><label for="r-agency">{t('agency')}</label>
          <input id="r-agency" value={agency} required onInput={(e) => setAgency((e.target as HTMLInputElement).value)} /></div>
        <div><label for="r-year">{t('year')}</label>
          <input id="r-year" type="number" min="1000" max="9999" value={year} required
            onInput={(e) => setYear((e.target as HTMLInputElement).value)} /></div>
        <div><label for="r-rollup">{t('rollupLabel')}</label>
          <input id="r-rollup" type="checkbox" checked={rollup} disabled={!me.rollup}
            onChange={(e) => setRollup((e.target as HTMLInputElement).checked)} /></div>
        <button type="submit">{t('show')}</button>
      </form>
    </section>
  );
}

function cellHref(r: Report, section: string, row: string, col: string, asOf: string | null) {
  const q = new URLSearchParams();
  if (r.rollup) q.set('rollup', '1');
  if (asOf) q.set('asOf', asOf);
  return `${BASE}/reports/${enc(r.agency)}/${r.year}/cells/${section}/${row}/${col}${q.toString() ? '?' + q : ''}`;
}

function Num({ r, section, row, col, asOf, was }: {
  r: Report; section: string; row: string; col: string; asOf: string | null; was?: number;
}) {
  const v = (section === 'applications' ? r.applications : r.appeals)[row]?.[col] ?? 0;
  const changed = was !== undefined && was !== v;
  return (
    <td class={`num${changed ? ' changed' : ''}`}>
      {v !== 0 ? <Link href={cellHref(r, section, row, col, asOf)}>{v}</Link> : v}
      {changed && <div class="help">{t('was', was!)}</div>}
    </td>
  );
}

function Tables({ r, asOf, base }: { r: Report; asOf: string | null; base?: Report }) {
  const p = r.proactive;
  return (
    <>
      <h2>{t('part2')}</h2>
      <table id="part2">
        <thead><tr><th scope="col"></th><th scope="col">本年制发件数</th><th scope="col">本年废止件数</th><th scope="col">现行有效件数</th></tr></thead>
        <tbody>
          <tr><th scope="row">规章</th><td class="num">{p.regulations.issued}</td><td class="num">{p.regulations.repealed}</td><td class="num">{p.regulations.in_force}</td></tr>
          <tr><th scope="row">行政规范性文件</th><td class="num">{p.normative_documents.issued}</td><td class="num">{p.normative_documents.repealed}</td><td class="num">{p.normative_documents.in_force}</td></tr>
          <tr><th scope="row">行政许可（本年处理决定数量）</th><td class="num" colSpan={3}>{p.licensing.decisions}</td></tr>
          <tr><th scope="row">行政处罚</th><td class="num" colSpan={3}>{p.penalty.decisions}</td></tr>
          <tr><th scope="row">行政强制</th><td class="num" colSpan={3}>{p.enforcement.decisions}</td></tr>
          <tr><th scope="row">行政事业性收费（万元）</th><td class="num" colSpan={3}>{p.administrative_fees.amount_wan_yuan}</td></tr>
        </tbody>
      </table>
      <h2>{t('part3')}</h2>
      <table id="part3">
        <thead><tr><th scope="col"></th>{COLUMNS.map((c) => <th scope="col" key={c[0]}>{label(c)}</th>)}</tr></thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row[0]}>
              <th scope="row">{row[0] === 'disclosed' && <div>三、本年度办理结果</div>}{label(row)}</th>
              {COLUMNS.map((c) => <Num key={c[0]} r={r} section="applications" row={row[0]} col={c[0]} asOf={asOf}
                was={base ? base.applications[row[0]]?.[c[0]] ?? 0 : undefined} />)}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('part4')}</h2>
      <table id="part4">
        <thead><tr><th scope="col"></th>{APPEAL_COLUMNS.map((c) => <th scope="col" key={c[0]}>{label(c)}</th>)}</tr></thead>
        <tbody>
          {APPEAL_GROUPS.map((g) => (
            <tr key={g[0]}><th scope="row">{label(g)}</th>
              {APPEAL_COLUMNS.map((c) => <Num key={c[0]} r={r} section="appeals" row={g[0]} col={c[0]} asOf={asOf}
                was={base ? base.appeals[g[0]]?.[c[0]] ?? 0 : undefined} />)}</tr>
          ))}
        </tbody>
      </table>
      <p id="fee-line">{t('feeLine', r.fees.applications, r.fees.amountYuan)}</p>
    </>
  );
}

interface Change { section: string; row: string; col: string; before: number; after: number; }
function changes(before: Report, after: Report): Change[] {
  const out: Change[] = [];
  for (const section of ['applications', 'appeals'] as const)
    for (const [row, cols] of Object.entries(after[section]))
      for (const [col, v] of Object.entries(cols)) {
        const b = before[section][row]?.[col] ?? 0;
        if (b !== v) out.push({ section, row, col, before: b, after: v });
      }
  return out;
}

// The cases that moved one changed cell since the as-of instant, from /changes: each that entered (+) with the
// event that put it there, each that left (−) with the first later event that took it out.
function LateEntries({ r, change, asOf }: { r: Report; change: Change; asOf: string }) {
  const [entries, setEntries] = useState<any[] | null>(null);
  const [looked, setLooked] = useState<[number, number]>([0, 0]);
  useEffect(() => {
    const q = new URLSearchParams({ asOf, offset: '0', limit: String(CELL_MAX) });
    if (r.rollup) q.set('rollup', '1');
    getJson(`${reportPath(r.agency, r.year)}/cells/${change.section}/${change.row}/${change.col}/changes?${q}`).then(
      (changes: any) => {
        setEntries(changes.changes);
        setLooked([changes.changes.length, changes.total]);
      }, () => setEntries([]));
  }, []);
  return (
    <li class={entries ? 'loaded' : 'loading'}>{change.section}/{change.row}/{change.col}: {change.before} → {change.after}
      {looked[0] < looked[1] && <span class="help"> {t('lateTruncated', looked[0], looked[1])}</span>}
      {entries && entries.length > 0 && <ul>{entries.map((e) => (
        <li key={e.agencyId + e.caseId}>
          <span class={e.now > e.was ? 'entered' : 'left'}>{t(e.now > e.was ? 'lateEntered' : 'lateLeft')}</span>{' '}
          <Link href={`${BASE}/cases/${enc(e.caseId)}`}>{e.caseId}</Link> · {t('s_' + e.step)} · #{e.version} · {e.occurredOn}
          {' '}· {t('atPosition', e.position)}
        </li>
      ))}</ul>}
    </li>
  );
}

export function ReportScreen({ route }: { route: Route }) {
  const [agency, year] = route.params;
  const rollup = route.query.get('rollup') === '1';
  const asOf = route.query.get('asOf');
  const diff = route.query.get('diff') === '1';
  const [report, setReport] = useState<Report | null>(null);
  const [today, setToday] = useState<Report | null>(null);
  const [error, setError] = useState('');
  const [asOfInput, setAsOfInput] = useState(asOf ?? '');
  const [check, setCheck] = useState<any>(null);
  const params = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    if (rollup) q.set('rollup', '1');
    for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
    return q.toString();
  };
  useEffect(() => {
    getJson<Report>(`${reportPath(agency, year)}?${params({ format: 'json', asOf: asOf ?? '' })}`).then(setReport,
      (e) => setError(e.message));
    if (asOf && diff) getJson<Report>(`${reportPath(agency, year)}?${params({ format: 'json' })}`).then(setToday, () => {});
  }, []);
  if (error) return <section><h1>{t('navReport')}</h1><ErrorBox error={error} /></section>;
  if (!report) return <Loading />;
  const digest = `${report.position}:${report.hash}`;
  const shown = diff && today ? today : report;
  const changed = diff && today ? changes(report, today) : [];
  const go = (extra: Record<string, string>) => navigate(`${BASE}/reports/${enc(agency)}/${year}?${params(extra)}`);
  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">{t('reportTitle', report.year, report.agencyName || report.agency)}{report.rollup ? ` · ${t('rollupLabel')}` : ''}</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); go({ asOf: asOfInput }); }}>
        <div><label for="as-of">{t('asOf')}</label>
          <input id="as-of" value={asOfInput} placeholder="2024-01-31T00:00:00Z"
            onInput={(e) => setAsOfInput((e.target as HTMLInputElement).value)} /></div>
        <button type="submit">{t('show')}</button>
        {asOf && <button type="button" class="secondary" id="diff-button" onClick={() => go({ asOf, diff: '1' })}>{t('diff')}</button>}
      </form>
      <p>{t('digest')}: <span class="digest" id="report-digest">{digest}</span>{' '}
        <button type="button" class="secondary" id="check-digest" onClick={() =>
          getJson(`/v1/digest?check=${enc(digest)}`).then(setCheck, (e) => setCheck({ extends: false, message: e.message }))}>
          {t('verifyDigest')}</button></p>
      {check && <p role="status" class={check.extends ? 'ok' : 'error'}>
        {check.extends ? t('extendsYes', check.eventsSince) : t('extendsNo', check.message)}</p>}
      <div class="downloads"><span>{t('download')}:</span>
        {['csv', 'json', 'md', 'html', 'text'].map((f) => (
          <a key={f} download={`${agency}-${year}.${f === 'text' ? 'txt' : f}`}
            href={`${reportPath(agency, year)}?${params({ format: f, asOf: asOf ?? '' })}`}>{f}</a>))}
      </div>
      <DocumentForm agency={agency} year={year} query={(extra) => params({ ...extra, asOf: asOf ?? '' })} />
      {diff && today && (
        <section aria-labelledby="diff-title">
          <h2 id="diff-title">{t('changed', changed.length)}</h2>
          <p class="help">{t('lateEntries')}</p>
          <ul id="changes">{changed.map((c) => <LateEntries key={c.section + c.row + c.col} r={today} change={c} asOf={asOf!} />)}</ul>
        </section>
      )}
      <Tables r={shown} asOf={diff ? null : asOf} base={diff && today ? report : undefined} />
    </section>
  );
}

// The whole document (GET /v1/reports/…?document=1&date=…): fetched, so that the server's refusal (no date, a date
// that is not one) shows beside the date field and the document's warnings (X-Ogi-Warnings) are listed; then saved.
function DocumentForm({ agency, year, query }: {
  agency: string; year: string; query: (extra: Record<string, string>) => string;
}) {
  const [date, setDate] = useState('');
  const [format, setFormat] = useState('html');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ url: string; name: string; count: number; warnings: string[] } | null>(null);
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => () => { if (done) URL.revokeObjectURL(done.url); }, [done]);
  useEffect(() => { link.current?.click(); }, [done]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    setDone(null);
    try {
      const r = await getResponse(`${reportPath(agency, year)}?${query({ document: '1', date, format })}`);
      const text = r.headers.get('X-Ogi-Warnings-Text');
      const warnings = text ? decodeURIComponent(text).split('\n').filter((w) => w) : [];
      const count = Number(r.headers.get('X-Ogi-Warnings') ?? warnings.length) || 0;
      const url = URL.createObjectURL(await r.blob());
      setDone({ url, name: `${agency.replace(/\//g, '_')}-${year}-${date}.${format}`, count, warnings });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="doc-title">
      <h2 id="doc-title">{t('wholeDocument')}</h2>
      <p class="help" id="doc-help">{t('docHelp')}</p>
      <form class="filters" id="doc-form" onSubmit={submit} aria-describedby="doc-help">
        <div><label for="doc-date">{t('docDate')}</label>
          <input id="doc-date" type="date" value={date} aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'doc-date-error' : undefined}
            onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
          {error && <span role="alert" class="field-error" id="doc-date-error">{t('docRefused')}{error}</span>}</div>
        <div><label for="doc-format">{t('docFormat')}</label>
          <select id="doc-format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
            <option value="html">html</option><option value="md">md</option>
          </select></div>
        <button type="submit" id="doc-download" aria-busy={busy ? 'true' : undefined}>{t('docDownload')}</button>
      </form>
      {done && (
        <div role="status" id="doc-status">
          <p class={done.count ? 'error' : 'ok'}>{t('docReady', done.count)}{' '}
            <a ref={link} id="doc-link" href={done.url} download={done.name}>{done.name}</a></p>
          {done.warnings.length > 0 && <ul id="doc-warnings">{done.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
        </div>
      )}
    </section>
  );
}

// A cell's cases a page at a time: GET …/cells/…?offset=&limit= answers {total, offset, limit, cases: the page}. A
// server that does not page (no `total`) answers every case: the page is then cut here, so the screen reads both.
export const CELL_PAGE = 100;
const CELL_MAX = 1000;
interface CellPage { total: number; offset: number; cases: any[]; }
function pageOf(cell: any, offset: number, limit: number): CellPage {
  if (typeof cell.total === 'number') return { total: cell.total, offset: cell.offset ?? offset, cases: cell.cases };
  return { total: cell.cases.length, offset, cases: cell.cases.slice(offset, offset + limit) };
}

export function CellScreen({ route }: { route: Route }) {
  const [agency, year, , section, row, col] = route.params;
  const rollup = route.query.get('rollup') === '1';
  const asOf = route.query.get('asOf');
  // ?limit= (1–1000) sets the page size, e.g. for a small page in a test; ?offset= the first case shown.
  const limitParam = route.query.get('limit');
  const limit = Math.min(CELL_MAX, Math.max(1, Math.floor(Number(limitParam)) || CELL_PAGE));
  const offset = Math.max(0, Math.floor(Number(route.query.get('offset'))) || 0);
  const [cell, setCell] = useState<CellPage | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const q = new URLSearchParams();
  if (rollup) q.set('rollup', '1');
  if (asOf) q.set('asOf', asOf);
  const key = q.toString();
  useEffect(() => {
    // The page shown stays until the next one is in, so a pager button keeps the keyboard focus.
    setBusy(true);
    setError('');
    const api = new URLSearchParams(q);
    api.set('offset', String(offset));
    api.set('limit', String(limit));
    getJson(`${reportPath(agency, year)}/cells/${enc(section)}/${enc(row)}/${enc(col)}?${api}`).then(
      (c) => { setCell(pageOf(c, offset, limit)); setBusy(false); },
      (e) => { setError(e.message); setBusy(false); });
  }, [key, offset, limit]);
  const go = (o: number) => {
    const next = new URLSearchParams(q);
    if (o) next.set('offset', String(o));
    if (limitParam) next.set('limit', String(limit));
    navigate(`${BASE}/reports/${enc(agency)}/${year}/cells/${enc(section)}/${enc(row)}/${enc(col)}` +
      `${next.toString() ? '?' + next : ''}`, { keepFocus: true });
  };
  const rowLabel = [...ROWS, ...APPEAL_GROUPS].find((r) => r[0] === row);
  const colLabel = [...COLUMNS, ...APPEAL_COLUMNS].find((c) => c[0] === col);
  return (
    <section aria-labelledby="cell-title" aria-busy={busy ? 'true' : undefined}>
      <h1 id="cell-title">{t('cellTitle', rowLabel ? label(rowLabel) : row, colLabel ? label(colLabel) : col)}</h1>
      <p><Link href={`${BASE}/reports/${enc(agency)}/${year}?${q}`}>{t('backToReport')}</Link></p>
      {error && <ErrorBox error={error} />}
      {!cell && !error && <Loading />}
      {cell && (
        <>
          <p aria-live="polite" id="cell-range">{cell.total === 0 ? t('cellNone')
            : t('cellRange', cell.offset + 1, cell.offset + cell.cases.length, cell.total)}</p>
          {cell.cases.length > 0 && (
            <table id="cell-cases">
              <thead><tr><th scope="col">{t('caseId')}</th><th scope="col">{t('agency')}</th><th scope="col">{t('event')}</th>
                <th scope="col">#</th><th scope="col">{t('effective')}</th></tr></thead>
              <tbody>{cell.cases.map((c: any) => (
                <tr key={c.caseId}><td><Link href={`${BASE}/cases/${enc(c.caseId)}`}>{c.caseId}</Link></td><td>{c.agencyId}</td>
                  <td>{t('s_' + c.step)}</td><td>{c.version}</td><td>{c.occurredOn}</td></tr>))}</tbody>
            </table>
          )}
          {cell.total > limit && (
            <nav class="pager" aria-label={t('cellPager')}>
              <button type="button" class="secondary" id="cell-prev" disabled={offset === 0}
                onClick={() => { if (!busy) go(Math.max(0, offset - limit)); }}>{t('prev')}</button>
              <button type="button" class="secondary" id="cell-next" disabled={offset + limit >= cell.total}
                onClick={() => { if (!busy) go(offset + limit); }}>{t('next')}</button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
