// Browser tests of the overview pages (helper `overview`, issue 13): /homes/,
// the monthly report page with its CSV, and the compliance page. Read-only:
// they log in as admin and manager1 and change no data, so they compare what
// is on screen with the SQLite file (sql()) at the moment they look.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { base, newPage, shot, logIn, apiGet, sql, checkAccessibility, scrollsSideways } = require('./lib');

const TODAY = '2026-11-28';
const WEEK_END = '2026-12-04';   // today + 6
const CERT_LAST = '2026-12-27';  // today + 29

const text = async (loc) => (await loc.textContent()).trim();

// Each home's figures for the next 7 days, straight from the database.
function homesFromDb() {
  return sql(`SELECT h.id, h.name,
      (SELECT COUNT(*) FROM shift s WHERE s.home_id = h.id AND s.date BETWEEN '${TODAY}' AND '${WEEK_END}') AS total,
      (SELECT COUNT(staff_id) FROM shift s WHERE s.home_id = h.id AND s.date BETWEEN '${TODAY}' AND '${WEEK_END}') AS staffed,
      (SELECT COUNT(*) FROM leave_request l JOIN staff f ON f.id = l.staff_id
         WHERE f.home_id = h.id AND l.status = 'pending') AS pending,
      (SELECT COUNT(*) FROM certification c JOIN staff f ON f.id = c.staff_id
         WHERE f.home_id = h.id AND f.active AND c.expires_on BETWEEN '${TODAY}' AND '${CERT_LAST}') AS expiring,
      (SELECT COUNT(*) FROM certification c JOIN staff f ON f.id = c.staff_id
         WHERE f.home_id = h.id AND f.active AND c.expires_on < '${TODAY}') AS expired
    FROM care_home h ORDER BY h.id`);
}

const coverage = (h) => (h.total ? Math.floor((2000 * h.staffed + h.total) / (2 * h.total)) / 10 : 0);

async function rowsOnScreen(page) {
  return page.$$eval('#homes tbody tr[data-home-row]', (trs) => trs.map((tr) => {
    const cell = (id) => tr.querySelector(`[data-testid="${id}"]`).textContent.trim();
    return {
      id: Number(tr.dataset.homeRow), name: cell('home-link'), total: Number(cell('total')),
      staffed: Number(cell('staffed')), vacant: Number(cell('vacant')), coverage: cell('coverage'),
      pending: Number(cell('pending-leave')), expiring: Number(cell('certs-expiring')),
      expired: Number(cell('certs-expired')),
    };
  }));
}

test('an administrator sees every home worst-covered first, as the database has it, and sorts by keyboard', async () => {
  const page = await newPage();
  await logIn(page, '/homes/', 'admin');
  const db = homesFromDb();
  const expected = db.map((h) => ({
    id: h.id, name: h.name, total: h.total, staffed: h.staffed, vacant: h.total - h.staffed,
    coverage: coverage(h).toFixed(1) + '%', pending: h.pending, expiring: h.expiring, expired: h.expired,
  }));
  expected.sort((a, b) => parseFloat(a.coverage) - parseFloat(b.coverage) || b.vacant - a.vacant || a.id - b.id);
  assert.deepEqual(await rowsOnScreen(page), expected, 'the table is the database, worst-covered first');
  assert.equal(await page.getAttribute('th[data-sort-key="coverage"]', 'aria-sort'), 'ascending');
  // The API says the same (ascending id there).
  const api = await apiGet(page, '/api/homes');
  assert.equal(api.status, 200);
  assert.deepEqual(api.body.homes.map((h) => [h.id, h.vacant_shifts, h.coverage_pct]),
    db.map((h) => [h.id, h.total - h.staffed, coverage(h)]));
  await shot(page, 'homes');
  await checkAccessibility(page, 'the homes page');

  // Keyboard only: Tab to the Vacant button, Enter sorts by most vacancies.
  await page.focus('body');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.dataset.sort === 'vacant');
  }
  assert.ok(reached, 'the Vacant sort button is reachable with Tab');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('th[data-sort-key="vacant"]', 'aria-sort'), 'descending');
  assert.equal(await page.getAttribute('th[data-sort-key="coverage"]', 'aria-sort'), null);
  const byVacant = (await rowsOnScreen(page)).map((r) => r.vacant);
  assert.deepEqual(byVacant, [...byVacant].sort((a, b) => b - a), 'most vacancies on top');
  await page.keyboard.press('Space');  // pressed again: the other way round
  assert.equal(await page.getAttribute('th[data-sort-key="vacant"]', 'aria-sort'), 'ascending');
  const fewest = (await rowsOnScreen(page)).map((r) => r.vacant);
  assert.deepEqual(fewest, [...fewest].sort((a, b) => a - b));
  await checkAccessibility(page, 'the homes page sorted by vacancies');

  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await scrollsSideways(page), false, '390 px: no sideways scrolling');
  await shot(page, 'homes-narrow');
  await checkAccessibility(page, 'the homes page at 390 px');
  assert.deepEqual(page.errors, []);
});

test('a manager sees their one home on /homes/, and only it', async () => {
  const page = await newPage();
  await logIn(page, '/homes/', 'manager1');
  const rows = await rowsOnScreen(page);
  assert.deepEqual(rows.map((r) => r.id), [1]);
  const h = homesFromDb()[0];
  assert.equal(rows[0].vacant, h.total - h.staffed);
  assert.equal(await page.locator('button[data-sort]').count(), 0, 'nothing to sort');
  assert.deepEqual((await apiGet(page, '/api/homes')).body.homes.map((x) => x.id), [1]);
  await checkAccessibility(page, 'a manager\'s homes page');
  assert.deepEqual(page.errors, []);
});

// The monthly report of home 1 in `month`, from the database.
function reportFromDb(month) {
  const first = `${month}-01`, last = `${month}-31`;
  const totals = sql(`SELECT COUNT(*) AS total, COUNT(staff_id) AS staffed FROM shift
    WHERE home_id = 1 AND date BETWEEN '${first}' AND '${last}'`)[0];
  const hours = sql(`SELECT st.id, st.first_name || ' ' || st.last_name AS name, COUNT(*) AS shifts,
      SUM(t.hours) AS hours FROM shift s JOIN staff st ON st.id = s.staff_id JOIN shift_type t ON t.id = s.shift_type_id
    WHERE s.home_id = 1 AND s.date BETWEEN '${first}' AND '${last}' GROUP BY st.id ORDER BY st.id`);
  return { totals, hours };
}

async function hoursOnScreen(page) {
  return page.$$eval('#hours-table tbody tr[data-staff-row]', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.staffRow), name: tr.querySelector('th').textContent,
    shifts: Number(tr.children[1].textContent), hours: Number(tr.children[2].textContent),
  })));
}

test('the monthly report shows the database\'s month, draws the chart, navigates and downloads the same rows as CSV', async () => {
  const page = await newPage();
  await logIn(page, '/homes/1/reports/monthly/', 'manager1');
  assert.equal(await text(page.locator('[data-testid="month"]')), 'November 2026', 'today\'s month by default');
  const db = reportFromDb('2026-11');
  assert.equal(Number(await text(page.locator('[data-testid="total"]'))), db.totals.total);
  assert.equal(Number(await text(page.locator('[data-testid="staffed"]'))), db.totals.staffed);
  assert.equal(Number(await text(page.locator('[data-testid="vacant"]'))), db.totals.total - db.totals.staffed);
  assert.deepEqual(await hoursOnScreen(page), db.hours.map((h) => ({ id: h.id, name: h.name, shifts: h.shifts, hours: h.hours })));
  assert.ok(db.hours.length > 0, 'the seed has hours to show');
  await page.waitForFunction(() => document.body.dataset.chart === 'drawn');
  assert.ok(await page.evaluate(() => Chart.getChart('chart-hours').data.labels.length) === db.hours.length);
  // Shifts by type: the database's counts.
  const types = sql(`SELECT t.id, COUNT(s.id) AS total, COUNT(s.staff_id) AS staffed FROM shift_type t
    LEFT JOIN shift s ON s.shift_type_id = t.id AND s.home_id = 1 AND s.date BETWEEN '2026-11-01' AND '2026-11-30'
    GROUP BY t.id ORDER BY t.id`);
  const typesOnScreen = await page.$$eval('#by-type tbody tr', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.typeRow), total: Number(tr.children[1].textContent), staffed: Number(tr.children[2].textContent),
  })));
  assert.deepEqual(typesOnScreen, types);
  await shot(page, 'report-monthly');
  await checkAccessibility(page, 'the monthly report');

  // The CSV behind "Download CSV": an attachment whose rows are the table's.
  const href = await page.getAttribute('[data-testid="download-csv"]', 'href');
  const csv = await page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin' });
    return { type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: await r.text() };
  }, href);
  assert.equal(csv.type, 'text/csv; charset=utf-8');
  assert.match(csv.disposition, /^attachment; filename="rota-home-1-2026-11\.csv"$/);
  const lines = csv.body.split('\r\n');
  assert.equal(lines[0], 'staff_id,name,shifts,hours');
  assert.equal(lines.length, db.hours.length + 2, 'a header, a row per member of staff, a final CRLF');
  const screen = await page.$$eval('#hours-table tbody tr[data-staff-row]', (trs) => trs.map((tr) =>
    [tr.dataset.staffRow, tr.children[1].textContent, tr.children[2].textContent].join('|')));
  assert.deepEqual(lines.slice(1, -1).map((l) => { const f = l.split(','); return [f[0], f[f.length - 2], f[f.length - 1]].join('|'); }), screen);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
  assert.equal(download.suggestedFilename(), 'rota-home-1-2026-11.csv');

  // Previous month by link, then a month picked with the keyboard.
  await page.click('[data-testid="prev-month"]');
  await page.waitForURL(base + '/homes/1/reports/monthly/?month=2026-10');
  assert.equal(await text(page.locator('[data-testid="month"]')), 'October 2026');
  assert.deepEqual((await hoursOnScreen(page)).map((h) => h.id), reportFromDb('2026-10').hours.map((h) => h.id));
  await page.evaluate(() => { document.getElementById('month-picker').value = '2026-12'; });
  await page.focus('.range-nav button[type="submit"]');  // the picker's Show button, pressed with Enter
  await page.keyboard.press('Enter');
  await page.waitForURL(base + '/homes/1/reports/monthly/?month=2026-12');
  assert.equal(await text(page.locator('[data-testid="month"]')), 'December 2026');
  const dec = reportFromDb('2026-12');
  assert.equal(Number(await text(page.locator('[data-testid="total"]'))), dec.totals.total);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/homes/1/reports/monthly/');
  assert.equal(await scrollsSideways(page), false, '390 px: no sideways scrolling');
  await shot(page, 'report-monthly-narrow');
  await checkAccessibility(page, 'the monthly report at 390 px');

  // A month that is not one: a clear error, and a way back.
  const bad = await page.goto(base + '/homes/1/reports/monthly/?month=2026-13');
  assert.equal(bad.status(), 422);
  assert.match(await text(page.locator('[data-testid="bad-parameter"]')), /month/);
  await checkAccessibility(page, 'the report\'s error page');
  // Another home's report: refused, page and CSV.
  assert.equal((await page.goto(base + '/homes/2/reports/monthly/')).status(), 403);
  assert.equal((await apiGet(page, '/api/homes/2/reports/monthly?format=csv')).status, 403);
  assert.deepEqual(page.errors.filter((e) => !/status of 4(03|22)/.test(e)), []);
});

test('the compliance page lists the database\'s understaffed shifts and certifications, linking to the rota', async () => {
  const page = await newPage();
  await logIn(page, '/homes/1/compliance/', 'manager1');
  const under = sql(`SELECT s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift AS required,
      COUNT(s.staff_id) AS assigned FROM shift s JOIN unit u ON u.id = s.unit_id
    WHERE s.home_id = 1 AND s.date BETWEEN '${TODAY}' AND '${WEEK_END}'
    GROUP BY s.date, s.unit_id, s.shift_type_id, u.min_staff_per_shift
    HAVING COUNT(s.staff_id) < u.min_staff_per_shift ORDER BY s.date, s.unit_id, s.shift_type_id`);
  const rows = await page.$$eval('#understaffed tbody tr[data-understaffed]', (trs) => trs.map((tr) => {
    const [date, unit, type] = tr.dataset.understaffed.split('/');
    return { date, unit_id: Number(unit), shift_type_id: Number(type),
             required: Number(tr.children[3].textContent), assigned: Number(tr.children[4].textContent),
             link: tr.querySelector('a').getAttribute('href') };
  }));
  assert.deepEqual(rows.map(({ link, ...r }) => r), under);
  assert.ok(under.length > 0, 'the seed leaves some shifts understaffed');
  for (const r of rows) assert.equal(r.link, `/homes/1/rota/?from=${r.date}`);
  // Unit and shift names are the database's.
  const first = under[0];
  const [names] = sql(`SELECT u.name AS unit, t.name AS type FROM unit u, shift_type t
    WHERE u.id = ${first.unit_id} AND t.id = ${first.shift_type_id}`);
  const firstRow = page.locator('#understaffed tbody tr[data-understaffed]').first();
  assert.equal(await text(firstRow.locator('td').nth(0)), names.unit);
  assert.equal(await text(firstRow.locator('td').nth(1)), names.type);

  const certs = sql(`SELECT s.id AS staff_id, s.first_name || ' ' || s.last_name AS name, c.name AS certification,
      c.expires_on FROM certification c JOIN staff s ON s.id = c.staff_id
    WHERE s.home_id = 1 AND s.active AND c.expires_on <= '${CERT_LAST}'`)
    .sort((a, b) => (a.expires_on < b.expires_on ? -1 : a.expires_on > b.expires_on ? 1 : 0) ||
      a.staff_id - b.staff_id || (a.certification < b.certification ? -1 : a.certification > b.certification ? 1 : 0));
  const certRows = await page.$$eval('#certifications tbody tr[data-cert-staff]', (trs) => trs.map((tr) => ({
    staff_id: Number(tr.dataset.certStaff), name: tr.querySelector('th').textContent,
    certification: tr.children[1].textContent, expires_on: tr.children[2].textContent,
    status: tr.children[3].textContent,
  })));
  assert.deepEqual(certRows.map(({ status, ...c }) => c), certs);
  for (const c of certRows) assert.equal(c.status === 'expired', c.expires_on < TODAY, `${c.name}: ${c.status}`);
  assert.ok(certRows.some((c) => c.status === 'expired'), 'the seed has an expired certification to mark');
  await shot(page, 'compliance');
  await checkAccessibility(page, 'the compliance page');

  // Next range by keyboard: Tab to the link, Enter.
  await page.focus('[data-testid="next-range"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(base + '/homes/1/compliance/?from=2026-12-05&days=7');
  assert.match(await text(page.locator('[data-testid="range"]')), /Sat 5 Dec 2026 to Fri 11 Dec 2026/);
  // The date form.
  await page.fill('#range-from', '2026-11-20');
  await page.fill('#range-days', '14');
  await page.click('.range-nav button[type="submit"]');
  await page.waitForURL(base + '/homes/1/compliance/?from=2026-11-20&days=14');
  assert.match(await text(page.locator('[data-testid="range"]')), /\(14 days\)/);
  // The link of an understaffed shift opens that day of the rota.
  const link = page.locator('[data-testid="rota-link"]').first();
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForURL(base + href);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/homes/1/compliance/');
  assert.equal(await scrollsSideways(page), false, '390 px: no sideways scrolling');
  await shot(page, 'compliance-narrow');
  await checkAccessibility(page, 'the compliance page at 390 px');

  assert.equal((await page.goto(base + '/homes/2/compliance/')).status(), 403);
  assert.equal((await apiGet(page, '/api/homes/2/compliance')).status, 403);
  await shot(page, 'compliance-forbidden');
  const bad = await page.goto(base + '/homes/1/compliance/?days=0');
  assert.equal(bad.status(), 422);
});

test('anonymous visitors and expired sessions are sent to log in, and come back', async () => {
  const page = await newPage();
  for (const p of ['/homes/', '/homes/1/reports/monthly/', '/homes/1/compliance/']) {
    await page.goto(base + p);
    assert.equal(new URL(page.url()).pathname, '/login', p);
    assert.equal(new URL(page.url()).searchParams.get('next'), p);
  }
  // Logged in, then the session ends (logged out elsewhere): the next step asks to log in again.
  await logIn(page, '/homes/1/reports/monthly/', 'manager1');
  await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
  });
  await page.click('[data-testid="prev-month"]');
  await page.waitForURL((u) => u.pathname === '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/homes/1/reports/monthly/');
  await page.fill('#username', 'manager1');
  await page.fill('#password', 'rota-demo');
  await page.click('#login-submit');
  await page.waitForURL(base + '/homes/1/reports/monthly/');
});
