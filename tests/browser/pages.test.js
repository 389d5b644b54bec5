// Browser tests of the login page, the home dashboard and the cache page
// (lib.js: one headless Chromium against the `rota serve` run.sh started).
// Screenshots of every page go to ROTA_ARTIFACTS for a person to look at.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { base, newPage, shot, logIn, apiGet, checkAccessibility } = require('./lib');

const figure = async (page, id) => Number((await page.textContent(`[data-testid="${id}"]`)).trim());

async function waitRefreshed(page, before) {
  await page.waitForFunction((n) => Number(document.body.dataset.refreshed || 0) > n, before);
}
const refreshedCount = (page) => page.evaluate(() => Number(document.body.dataset.refreshed || 0));

test('a manager logs in, sees their home, assigns a vacant shift and sees the figures change', async () => {
  const page = await newPage();
  await logIn(page, '/homes/1/', 'manager1', 'wrong password');
  await page.waitForSelector('#login-message:not([hidden])');
  assert.equal((await page.textContent('#login-message')).trim(), 'Invalid username or password.');
  await shot(page, 'login-failed');

  await checkAccessibility(page, 'the login page with an error');

  await page.fill('#password', 'rota-demo');
  await page.click('#login-submit');
  await page.waitForURL(base + '/homes/1/');
  await page.waitForSelector('#chart-by-day');
  await shot(page, 'home-dashboard');
  await checkAccessibility(page, 'the home dashboard');

  // The page shows the dashboard endpoint's figures.
  const api7 = await apiGet(page, '/api/homes/1/dashboard?days=7');
  const api14 = await apiGet(page, '/api/homes/1/dashboard?days=14');
  assert.equal(api7.status, 200);
  assert.equal(await page.textContent('[data-testid="home-name"]'), api7.body.home.name);
  for (const [id, key] of [['total', 'total_shifts'], ['staffed', 'staffed_shifts'], ['vacant', 'vacant_shifts']]) {
    assert.equal(await figure(page, id + '-7'), api7.body[key], id + '-7');
    assert.equal(await figure(page, id + '-14'), api14.body[key], id + '-14');
  }
  assert.equal(await page.textContent('[data-testid="coverage-7"]'), api7.body.coverage_pct.toFixed(1) + '%');
  assert.equal(await figure(page, 'pending-leave'), api7.body.pending_leave_requests);
  // Both charts were drawn (Chart.js from the binary, not the internet).
  assert.ok(await page.evaluate(() => typeof Chart !== 'undefined' && Chart.getChart('chart-by-day') !== undefined));

  // Assign the earliest vacant shift someone can take.
  const vacant7 = await figure(page, 'vacant-7');
  const staffed7 = await figure(page, 'staffed-7');
  const vacant14 = await figure(page, 'vacant-14');
  const row = page.locator('tr[data-shift-row]:has(button[data-action="assign"])').first();
  const shiftId = await row.getAttribute('data-shift-row');
  const in7 = (await row.getAttribute('data-date')) <= api7.body.to;
  const staffName = await row.locator('select option').first().textContent();
  const before = await refreshedCount(page);
  await row.locator('button[data-action="assign"]').click();
  await waitRefreshed(page, before);
  assert.match(await page.textContent('#flash'), new RegExp(staffName + ' now works'));
  assert.equal(await figure(page, 'vacant-14'), vacant14 - 1);
  assert.equal(await figure(page, 'vacant-7'), vacant7 - (in7 ? 1 : 0));
  assert.equal(await figure(page, 'staffed-7'), staffed7 + (in7 ? 1 : 0));
  assert.equal(await page.locator(`tr[data-shift-row="${shiftId}"]`).count(), 0, 'the shift left the vacant list');
  // The API agrees at once (no stale cached answer).
  const after7 = await apiGet(page, '/api/homes/1/dashboard?days=7');
  assert.equal(after7.body.vacant_shifts, vacant7 - (in7 ? 1 : 0));
  assert.ok(in7, 'the seeded data has a vacant shift someone can take this week');
  await shot(page, 'home-dashboard-after-assign');

  // Reject a pending leave request: the count falls.
  const pending = await figure(page, 'pending-leave');
  if (pending > 0) {
    const b = await refreshedCount(page);
    await page.locator('button[data-action="leave"][data-status="rejected"]').first().click();
    await waitRefreshed(page, b);
    assert.equal(await figure(page, 'pending-leave'), pending - 1);
  }

  // Another home is refused: page and API.
  const other = await page.goto(base + '/homes/2/');
  assert.equal(other.status(), 403);
  assert.match(await page.textContent('h1'), /Not allowed/);
  assert.equal((await apiGet(page, '/api/homes/2/dashboard')).status, 403);
  await shot(page, 'home-forbidden');
  // The cache page is for administrators only.
  assert.equal((await page.goto(base + '/cache/stats/')).status(), 403);
  assert.deepEqual(page.errors.filter((e) => !/status of 40[13]/.test(e)), []);
});

test('an administrator warms the cache, sees keys and hit rate rise, clears with confirmation', async () => {
  const page = await newPage();
  await logIn(page, '/cache/stats/', 'admin');
  await page.waitForFunction(() => Number(document.body.dataset.refreshed || 0) > 0);
  await checkAccessibility(page, 'the cache page');

  // Start from an empty cache so each step's effect is visible.
  await page.click('#clear');
  await page.click('#clear-yes');
  await page.waitForSelector('#flash:has-text("Deleted")');
  await page.waitForFunction(() => document.getElementById('total-keys').textContent === '0');
  const hitRateBefore = await page.textContent('#hit-rate');

  let n = await refreshedCount(page);
  await page.click('#warm');
  await page.waitForSelector('#flash:has-text("Warmed")');
  await waitRefreshed(page, n);
  const warmedKeys = Number(await page.textContent('#total-keys'));
  assert.ok(warmedKeys > 0, 'warming stored keys');

  // Visitors now hit what was warmed.
  for (const home of [1, 2, 3]) {
    for (let i = 0; i < 3; i++) assert.equal((await apiGet(page, `/api/homes/${home}/dashboard?days=7`)).status, 200);
  }
  n = await refreshedCount(page);
  await page.click('#refresh');
  await waitRefreshed(page, n);
  const hitRate = parseFloat(await page.textContent('#hit-rate'));
  assert.ok(hitRate > (parseFloat(hitRateBefore) || 0), `hit rate rose: ${hitRateBefore} -> ${hitRate}`);
  assert.ok(Number(await page.textContent('#hits')) >= 9);
  await page.waitForFunction(() => Chart.getChart('chart-history') !== undefined);
  await shot(page, 'cache-stats');

  // Clear asks first; cancelling changes nothing.
  await page.fill('#clear-pattern', 'dashboard:*');
  await page.click('#clear');
  assert.match(await page.textContent('#clear-question'), /dashboard:\*/);
  await shot(page, 'cache-stats-confirm-clear');
  await page.click('#clear-no');
  assert.equal(await page.isVisible('#clear-confirm'), false);
  n = await refreshedCount(page);
  await page.click('#refresh');
  await waitRefreshed(page, n);
  assert.equal(Number(await page.textContent('#total-keys')), warmedKeys);

  n = await refreshedCount(page);
  await page.click('#clear');
  await page.click('#clear-yes');
  await page.waitForSelector('#flash:has-text("Deleted")');
  await waitRefreshed(page, n);
  const left = Number(await page.textContent('#total-keys'));
  assert.ok(left < warmedKeys && left > 0, `only dashboard keys went: ${warmedKeys} -> ${left}`);
  assert.deepEqual(page.errors, []);

  // The administrator's start page lists every home.
  await page.goto(base + '/');
  await page.waitForURL(base + '/homes/');
  assert.ok(await page.locator('[data-testid="home-link"]').count() >= 3);
  await shot(page, 'homes');
  await checkAccessibility(page, 'the homes page');
});

test('anonymous visitors are sent to the login page, and nothing loads from the internet', async () => {
  const page = await newPage();
  for (const p of ['/', '/homes/1/', '/cache/stats/']) {
    await page.goto(base + p);
    assert.equal(new URL(page.url()).pathname, '/login', p);
  }
  await shot(page, 'login');
  await checkAccessibility(page, 'the login page');
});
