// Browser tests of the rota page (/homes/{id}/rota/) in home 2 as manager2 (the
// home this file may change; run.sh): the week on screen equals the database's,
// a shift's actions open from the shift (offering exactly whom the server
// offers), assign / unassign / add a note each show on the page and in the
// database, assigning by keyboard alone, a refusal shown inside its shift,
// another home refused, CSRF, a session that has ended, a 390-px screen,
// print, axe-core.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { base, newPage, shot, logIn, apiWrite, sql, checkAccessibility, scrollsSideways } = require('./lib');

const HOME = 2;
const TODAY = '2026-11-28';
const WEEK_END = '2026-12-04';
const rotaPath = `/homes/${HOME}/rota/`;

// The shifts of the week as the database holds them, keyed by id.
function dbWeek() {
  const rows = sql(`SELECT s.id, s.date, s.unit_id AS unit, t.name AS type, t.start_time || '–' || t.end_time AS time,
      CASE WHEN st.id IS NULL THEN 'vacant' ELSE st.first_name || ' ' || st.last_name END AS who,
      (SELECT COALESCE(group_concat(body, '|'), '') FROM (SELECT body FROM shift_note n WHERE n.shift_id = s.id ORDER BY n.id)) AS notes
    FROM shift s JOIN shift_type t ON t.id = s.shift_type_id LEFT JOIN staff st ON st.id = s.staff_id
    WHERE s.home_id = ${HOME} AND s.date >= '${TODAY}' AND s.date <= '${WEEK_END}' ORDER BY s.id`);
  return Object.fromEntries(rows.map((r) => [String(r.id), r]));
}

// The same, read off the page.
async function pageWeek(page) {
  const rows = await page.$$eval('#rota li.shift', (items) => items.map((li) => {
    const td = li.closest('td');
    return {
      id: Number(li.dataset.shift), date: td.dataset.date, unit: Number(td.dataset.unit),
      type: li.querySelector('button.shift-open strong').textContent, time: li.querySelector('.time').textContent,
      who: li.querySelector('[data-role="staff"]').textContent,
      notes: [...li.querySelectorAll('ul.notes li')].map((n) => n.textContent.replace(/^[^:]*: /, '')).join('|'),
    };
  }));
  return Object.fromEntries(rows.map((r) => [String(r.id), r]));
}

const refreshed = (page) => page.evaluate(() => Number(document.body.dataset.refreshed || 0));
const waitRefreshed = (page, n) => page.waitForFunction((k) => Number(document.body.dataset.refreshed || 0) > k, n);
const staffOf = (id) => sql(`SELECT staff_id FROM shift WHERE id = ${id}`)[0].staff_id;
const item = (page, id) => page.locator(`#rota li.shift[data-shift="${id}"]`);
// Opens shift `id`'s actions (a click on the shift) and waits for them.
async function openShift(page, id) {
  await item(page, id).locator('button.shift-open').click();
  await item(page, id).locator('.shift-actions').waitFor();
}
// The first vacant shift the server offers someone for.
const offeredShift = (page) => page.locator('#rota li.shift[data-candidates]:not([data-candidates=""])').first();

async function managerPage(options) {
  const page = await newPage(options);
  await logIn(page, rotaPath, 'manager2');
  await page.waitForSelector('#rota li.shift');
  return page;
}

test('the week on screen is the database\'s, units down and days across, with week navigation', async () => {
  const page = await managerPage();
  assert.deepEqual(await pageWeek(page), dbWeek());
  const units = sql(`SELECT id, name FROM unit WHERE home_id = ${HOME} ORDER BY id`);
  assert.deepEqual(await page.$$eval('#rota tbody tr th', (ths) => ths.map((t) => t.textContent)), units.map((u) => u.name));
  assert.equal(await page.locator('#rota thead th[data-date]').count(), 7);
  assert.equal(await page.getAttribute('#rota thead th.today', 'data-date'), TODAY);
  assert.equal(await page.getAttribute('nav.home-nav a[aria-current="page"]', 'href'), rotaPath);
  await shot(page, 'rota-week');
  await checkAccessibility(page, 'the rota page');

  // A warm page costs no query (asked twice at once: the server remembers a
  // session for 750 ms, so the second one costs no session lookup either).
  const again = await page.evaluate(async (url) => {
    await fetch(url, { credentials: 'same-origin' });
    const r = await fetch(url, { credentials: 'same-origin' });
    return { cache: r.headers.get('x-cache'), queries: r.headers.get('x-query-count') };
  }, rotaPath);
  assert.deepEqual(again, { cache: 'HIT', queries: '0' });

  // Next week, then the date picker.
  await page.click('[data-testid="next-week"]');
  await page.waitForURL(base + rotaPath + '?from=2026-12-05');
  assert.match(await page.textContent('[data-testid="week-range"]'), /Sat 5 Dec – Fri 11 Dec 2026/);
  await page.fill('#week-from', '2026-11-30');
  await page.click('.week-pick button');
  await page.waitForURL(base + rotaPath + '?from=2026-11-30');
  assert.equal(await page.getAttribute('#rota thead th[data-date]', 'data-date'), '2026-11-30');
  // A week the server will not cache is a clear 400 page.
  const far = await page.goto(base + rotaPath + '?from=2030-01-01');
  assert.equal(far.status(), 400);
  assert.match(await page.textContent('main'), /from must be within 366 days of today/);
  assert.deepEqual(page.errors.filter((e) => !/status of 400/.test(e)), []);
});

test('assign, unassign and add a note: each shows on the page and in the database', async () => {
  const page = await managerPage();
  // Assign: the first vacant shift with someone offered.
  const vacant = offeredShift(page);
  const shiftId = Number(await vacant.getAttribute('data-shift'));
  // Closed, a shift shows no controls; opened, exactly those the server offers, named.
  assert.equal(await vacant.locator('select, input, button[data-action]').count(), 0);
  await openShift(page, shiftId);
  assert.equal(await vacant.locator('button.shift-open').getAttribute('aria-expanded'), 'true');
  const offered = (await vacant.getAttribute('data-candidates')).split(' ');
  const options = await vacant.locator('select[data-role="candidate"] option').evaluateAll(
    (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options.map((o) => o[0]), offered);
  const names = Object.fromEntries(sql(`SELECT id, first_name || ' ' || last_name AS name FROM staff WHERE home_id = ${HOME}`)
    .map((r) => [String(r.id), r.name]));
  for (const [id, name] of options) assert.equal(name, names[id]);
  const option = vacant.locator('select[data-role="candidate"] option').first();
  const staffId = Number(await option.getAttribute('value'));
  const name = await option.textContent();
  let n = await refreshed(page);
  await vacant.locator('button[data-action="assign"]').click();
  await waitRefreshed(page, n);
  assert.equal(staffOf(shiftId), staffId);
  assert.equal(await item(page, shiftId).locator('[data-role="staff"]').textContent(), name);
  assert.match(await page.textContent('#flash'), new RegExp(name + ' now works'));
  await shot(page, 'rota-after-assign');

  // Unassign it again.
  n = await refreshed(page);
  await item(page, shiftId).locator('button[data-action="unassign"]').click();
  await waitRefreshed(page, n);
  assert.equal(staffOf(shiftId), null);
  assert.equal(await item(page, shiftId).locator('[data-role="staff"]').textContent(), 'vacant');

  // A note (the shift's actions are open again after each action).
  const body = `Cover agreed with <agency> ${Date.now()}`;
  await item(page, shiftId).locator('input[data-role="note"]').fill(body);
  n = await refreshed(page);
  await item(page, shiftId).locator('button[data-action="note"]').click();
  await waitRefreshed(page, n);
  const notes = sql(`SELECT n.body, a.username FROM shift_note n JOIN app_user a ON a.id = n.author_id
                     WHERE n.shift_id = ${shiftId} ORDER BY n.id DESC LIMIT 1`);
  assert.deepEqual(notes, [{ body, username: 'manager2' }]);
  assert.equal(await item(page, shiftId).locator('ul.notes li').last().textContent(), 'manager2: ' + body);
  assert.deepEqual(await pageWeek(page), dbWeek());
  await checkAccessibility(page, 'the rota page after actions');
  assert.deepEqual(page.errors, []);
});

test('assigning by keyboard alone: Tab to a vacant shift, Enter opens it, Tab, Space; Enter to unassign; Escape', async () => {
  const page = await managerPage();
  await page.locator('body').focus();
  const onOfferedShift = () => page.evaluate(() => document.activeElement.matches(
    'li.shift[data-candidates]:not([data-candidates=""]) > button.shift-open'));
  let tabs = 0;
  for (; tabs < 400 && !(await onOfferedShift()); tabs++) await page.keyboard.press('Tab');
  assert.ok(tabs < 400, 'a vacant shift is reachable with Tab');
  const shiftId = Number(await page.evaluate(() => document.activeElement.closest('li').dataset.shift));
  await page.keyboard.press('Enter');
  // Its actions opened, the focus on the choice of staff; Tab reaches Assign.
  assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'candidate');
  const staffId = Number(await page.evaluate(() => document.activeElement.value));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'assign');
  let n = await refreshed(page);
  await page.keyboard.press('Space');
  await waitRefreshed(page, n);
  assert.equal(staffOf(shiftId), staffId);
  // The focus came back to the shift's actions: its Unassign button.
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'unassign');
  n = await refreshed(page);
  await page.keyboard.press('Enter');
  await waitRefreshed(page, n);
  assert.equal(staffOf(shiftId), null);
  // A note by keyboard: Tab to the note's box, type, Enter.
  for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement.dataset.role === 'note')); i++)
    await page.keyboard.press('Tab');
  await page.keyboard.type('typed by keyboard');
  n = await refreshed(page);
  await page.keyboard.press('Enter');
  await waitRefreshed(page, n);
  assert.equal(sql(`SELECT body FROM shift_note WHERE shift_id = ${shiftId} ORDER BY id DESC LIMIT 1`)[0].body,
    'typed by keyboard');
  // Escape closes the actions and goes back to the shift.
  await page.keyboard.press('Escape');
  assert.equal(await item(page, shiftId).locator('.shift-actions').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.closest('li.shift').dataset.shift), String(shiftId));
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-expanded')), 'false');
  assert.deepEqual(page.errors, []);
});

test('a refusal is shown inside its shift with the API\'s message', async () => {
  const page = await managerPage();
  const vacant = offeredShift(page);
  const shiftId = Number(await vacant.getAttribute('data-shift'));
  await openShift(page, shiftId);
  const staffId = Number(await vacant.locator('select[data-role="candidate"]').inputValue());
  // Meanwhile, in another session, the candidate stops being available (made inactive).
  const other = await managerPage();
  const r = await apiWrite(other, 'PATCH', `/api/staff/${staffId}`, { active: false });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  try {
    const n = await refreshed(page);
    await vacant.locator('button[data-action="assign"]').click();
    await waitRefreshed(page, n);
    const refusal = item(page, shiftId).locator('[data-role="refusal"]');
    assert.equal(await refusal.isVisible(), true);
    assert.equal(await refusal.textContent(), `staff member ${staffId} is not active`);
    // Its actions are open again, offering whom the fresh grid offers: no one says so.
    const left = (await item(page, shiftId).getAttribute('data-candidates')).split(' ').filter(Boolean);
    assert.equal(await item(page, shiftId).locator('select[data-role="candidate"] option').count(), left.length);
    assert.equal(await item(page, shiftId).locator('[data-role="no-candidate"]').isVisible(), left.length === 0);
    assert.equal(staffOf(shiftId), null);
    // The grid is the fresh one: the inactive member is no longer offered, for any shift.
    const offers = await page.$$eval('#rota li.shift[data-candidates]', (items) => items.map((li) => li.dataset.candidates));
    assert.ok(offers.length > 0);
    assert.ok(offers.every((ids) => !ids.split(' ').includes(String(staffId))), offers.join(' / '));
    assert.equal(await page.locator(`#rota option[value="${staffId}"]`).count(), 0);
    await shot(page, 'rota-refusal');
    await checkAccessibility(page, 'the rota page with a refusal');
  } finally {
    assert.equal((await apiWrite(other, 'PATCH', `/api/staff/${staffId}`, { active: true })).status, 200);
  }
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});

test('another home is refused, writes need the CSRF token, an ended session is said so', async () => {
  const page = await managerPage();
  const forbidden = await page.goto(base + '/homes/1/rota/');
  assert.equal(forbidden.status(), 403);
  assert.match(await page.textContent('h1'), /Not allowed/);
  const otherShift = sql("SELECT MIN(id) AS id FROM shift WHERE home_id = 1 AND staff_id IS NOT NULL")[0].id;
  assert.equal((await apiWrite(page, 'PATCH', `/api/shifts/${otherShift}`, { staff_id: null })).status, 403);
  assert.notEqual(staffOf(otherShift), null);

  await page.goto(base + rotaPath);
  const shift = sql(`SELECT MIN(id) AS id FROM shift WHERE home_id = ${HOME} AND staff_id IS NOT NULL
                     AND date >= '${TODAY}' AND date <= '${WEEK_END}'`)[0].id;
  const status = await page.evaluate(async (id) => (await fetch('/api/shifts/' + id, {
    method: 'PATCH', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: '{"staff_id": null}',
  })).status, shift);
  assert.equal(status, 403, 'a write without the CSRF token is refused');
  assert.notEqual(staffOf(shift), null);

  // Logged out elsewhere (the same session): the next action says so and offers to log in.
  assert.equal((await apiWrite(page, 'POST', '/api/logout')).status < 300, true);
  await openShift(page, shift);
  await item(page, shift).locator('button[data-action="unassign"]').click();
  await page.waitForSelector('#log-in-again');
  assert.match(await page.textContent('#flash'), /Your session has ended/);
  assert.equal(await page.getAttribute('#log-in-again', 'href'), '/login?next=' + encodeURIComponent(rotaPath));
  assert.notEqual(staffOf(shift), null);
  await shot(page, 'rota-session-ended');
  await page.click('#log-in-again');
  await page.fill('#username', 'manager2');
  await page.fill('#password', 'rota-demo');
  await page.click('#login-submit');
  await page.waitForURL(base + rotaPath);
});

test('anonymous visitors are sent to the login page', async () => {
  const page = await newPage();
  await page.goto(base + rotaPath + '?from=2026-11-30');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), rotaPath);
});

test('on a 390-px screen only the grid scrolls sideways, in its own box', async () => {
  const page = await managerPage({ width: 390, height: 844 });
  assert.equal(await scrollsSideways(page), false, 'the page does not scroll sideways');
  const box = await page.evaluate(() => {
    const el = document.querySelector('.rota-scroll');
    return { scrolls: el.scrollWidth > el.clientWidth, overflow: getComputedStyle(el).overflowX, tabindex: el.tabIndex };
  });
  assert.deepEqual(box, { scrolls: true, overflow: 'auto', tabindex: 0 });
  await shot(page, 'rota-390px');
  await checkAccessibility(page, 'the rota page at 390 px');
});

test('printed: no navigation or buttons, the week on one A4 landscape page', async () => {
  const page = await managerPage();
  await openShift(page, Number(await offeredShift(page).getAttribute('data-shift')));
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['header.top', 'nav.home-nav', '.week-pick', '#rota button[data-action]', '#rota select',
    '#rota .shift-actions'])
    assert.equal(await page.locator(hidden).first().isVisible(), false, hidden + ' is not printed');
  assert.equal(await page.locator('#rota table.rota-grid').isVisible(), true);
  assert.equal(await page.locator('#rota button.shift-open').first().isVisible(), true, 'the shifts are printed');
  const pdf = await page.pdf({ format: 'A4', landscape: true, preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, 'one week per A4 landscape page');
  await shot(page, 'rota-print');
});
