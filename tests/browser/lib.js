// What every browser test file shares: one headless Debian Chromium (through
// playwright-core), pages that refuse to load anything from outside the server
// under test, log-in, the API with the page's own session, screenshots, and
// axe-core's accessibility check.
//
// run.sh starts one `rota serve` on a seeded SQLite file and runs the given
// *.test.js files (all of this folder by default) against it, one file at a
// time; ctest runs each file through its own run.sh. It passes:
//   ROTA_URL        the server's base URL
//   ROTA_ARTIFACTS  where screenshots go (a person looks at them; the README shows some)
//   ROTA_DB         the SQLite file, for tests that compare the page with the database
// The seed is fixed (3 homes, manager1..manager3 and admin, password rota-demo,
// ROTA_TODAY=2026-11-28). Files run in sequence against one database, so a file
// that changes data changes it in "its" home (see run.sh) and reads what it
// compares at the moment it compares.
'use strict';
const { before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const modules = path.join(__dirname, '../../web/node_modules');
const { chromium } = require(path.join(modules, 'playwright-core'));

const base = process.env.ROTA_URL;
const artifacts = process.env.ROTA_ARTIFACTS;
const dbFile = process.env.ROTA_DB;
const offsite = [];  // requests that tried to leave the server: must stay empty
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
after(async () => {
  if (browser) await browser.close();
  assert.deepEqual(offsite, [], 'no page loaded anything from outside the server');
});

// A fresh browser context (no cookies) and its page. `page.errors` collects
// script errors and console errors, for tests to assert on.
async function newPage({ width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(base)) return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  page.errors = errors;
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });
}

// Goes to `next` as an anonymous visitor (who must be sent to the login form),
// logs in there, and waits to arrive back at `next`.
async function logIn(page, next, username, password = 'rota-demo') {
  await page.goto(base + next);
  assert.match(page.url(), /\/login\?next=/, 'an anonymous visitor is sent to the login page');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  if (password === 'rota-demo') await page.waitForURL((u) => u.pathname + u.search === next);
}

// JSON from the API with the page's own session (cookie; reads need no CSRF).
async function apiGet(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, url);
}

// A write through the API with the page's session and its CSRF token (from
// <meta name="csrf-token">), as the pages' own scripts do.
async function apiWrite(page, method, url, body) {
  return page.evaluate(async ([m, u, b]) => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch(u, {
      method: m, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }, [method, url, body]);
}

// Rows of a query against the server's SQLite file (sqlite3 -json): the truth
// a page is compared with.
function sql(query) {
  const out = execFileSync('sqlite3', ['-json', dbFile, query], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

// axe-core on the page as it is now: fails on any serious or critical
// violation, naming each with its nodes. (The pages' Content-Security-Policy
// forbids inline scripts and eval, so axe's source is given to the DevTools
// protocol as the expression to evaluate, which CSP does not govern.)
const axeSource = fs.readFileSync(path.join(modules, 'axe-core/axe.min.js'), 'utf8');
async function checkAccessibility(page, label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const describe = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ` +
    v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    '));
  assert.deepEqual(describe, [], `axe-core on ${label}: no serious or critical violation`);
  return results.violations;
}

// True when the document scrolls sideways at the current viewport (outside
// elements marked data-scrolls-x, such as the rota grid's own scroller).
async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

module.exports = {
  base, artifacts, newPage, shot, logIn, apiGet, apiWrite, sql, checkAccessibility, scrollsSideways,
};
