// Measures each console screen's first meaningful content on a given store (docs/CONSOLE.md, Speed): starts
// `ogi serve` on it, signs in with a token made for the measurement, and for each screen times a full page load
// (navigation to the screen's content element visible), best and median of 5, in a headless Chromium.
// Usage: node tests/console/measure.mjs OGI_BINARY WEB_DIR STORE AGENCY YEAR [CASE_ID]
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const [ogi, webDir, db, agency, year, caseArg] = process.argv.slice(2);
if (!year) {
  console.error('usage: node measure.mjs OGI_BINARY WEB_DIR STORE AGENCY YEAR [CASE_ID]');
  process.exit(2);
}
const require = createRequire(resolve(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const name = `console-measure-${process.pid}`;
const token = execFileSync(ogi, ['--db', db, 'token', 'create', '--name', name, '--agency', agency, '--rollup',
  '--scope', 'read,report'], { encoding: 'utf8' }).trim().split('\n').pop();
// English, so the first line's address can be read (scripts: docs/SERVE.md).
const server = spawn(ogi, ['--db', db, 'serve', '--grpc', '', '--http', '127.0.0.1:0'],
  { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, OGI_LANG: 'en' } });
// However the measurement ends, the server stops (it holds the store's lock) and the token is revoked.
let browser = null;
async function cleanUp() {
  if (browser) await browser.close().catch(() => {});
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((ok) => server.once('exit', ok));
  }
  execFileSync(ogi, ['--db', db, 'token', 'revoke', name]);
}
process.on('unhandledRejection', async (e) => {
  console.error(e);
  await cleanUp();
  process.exit(1);
});
const line = await new Promise((ok) => createInterface({ input: server.stdout }).once('line', ok));
const base = 'http://' + /HTTP on (\S+)/.exec(line)[1];
browser = await chromium.launch({ executablePath: process.env.OGI_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox'] });
const context = await browser.newContext();
const page = await context.newPage();
await page.goto(`${base}/console/due`);
await page.fill('#token', token);
await page.click('button[type=submit]');
await page.locator('#signout').waitFor();
let caseId = caseArg;
if (!caseId) {
  await page.locator('#due-table tbody tr td a').first().waitFor({ timeout: 600000 });
  caseId = await page.locator('#due-table tbody tr td a').first().textContent();
}
const cell = await (async () => {
  const r = await context.request.get(`${base}/v1/reports/${agency}/${year}?rollup=1&format=json`, { timeout: 600000 });
  const j = await r.json();
  for (const [row, cols] of Object.entries(j.applications))
    for (const [col, v] of Object.entries(cols)) if (v > 0 && v < 200 && col !== 'total') return `${row}/${col}`;
  return 'new/total';
})();
const screens = [
  ['待办 work list', `/console/due`, 'text=/截至 \\d{4}-/'],
  ['待办, page 100', `/console/due?offset=4950`, 'text=/截至 \\d{4}-/'],
  ['待办, search', `/console/due?q=${encodeURIComponent(caseId)}`, 'text=/截至 \\d{4}-/'],
  ['case page', `/console/cases/${encodeURIComponent(caseId)}`, '#timeline tbody tr'],
  ['年度报告 (roll-up)', `/console/reports/${agency}/${year}?rollup=1`, '#part3'],
  ['cell drill-down', `/console/reports/${agency}/${year}/cells/applications/${cell}?rollup=1`, '#cell-cases tbody tr'],
  ['cell drill-down, largest cell (new/total)', `/console/reports/${agency}/${year}/cells/applications/new/total?rollup=1`,
    '#cell-cases tbody tr'],
  ['核验 audit', `/console/verify`, '#head-digest'],
];
// As of a past instant (MEASURE_AS_OF=1): the report as it was published (31 January of the next year), a cell
// then, and the diff against today until every changed cell's cases are listed. Meaningful
// on a store recorded over the years (tools/dated_store), where that instant falls inside the log.
if (process.env.MEASURE_AS_OF === '1') {
  const asOf = `${Number(year) + 1}-01-31T00:00:00Z`;
  screens.push(
    ['年度报告 as of its publication', `/console/reports/${agency}/${year}?rollup=1&asOf=${asOf}`, '#part3'],
    ['cell drill-down as of it (carried_out/total)',
      `/console/reports/${agency}/${year}/cells/applications/carried_out/total?rollup=1&asOf=${asOf}`,
      '#cell-cases tbody tr'],
    ['diff against today, tables', `/console/reports/${agency}/${year}?rollup=1&asOf=${asOf}&diff=1`, '#part3'],
    ['diff against today, every changed cell\'s cases listed',
      `/console/reports/${agency}/${year}?rollup=1&asOf=${asOf}&diff=1`, '#changes', 5, true]);
}
console.log(`| screen | best ms | median ms |\n|---|---|---|`);
for (const [label, path, selector, runs = 5, idle = false] of screens) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    await page.goto(base + path);
    await page.locator(selector).first().waitFor({ timeout: 600000 });
    if (idle) {
      // Each changed cell's list is loading until its cases come; no script is evaluated (the CSP forbids it).
      await page.locator('#changes > li.loading').first().waitFor({ state: 'detached', timeout: 600000 });
    }
    times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${times[0]} | ${times[Math.floor(times.length / 2)]} |`);
}
await cleanUp();
