// Browser tests of the web console (docs/CONSOLE.md), run by ctest: a real `ogi serve` on a free loopback port
// over a demo store, driven by Debian's Chromium (headless) through playwright-core, with axe-core run on every
// screen. Usage: node console_test.mjs OGI_BINARY WEB_DIR SCREENSHOT_DIR
// Synchronises on the page's own content (no sleeps, no timing thresholds).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const [ogi, webDir, shots] = process.argv.slice(2);
if (!ogi || !webDir || !shots) {
  console.error('usage: node console_test.mjs OGI_BINARY WEB_DIR SCREENSHOT_DIR');
  process.exit(2);
}
const require = createRequire(resolve(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(shots, { recursive: true });

const env = { ...process.env, OGI_LANG: 'zh' };
const db = mkdtempSync(join(tmpdir(), 'ogi-console-'));
const run = (...args) => execFileSync(ogi, ['--db', db, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
const token = (...args) => run('token', 'create', ...args).trim().split('\n').pop();

run('demo');
// The demo store: the seed agency wltzq-jyj, and a generated city whose agencies are listed by `ogi export`.
const agencies = run('export').split('\n').filter((l) => l.includes('agencyRegistered')).map((l) => JSON.parse(l));
const root = agencies.find((a) => !a.agencyRegistered.parentId && !a.agencyId.startsWith('wltzq')).agencyId;
const child = agencies.find((a) => a.agencyRegistered.parentId === root).agencyId;
// Open cases for the work list (the demo's are all concluded): 60 received over the last 90 days in dept-A, so
// some are overdue and the list has two pages, and one waiting for a correction whose time ran out.
const agencyA = child;
const agencyB = agencies.find((a) => a.agencyRegistered.parentId === root && a.agencyId !== child).agencyId;
const day = (daysAgo) => new Date(Date.now() + 8 * 3600e3 - daysAgo * 86400e3).toISOString().slice(0, 10);
const open = [];
for (let i = 1; i <= 60; i++) {
  open.push({ eventId: `console-open-${i}`, caseId: `${agencyA}-OPEN-${String(i).padStart(3, '0')}`, agencyId: agencyA,
    occurredOn: day(i * 3 % 90 + 1), received: { applicant: { category: 'NATURAL_PERSON', name: `张${i}` }, channel: 'ONLINE' } });
}
open.push({ eventId: 'console-lapsed-r', caseId: `${agencyA}-LAPSED-1`, agencyId: agencyA, occurredOn: day(40),
  received: { applicant: { category: 'NATURAL_PERSON', name: '李某' } } });
open.push({ eventId: 'console-lapsed-c', caseId: `${agencyA}-LAPSED-1`, occurredOn: day(39),
  correctionRequested: { dueOn: day(30) } });
open.push({ eventId: 'console-b-1', caseId: `${agencyB}-OPEN-001`, agencyId: agencyB, occurredOn: day(2),
  received: { applicant: { category: 'NATURAL_PERSON', name: '赵某' } } });
execFileSync(ogi, ['--db', db, 'import', '-'], { env, input: open.map((e) => JSON.stringify(e)).join('\n') + '\n' });
const caseA = `${agencyA}-OPEN-001`;
const clerk = token('--name', 'clerk-wang', '--agency', agencyA, '--scope', 'append,read,report');
const city = token('--name', 'city-auditor', '--agency', root, '--rollup', '--scope', 'read,report,personal');
const other = token('--name', 'clerk-li', '--agency', agencyB, '--scope', 'append,read,report');

const server = spawn(ogi, ['--db', db, 'serve', '--grpc', '', '--http', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverErr = '';
server.stderr.on('data', (d) => { serverErr += d; });
const firstLine = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`ogi serve exited ${code}: ${serverErr}`)));
});
// The first line is in the process's language (docs/MESSAGES.md); the addresses are read from the info file it
// has written by then.
assert.ok(firstLine.includes(db), firstLine);
const base = 'http://' + JSON.parse(readFileSync(join(db, 'ogi-serve.json'), 'utf8')).http;

const browser = await chromium.launch({ executablePath: process.env.OGI_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox'] });
let failures = 0;
async function test(name, fn) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) violations.push(m.text()); });
  try {
    await fn(page, context);
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
    console.log(`ok - ${name}`);
  } catch (err) {
    failures++;
    console.log(`not ok - ${name}\n${err.stack}`);
    await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  } finally {
    await context.close();
  }
}

async function signIn(page, secret, path = '/console/due') {
  await page.goto(base + path);
  await page.fill('#token', secret);
  await page.click('button[type=submit]');
  await page.locator('#signout').waitFor();
}

// axe-core on the page as it is: no serious or critical violation.
async function axe(page, screen) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${screen}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(' ')}`), []);
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function eventsOf(context, caseId) {
  const r = await context.request.get(`${base}/v1/cases/${encodeURIComponent(caseId)}`);
  assert.equal(r.status(), 200);
  return (await r.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

await test('pages: deep links answer the app with CSP, compression and cache headers', async (page, context) => {
  for (const path of ['/console/', '/console/due', '/console/cases/' + caseA,
    `/console/reports/${agencyA}/2023?rollup=1`, `/console/reports/${agencyA}/2023/cells/applications/new/total`]) {
    const r = await context.request.get(base + path, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(r.status(), 200, path);
    assert.match(r.headers()['content-type'], /text\/html/);
    assert.match(r.headers()['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(r.headers()['content-security-policy'], /unsafe-inline/);
    assert.equal(r.headers()['content-encoding'], 'gzip', path);
    assert.equal(r.headers()['cache-control'], 'no-cache');
    const html = await r.text();
    assert.doesNotMatch(html, /-OPEN-\d{3}/, 'the page holds no case data');
  }
  const html = await (await context.request.get(base + '/console/')).text();
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)[1];
  const asset = await context.request.get(base + script);
  assert.equal(asset.status(), 200);
  assert.match(asset.headers()['cache-control'], /immutable/);
  const etag = asset.headers()['etag'];
  const again = await context.request.get(base + script, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status(), 304);
});

await test('no session: every deep link shows the sign-in form and no case data', async (page, context) => {
  for (const path of ['/console/due', '/console/cases/' + caseA, `/console/reports/${agencyA}/2023`,
    `/console/reports/${agencyA}/2023/cells/applications/new/total`, '/console/verify']) {
    await page.goto(base + path);
    await page.locator('#token').waitFor();
    assert.doesNotMatch(await page.content(), /-OPEN-\d{3}/, path);
  }
  await axe(page, 'sign-in');
  await shot(page, 'signin');
  for (const api of ['/v1/due', '/v1/cases/' + caseA, '/v1/digest', '/console/api/session'])
    assert.equal((await context.request.get(base + api)).status(), 401, api);
});

await test('sign-in: a wrong token is refused and says so', async (page) => {
  await page.goto(base + '/console/due');
  await page.fill('#token', 'ogi_00000000_wrong');
  await page.click('button[type=submit]');
  await page.locator('#signin-error').waitFor();
  assert.equal(await page.locator('#signout').count(), 0);
});

await test('sign-in, the cookie is HttpOnly and SameSite=Strict, sign-out ends the session', async (page, context) => {
  await signIn(page, clerk);
  const cookies = await context.cookies();
  const c = cookies.find((x) => x.name === 'ogi_session');
  assert.ok(c && c.httpOnly && c.sameSite === 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'script cannot read the session');
  // A write with the cookie but without the CSRF header is refused and writes nothing.
  const before = (await eventsOf(context, caseA)).length;
  const forged = await context.request.post(`${base}/v1/events`, { headers: { 'Content-Type': 'application/json' },
    data: JSON.stringify({ caseId: caseA, occurredOn: '2024-01-02', archived: {} }) });
  assert.equal(forged.status(), 403);
  assert.equal((await eventsOf(context, caseA)).length, before);
  await page.click('#signout');
  await page.locator('#token').waitFor();
  assert.equal((await context.request.get(`${base}/v1/due`, { headers: { Cookie: `ogi_session=${c.value}` } })).status(), 401);
});

let openCase;
await test('待办: the open cases by due date, filters, paging, to the case page', async (page) => {
  await signIn(page, city, '/console/due');
  await page.locator('#due-table tbody tr').first().waitFor();
  await axe(page, 'due');
  await shot(page, 'due');
  const rows = await page.locator('#due-table tbody tr').count();
  assert.ok(rows > 0 && rows <= 50);
  assert.equal(rows, 50);
  assert.ok(await page.locator('#due-table td.overdue').count() > 0, 'overdue cases shown in red');
  await page.click('.pager button:nth-child(2)');
  await page.waitForURL(/offset=50/);
  await page.locator('#due-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#due-table tbody tr').count(), 12);
  await page.selectOption('#f-status', 'lapsed');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/status=lapsed/);
  await page.locator('#due-table tbody tr').first().waitFor();
  assert.match(await page.locator('#due-table').textContent(), /LAPSED-1/);
  await page.selectOption('#f-status', '');
  openCase = await page.locator('#due-table tbody tr td a').first().textContent();
  await page.fill('#f-q', openCase);
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/q=/);
  await page.locator('#due-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#due-table tbody tr').count(), 1);
  await page.locator('#due-table tbody tr td a').first().click();
  await page.locator('#timeline').waitFor();
  assert.match(page.url(), /\/console\/cases\//);
});

await test('case page: timeline, deadline, personal data masked without personal', async (page) => {
  await signIn(page, clerk, '/console/cases/' + caseA);
  await page.locator('#timeline tbody tr').first().waitFor();
  await page.locator('#deadline').waitFor();
  const text = await page.locator('#timeline').textContent();
  assert.match(text, /收到申请/);
  await axe(page, 'case');
  await shot(page, 'case');
});

await test('step forms: a refusal is shown beside its field and writes nothing; an allowed step is recorded', async (page, context) => {
  await signIn(page, clerk, '/console/new');
  // 收到申请, dated in 2024 so that it changes that year's report after the as-of instant below.
  const asOf = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const id = `${agencyA}-2024-CONSOLE-1`;
  await page.fill('#new-occurredOn', '2024-06-03');
  await page.fill('#new-caseId', id);
  await page.fill('#new-agencyId', agencyA);
  await page.selectOption('#new-applicant-category', 'NATURAL_PERSON');
  await page.fill('#new-applicant-name', '王某');
  await axe(page, 'new-application');
  await page.click('form.step button[type=submit]');
  await page.locator('#timeline').waitFor();
  assert.match(page.url(), new RegExp(id));
  const before = (await eventsOf(context, id)).length;
  // 延期 beyond 20 working days: refused, the error beside 延长的工作日数, nothing written.
  await page.selectOption('#step-choice', 'extended');
  await page.fill('#step-workingDays', '30');
  await page.click('form.step button[type=submit]');
  await page.locator('#step-workingDays-error').waitFor();
  assert.equal(await page.locator('#step-workingDays').getAttribute('aria-invalid'), 'true');
  assert.equal((await eventsOf(context, id)).length, before);
  await axe(page, 'step-refused');
  await shot(page, 'step-refused');
  // 收到补正 with no correction requested: refused (a lifecycle refusal), nothing written.
  await page.selectOption('#step-choice', 'correctionReceived');
  await page.fill('#step-occurredOn', '2024-06-04');
  await page.click('form.step button[type=submit]');
  await page.locator('form.step [role=alert]').waitFor();
  assert.equal((await eventsOf(context, id)).length, before);
  // Each step form in turn: 补正告知, 收到补正, 征求意见, 延期, 审核, 收费通知, 缴费, 答复, 归档, 复议.
  const steps = [
    ['correctionRequested', { '#step-dueOn': '2024-06-20' }],
    ['correctionReceived', {}],
    ['consultationStarted', { '#step-consultationId': 'C1' }, { '#step-party': 'THIRD_PARTY' }],
    ['consultationEnded', { '#step-consultationId': 'C1' }, { '#step-opinion': 'CONSENT' }],
    ['extended', { '#step-workingDays': '5' }],
    ['reviewed', { '#step-reviewer': '李某' }, { '#step-decision': 'APPROVED' }],
    ['feeNoticed', { '#step-amountFen': '10000' }, { '#step-method': 'PER_APPLICATION' }],
    ['feePaid', { '#step-amountFen': '10000' }],
    ['answered', {}, { '#step-outcome': 'PARTIALLY_DISCLOSED' }],
    ['archived', { '#step-archiveRef': 'A-1' }],
    ['appealFiled', { '#step-appealId': 'F1', '#step-body': '乌拉特中旗人民政府' }, { '#step-kind': 'RECONSIDERATION' }],
  ];
  let n = before;
  for (const [payload, fills, selects = {}] of steps) {
    await page.selectOption('#step-choice', payload);
    await page.fill('#step-occurredOn', '2024-06-05');
    for (const [sel, v] of Object.entries(fills)) await page.fill(sel, v);
    for (const [sel, v] of Object.entries(selects)) await page.selectOption(sel, v);
    await page.click('form.step button[type=submit]');
    await page.locator('p[role=status].ok').waitFor();
    n++;
    const events = await eventsOf(context, id);
    assert.equal(events.length, n, payload);
    assert.ok(payload in events[events.length - 1], payload);
  }
  await shot(page, 'case-steps');
  // The as-of report of 2024 and its diff against today: the new case is a late entry of a changed cell.
  await page.goto(`${base}/console/reports/${agencyA}/2024?asOf=${encodeURIComponent(asOf)}&diff=1`);
  await page.locator('#changes li li').first().waitFor();
  // Each changed cell lists the cases that moved it: this one counted in (+), with the event that put it there.
  assert.match(await page.locator('#changes').textContent(), new RegExp(`\\+ 计入 ${id} · 收到申请`));
  await axe(page, 'report-diff');
  await shot(page, 'report-diff');
});

await test('年度报告: tables, a cell opened to its cases, then the case page; digest verified', async (page) => {
  await signIn(page, clerk, `/console/reports/${agencyA}/2023`);
  await page.locator('#part3').waitFor();
  await axe(page, 'report');
  await shot(page, 'report');
  await page.click('#check-digest');
  await page.locator('p[role=status].ok').waitFor();
  await page.locator('#part3 td.num a').first().click();
  await page.locator('#cell-cases tbody tr').first().waitFor();
  // The first linked cell is 新收 (new): each case with the step that put it there, in Chinese.
  const steps = await page.locator('#cell-cases tbody').textContent();
  assert.match(steps, /收到申请/);
  assert.doesNotMatch(steps, /received/);
  await axe(page, 'cell');
  await shot(page, 'cell');
  await page.locator('#cell-cases tbody tr td a').first().click();
  await page.locator('#timeline').waitFor();
});

await test('年度报告: the whole document, signed on a date, with its warnings; no date is refused beside the field', async (page) => {
  await signIn(page, clerk, `/console/reports/${agencyA}/2023`);
  await page.locator('#doc-download').waitFor();
  const label = await page.locator('label[for=doc-date]').textContent();
  assert.match(label, /签发日期/);
  // No date: the server's refusal names the parameter, shown beside the date field; nothing downloaded.
  await page.click('#doc-download');
  await page.locator('#doc-date-error').waitFor();
  assert.match(await page.locator('#doc-date-error').textContent(), /未生成全文.*date/);
  assert.equal(await page.locator('#doc-date').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#doc-link').count(), 0);
  await axe(page, 'report-document-refused');
  // With a date, by the keyboard: the document downloads, holds the report's heading and the date as signed.
  await page.fill('#doc-date', '2024-01-20');
  const downloading = page.waitForEvent('download');
  await page.focus('#doc-download');
  await page.keyboard.press('Enter');
  const download = await downloading;
  assert.match(download.suggestedFilename(), /2023-2024-01-20\.html$/);
  const html = readFileSync(await download.path(), 'utf8');
  assert.match(html, /<h1>[^<]*2023年政府信息公开工作年度报告<\/h1>/);
  assert.match(html, /2024年1月20日/);
  assert.match(html, /三、收到和处理政府信息公开申请情况/);
  // The demo's generated agencies have no narratives: each missing part is a warning, listed in Chinese.
  await page.locator('#doc-status').waitFor();
  assert.match(await page.locator('#doc-status').textContent(), /3 处提示/);
  assert.equal(await page.locator('#doc-warnings li').count(), 3);
  assert.match(await page.locator('#doc-warnings').textContent(), /document\/overview.*总体情况/);
  await axe(page, 'report-document');
  await shot(page, 'report-document');
  // md too; the API answers the same document to a script, and the same refusal.
  await page.selectOption('#doc-format', 'md');
  const md = page.waitForEvent('download');
  await page.click('#doc-download');
  const mdText = readFileSync(await (await md).path(), 'utf8');
  assert.match(mdText, /^# .*2023年政府信息公开工作年度报告/m);
  assert.match(mdText, /2024年1月20日/);
  const api = await page.context().request.get(`${base}/v1/reports/${agencyA}/2023?document=1`);
  assert.equal(api.status(), 400);
  assert.match((await api.json()).error.message, /^date: /);
});

await test('a cell\'s cases a page at a time: previous and next by the keyboard, "第 x–y 条，共 N 条"', async (page, context) => {
  const report = await (await context.request.get(`${base}/v1/reports/${agencyA}/2023?format=json`,
    { headers: { Authorization: `Bearer ${clerk}` } })).json();
  const total = report.applications.new.total;
  assert.ok(total > 200, `the cell has more cases than two pages (${total})`);
  const cellPath = `/console/reports/${agencyA}/2023/cells/applications/new/total`;
  await signIn(page, clerk, cellPath);
  await page.locator('#cell-cases tbody tr').first().waitFor();
  assert.equal(await page.locator('#cell-cases tbody tr').count(), 100);
  assert.equal((await page.locator('#cell-range').textContent()).trim(), `第 1–100 条，共 ${total} 条`);
  assert.ok(await page.locator('#cell-prev').isDisabled());
  const firstPage = await page.locator('#cell-cases tbody tr td a').allTextContents();
  // Next by the keyboard: the button keeps the focus while the next page comes in.
  await page.focus('#cell-next');
  await page.keyboard.press('Enter');
  await page.waitForURL(/offset=100/);
  await page.locator('#cell-range', { hasText: `第 101–200 条，共 ${total} 条` }).waitFor();
  const secondPage = await page.locator('#cell-cases tbody tr td a').allTextContents();
  assert.equal(secondPage.length, 100);
  assert.equal(secondPage.filter((id) => firstPage.includes(id)).length, 0, 'the second page holds other cases');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cell-next');
  await axe(page, 'cell-paged');
  await page.focus('#cell-prev');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !/offset=/.test(u.toString()));
  await page.locator('#cell-range', { hasText: '第 1–100 条' }).waitFor();
  assert.deepEqual(await page.locator('#cell-cases tbody tr td a').allTextContents(), firstPage);
  // A page size given in the URL is kept while paging; the last page ends at the total and has no next.
  await page.goto(`${base}${cellPath}?limit=7`);
  await page.locator('#cell-cases tbody tr').first().waitFor();
  assert.equal(await page.locator('#cell-cases tbody tr').count(), 7);
  await page.click('#cell-next');
  await page.waitForURL(/offset=7&limit=7|limit=7&offset=7/);
  await page.locator('#cell-range', { hasText: `第 8–14 条，共 ${total} 条` }).waitFor();
  const last = Math.floor((total - 1) / 7) * 7;
  await page.goto(`${base}${cellPath}?limit=7&offset=${last}`);
  await page.locator('#cell-range', { hasText: `第 ${last + 1}–${total} 条，共 ${total} 条` }).waitFor();
  assert.equal(await page.locator('#cell-cases tbody tr').count(), total - last);
  assert.ok(await page.locator('#cell-next').isDisabled());
  await shot(page, 'cell-paged');
});

await test('a cell\'s cases: a server that pages (total, offset, limit, the page\'s cases) is read as one that does not', async (page) => {
  // The paged answer of GET …/cells/…?offset=&limit= (docs/SERVE.md), made here from the full one, so the screen is
  // tested on both shapes; the requests must carry offset and limit.
  const asked = [];
  await page.route('**/v1/reports/**/cells/**', async (route) => {
    const url = new URL(route.request().url());
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    asked.push([offset, limit]);
    const full = await (await route.fetch()).json();
    if (typeof full.total === 'number') return route.fulfill({ json: full });  // the server pages already
    const cases = full.cases.slice(offset, offset + limit);
    await route.fulfill({ json: { ...full, total: full.cases.length, offset, limit, cases } });
  });
  const cellPath = `/console/reports/${agencyA}/2023/cells/applications/new/total`;
  await signIn(page, clerk, `${cellPath}?limit=25`);
  await page.locator('#cell-range', { hasText: '第 1–25 条' }).waitFor();
  const total = Number(/共 (\d+) 条/.exec(await page.locator('#cell-range').textContent())[1]);
  assert.ok(total > 50);
  assert.equal(await page.locator('#cell-cases tbody tr').count(), 25);
  await page.click('#cell-next');
  await page.locator('#cell-range', { hasText: `第 26–50 条，共 ${total} 条` }).waitFor();
  assert.equal(await page.locator('#cell-cases tbody tr').count(), 25);
  assert.deepEqual(asked, [[0, 25], [25, 25]]);
});

await test('roll-up report of a city with drill-down', async (page) => {
  await signIn(page, city, `/console/reports/${root}/2023?rollup=1`);
  await page.locator('#part3 td.num a').first().waitFor();
});

await test('核验: head digest, verification with its result, a digest that the log extends and one it does not', async (page) => {
  await signIn(page, clerk, '/console/verify');
  const digest = (await page.locator('#head-digest').textContent()).trim();
  assert.match(digest, /^\d+:[0-9a-f]{64}$/);
  await page.click('#run-verify');
  await page.locator('#verify-state .ok').waitFor({ timeout: 120000 });
  await page.fill('#digest-input', digest);
  await page.click('form.filters button[type=submit]');
  await page.locator('#digest-result.ok').waitFor();
  await axe(page, 'verify');
  await shot(page, 'verify');
  await page.fill('#digest-input', digest.replace(/:(.)/, (m, c) => ':' + (c === '0' ? '1' : '0')));
  await page.click('form.filters button[type=submit]');
  await page.locator('#digest-result.error').waitFor();
});

await test('scope: a token for one agency cannot see another agency\'s cases, by URL either', async (page, context) => {
  await signIn(page, other, '/console/cases/' + caseA);
  await page.locator('[role=alert]').waitFor();
  assert.match(await page.locator('[role=alert]').textContent(), /unknown case|未知|不存在/i);
  assert.equal(await page.locator('#timeline').count(), 0);
  await page.goto(base + `/console/reports/${agencyA}/2023`);
  await page.locator('[role=alert]').waitFor();
  assert.equal(await page.locator('#part3').count(), 0);
  await page.goto(`${base}/console/due?agency=${agencyA}`);
  await page.locator('[role=alert]').waitFor();
  const due = await context.request.get(`${base}/v1/due?limit=500`);
  assert.equal(due.status(), 200);
  const mine = (await due.json()).cases;
  assert.ok(mine.length > 0);
  for (const c of mine) assert.equal(c.agencyId, agencyB);
  assert.equal((await context.request.get(`${base}/v1/reports/${agencyA}/2023/cells/applications/new/total`)).status(), 403);
  const doc = await context.request.get(`${base}/v1/reports/${agencyA}/2023?document=1&date=2024-01-20`);
  assert.equal(doc.status(), 403);
  assert.doesNotMatch(await doc.text(), /年度报告/);
});

await test('English by the switch', async (page) => {
  await signIn(page, clerk, '/console/due');
  await page.click('header button.link');
  await page.locator('text=Work list').first().waitFor();
  await axe(page, 'due-en');
  // The report screen's document form and a cell's pager in English too (the choice is kept in local storage).
  await page.goto(`${base}/console/reports/${agencyA}/2023`);
  await page.locator('#doc-download').waitFor();
  assert.equal((await page.locator('label[for=doc-date]').textContent()).trim(), 'Date signed');
  assert.equal((await page.locator('#doc-download').textContent()).trim(), 'Download the document');
  await axe(page, 'report-en');
  await page.goto(`${base}/console/reports/${agencyA}/2023/cells/applications/new/total?limit=10`);
  await page.locator('#cell-range', { hasText: /^1–10 of \d+$/ }).waitFor();
  assert.equal((await page.locator('#cell-next').textContent()).trim(), 'Next');
});

await browser.close();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(db, { recursive: true, force: true });
if (failures) {
  console.log(`${failures} console test(s) failed\n${serverErr.split('\n').slice(-20).join('\n')}`);
  process.exit(1);
}
console.log('all console tests passed');
