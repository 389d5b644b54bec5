// Browser tests of the staff page (/homes/{id}/staff/): the list against the
// database, sorting and filtering, every action (add by keyboard only, edit,
// certifications, leave, delete with its confirmation step), refusals shown
// inline, access, CSRF, an ended session, and a 390-px-wide phone.
// This file changes data in home 3 only (manager3); see run.sh.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { base, artifacts, newPage, shot, logIn, apiGet, apiWrite, sql, checkAccessibility, scrollsSideways } =
  require('./lib');

const HOME = 3;
const PAGE = `/homes/${HOME}/staff/`;

const refreshedCount = (page) => page.evaluate(() => Number(document.body.dataset.refreshed || 0));
async function waitRefreshed(page, before) {
  await page.waitForFunction((n) => Number(document.body.dataset.refreshed || 0) > n, before);
}

// Runs `action` (which writes through the page) and waits until the list was reloaded.
async function andRefresh(page, action) {
  const before = await refreshedCount(page);
  await action();
  await waitRefreshed(page, before);
}

// The rows as the page shows them, in order, with their visibility.
function shownRows(page) {
  return page.$$eval('#staff-table tbody tr[data-staff-row]', (rows) => rows.map((r) => ({
    id: Number(r.dataset.staffRow),
    name: r.querySelector('[data-testid="name"]').textContent,
    role: r.dataset.role,
    hours: Number(r.dataset.hours),
    active: r.dataset.active === 'true',
    primary: r.querySelector('[data-testid="primary-unit"]').textContent,
    units: r.querySelector('[data-testid="qualified-units"]').textContent,
    certs: Array.from(r.querySelectorAll('li[data-cert]')).map((li) => Number(li.dataset.cert)),
    leave: Array.from(r.querySelectorAll('li[data-leave]')).map((li) => Number(li.dataset.leave)),
    hidden: r.hidden,
  })));
}

// The visible part of the page only: what the README shows (shot() keeps the whole, long page).
async function shotTop(page, name) {
  await page.screenshot({ path: path.join(artifacts, name + '.png') });
}

const row = (page, id) => page.locator(`tr[data-staff-row="${id}"]`);

// Presses Tab until `selector` has the focus (at most `max` times): keyboard only.
async function tabTo(page, selector, max = 200) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('the staff list is the database, sorts by name, role and hours, and filters by unit and active', async () => {
  const page = await newPage();
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');

  const db = sql(`SELECT s.id, s.first_name || ' ' || s.last_name AS name, s.role, s.contracted_hours AS hours,
                         s.active, COALESCE(p.name, 'none') AS primary_unit
                  FROM staff s LEFT JOIN unit p ON p.id = s.primary_unit_id WHERE s.home_id = ${HOME} ORDER BY s.id`);
  const rows = await shownRows(page);
  assert.equal(rows.length, db.length);
  assert.ok(db.length >= 24);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const d of db) {
    const r = byId.get(d.id);
    assert.ok(r, `member ${d.id} is listed`);
    assert.deepEqual([r.name, r.role, r.hours, r.active, r.primary], [d.name, d.role, d.hours, d.active === 1, d.primary_unit]);
    const units = sql(`SELECT u.name FROM staff_qualified_unit q JOIN unit u ON u.id = q.unit_id
                       WHERE q.staff_id = ${d.id} ORDER BY u.id`).map((u) => u.name);
    assert.equal(r.units, units.length ? units.join(', ') : 'none');
    const certs = sql(`SELECT id FROM certification WHERE staff_id = ${d.id} ORDER BY id`).map((c) => c.id);
    assert.deepEqual([...r.certs].sort((a, b) => a - b), certs);
    const leave = sql(`SELECT id FROM leave_request WHERE staff_id = ${d.id} AND end_date >= '2026-11-28'
                       AND status <> 'rejected' ORDER BY start_date, id`).map((l) => l.id);
    assert.deepEqual(r.leave, leave);
  }
  // Expired certifications are marked in words.
  const expired = sql(`SELECT c.id FROM certification c JOIN staff s ON s.id = c.staff_id
                       WHERE s.home_id = ${HOME} AND c.expires_on < '2026-11-28'`);
  for (const c of expired) {
    assert.match(await page.textContent(`li[data-cert="${c.id}"] .badge`), /expired/);
  }
  // The API's staff list agrees.
  const api = await apiGet(page, `/api/homes/${HOME}/staff`);
  assert.deepEqual(api.body.staff.map((m) => m.id).sort((a, b) => a - b), db.map((d) => d.id));
  await checkAccessibility(page, 'the staff list');
  await shot(page, 'staff-list');
  await shotTop(page, 'staff-list-top');

  // Sorted by name at first; Hours sorts ascending then descending, with aria-sort.
  const names = (await shownRows(page)).map((r) => r.name);
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
  assert.equal(await page.getAttribute('th[data-sort-key="name"]', 'aria-sort'), 'ascending');
  await page.click('button[data-sort="hours"]');
  let hours = (await shownRows(page)).map((r) => r.hours);
  assert.deepEqual(hours, [...hours].sort((a, b) => a - b));
  assert.equal(await page.getAttribute('th[data-sort-key="hours"]', 'aria-sort'), 'ascending');
  assert.equal(await page.getAttribute('th[data-sort-key="name"]', 'aria-sort'), 'none');
  await page.click('button[data-sort="hours"]');
  hours = (await shownRows(page)).map((r) => r.hours);
  assert.deepEqual(hours, [...hours].sort((a, b) => b - a));
  assert.equal(await page.getAttribute('th[data-sort-key="hours"]', 'aria-sort'), 'descending');
  // Role, by keyboard.
  await page.focus('button[data-sort="hours"]');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  const roles = (await shownRows(page)).map((r) => r.role);
  assert.deepEqual(roles, [...roles].sort((a, b) => a.localeCompare(b)));
  assert.equal(await page.getAttribute('th[data-sort-key="role"]', 'aria-sort'), 'ascending');

  // Filter by unit: those qualified for it or with it as primary unit.
  const unit = sql(`SELECT id FROM unit WHERE home_id = ${HOME} ORDER BY id LIMIT 1`)[0].id;
  const inUnit = sql(`SELECT id FROM staff WHERE home_id = ${HOME} AND (primary_unit_id = ${unit}
                      OR id IN (SELECT staff_id FROM staff_qualified_unit WHERE unit_id = ${unit})) ORDER BY id`);
  await page.selectOption('#filter-unit', String(unit));
  let visible = (await shownRows(page)).filter((r) => !r.hidden).map((r) => r.id).sort((a, b) => a - b);
  assert.deepEqual(visible, inUnit.map((s) => s.id));
  assert.equal(Number(await page.textContent('[data-testid="shown-count"]')), inUnit.length);
  // ... and active.
  await page.selectOption('#filter-unit', '');
  await page.selectOption('#filter-active', 'inactive');
  const inactive = sql(`SELECT id FROM staff WHERE home_id = ${HOME} AND NOT active ORDER BY id`).map((s) => s.id);
  visible = (await shownRows(page)).filter((r) => !r.hidden).map((r) => r.id).sort((a, b) => a - b);
  assert.deepEqual(visible, inactive);
  await page.selectOption('#filter-active', 'active');
  visible = (await shownRows(page)).filter((r) => !r.hidden);
  assert.equal(visible.length, db.length - inactive.length);
  assert.ok(visible.every((r) => r.active));
  await checkAccessibility(page, 'the staff list, filtered');
  assert.deepEqual(page.errors, []);
});

test('keyboard only: add a member of staff; a refusal is shown at its field and keeps what was typed', async () => {
  const page = await newPage();
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');
  const units = sql(`SELECT id, name FROM unit WHERE home_id = ${HOME} ORDER BY id`);

  // From the top of the page, Tab to "Add", Enter; the form takes the focus.
  await page.keyboard.press('Tab');
  await tabTo(page, '#add-staff');
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(() => document.activeElement.id === 'staff-form-first_name'));
  await page.keyboard.type('Keya');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Board-Only');
  await page.keyboard.press('Tab');  // role
  await page.keyboard.type('c');     // role "carer", by its first letter
  await page.keyboard.press('Tab');
  await page.keyboard.type('999');   // too many hours: the API refuses
  await page.keyboard.press('Tab');  // primary unit
  await page.keyboard.press('ArrowDown');  // the first unit
  await page.keyboard.press('Tab');  // the first qualified unit
  await page.keyboard.press('Space');
  await tabTo(page, '#staff-form-save');
  await page.keyboard.press('Enter');

  await page.waitForSelector('#staff-form-contracted_hours-error:not([hidden])');
  assert.match(await page.textContent('#staff-form-contracted_hours-error'), /contracted_hours must be between 0 and 168/);
  assert.equal(await page.getAttribute('#staff-form-contracted_hours', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#staff-form-first_name'), 'Keya', 'the form keeps what was typed');
  assert.equal(await page.inputValue('#staff-form-contracted_hours'), '999');
  assert.equal(sql(`SELECT COUNT(*) AS n FROM staff WHERE last_name = 'Board-Only'`)[0].n, 0);
  await checkAccessibility(page, 'the staff form with a refusal');
  await shot(page, 'staff-form-invalid');
  await shotTop(page, 'staff-form-invalid-top');

  // Fix the hours (the refused field has the focus) and save, still by keyboard.
  assert.ok(await page.evaluate(() => document.activeElement.id === 'staff-form-contracted_hours'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('30');
  await andRefresh(page, async () => {
    await tabTo(page, '#staff-form-save');
    await page.keyboard.press('Enter');
  });
  assert.match(await page.textContent('#flash'), /Added Keya Board-Only/);
  const [added] = sql(`SELECT id, role, contracted_hours, active, primary_unit_id FROM staff
                       WHERE home_id = ${HOME} AND first_name = 'Keya' AND last_name = 'Board-Only'`);
  assert.ok(added, 'the new member of staff is in the database');
  assert.deepEqual([added.role, added.contracted_hours, added.active, added.primary_unit_id],
    ['carer', 30, 1, units[0].id]);
  assert.deepEqual(sql(`SELECT unit_id FROM staff_qualified_unit WHERE staff_id = ${added.id}`).map((q) => q.unit_id),
    [units[0].id]);
  assert.equal(await row(page, added.id).locator('[data-testid="name"]').textContent(), 'Keya Board-Only');
  assert.equal(await row(page, added.id).locator('[data-testid="qualified-units"]').textContent(), units[0].name);
  assert.equal(await page.isVisible('#editor'), false);
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});

test('edit a member of staff, add and remove a certification, request leave', async () => {
  const page = await newPage();
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');
  const units = sql(`SELECT id, name FROM unit WHERE home_id = ${HOME} ORDER BY id`);
  const [m] = sql(`SELECT id, first_name, last_name FROM staff WHERE home_id = ${HOME} AND active ORDER BY id LIMIT 1`);
  const name = `${m.first_name} ${m.last_name}`;

  // Edit: the form starts from the stored values.
  await row(page, m.id).locator('button[data-action="edit"]').click();
  assert.equal(await page.inputValue('#staff-form-first_name'), m.first_name);
  assert.equal(await page.inputValue('#staff-form-last_name'), m.last_name);
  assert.match(await page.textContent('#staff-form-title'), new RegExp('Edit ' + name));
  await checkAccessibility(page, 'the edit form');
  await shot(page, 'staff-form-edit');
  await page.fill('#staff-form-last_name', m.last_name + '-Edited');
  await page.fill('#staff-form-contracted_hours', '22.5');
  await page.selectOption('#staff-form-role', 'nurse');
  await page.selectOption('#staff-form-primary_unit_id', String(units[1].id));
  for (const u of units) await page.setChecked(`#staff-form input[name="qualified_unit_ids"][value="${u.id}"]`, u.id !== units[0].id);
  await andRefresh(page, () => page.click('#staff-form-save'));
  assert.match(await page.textContent('#flash'), /Saved/);
  const [after] = sql(`SELECT last_name, role, contracted_hours, primary_unit_id FROM staff WHERE id = ${m.id}`);
  assert.deepEqual(after, { last_name: m.last_name + '-Edited', role: 'nurse', contracted_hours: 22.5, primary_unit_id: units[1].id });
  assert.deepEqual(sql(`SELECT unit_id FROM staff_qualified_unit WHERE staff_id = ${m.id} ORDER BY unit_id`).map((q) => q.unit_id),
    units.slice(1).map((u) => u.id));
  assert.equal(await row(page, m.id).locator('[data-testid="hours"]').textContent(), '22.5');
  assert.equal(await row(page, m.id).locator('[data-testid="role"]').textContent(), 'nurse');
  assert.equal(await row(page, m.id).locator('[data-testid="qualified-units"]').textContent(),
    units.slice(1).map((u) => u.name).join(', '));

  // A certification expiring within 30 days: added, marked, then removed.
  await row(page, m.id).locator('button[data-action="add-cert"]').click();
  assert.match(await page.textContent('#cert-form-title'), /Add a certification for/);
  await page.fill('#cert-form-name', 'Fire safety');
  await page.fill('#cert-form-expires_on', '2026-12-10');
  await andRefresh(page, () => page.click('#cert-form-save'));
  const [cert] = sql(`SELECT id, expires_on FROM certification WHERE staff_id = ${m.id} AND name = 'Fire safety'`);
  assert.equal(cert.expires_on, '2026-12-10');
  const item = page.locator(`li[data-cert="${cert.id}"]`);
  assert.match(await item.textContent(), /expiring.*Fire safety.*expires Thu 10 Dec 2026/);
  await andRefresh(page, () => item.locator('button[data-action="remove-cert"]').click());
  assert.match(await page.textContent('#flash'), /Removed Fire safety/);
  assert.equal(sql(`SELECT COUNT(*) AS n FROM certification WHERE id = ${cert.id}`)[0].n, 0);
  assert.equal(await page.locator(`li[data-cert="${cert.id}"]`).count(), 0);

  // A certification without a date is refused at its field.
  await row(page, m.id).locator('button[data-action="add-cert"]').click();
  await page.fill('#cert-form-name', 'No date');
  await page.click('#cert-form-save');
  await page.waitForSelector('#cert-form-expires_on-error:not([hidden])');
  assert.match(await page.textContent('#cert-form-expires_on-error'), /expires_on/);
  await checkAccessibility(page, 'the certification form with a refusal');
  await page.click('#cert-form button[data-action="close"]');

  // Leave: a pending request shows in the row; the end before the start is refused first.
  await row(page, m.id).locator('button[data-action="request-leave"]').click();
  await page.fill('#leave-form-start_date', '2026-12-16');
  await page.fill('#leave-form-end_date', '2026-12-14');
  await page.click('#leave-form-save');
  await page.waitForSelector('#leave-form-end_date-error:not([hidden])');
  assert.equal(await page.inputValue('#leave-form-start_date'), '2026-12-16');
  await checkAccessibility(page, 'the leave form with a refusal');
  await page.fill('#leave-form-end_date', '2026-12-18');
  await page.fill('#leave-form-reason', 'family visit');
  await andRefresh(page, () => page.click('#leave-form-save'));
  const [leave] = sql(`SELECT id, status, reason FROM leave_request WHERE staff_id = ${m.id}
                       AND start_date = '2026-12-16' AND end_date = '2026-12-18'`);
  assert.deepEqual([leave.status, leave.reason], ['pending', 'family visit']);
  assert.match(await page.textContent(`li[data-leave="${leave.id}"]`), /Wed 16 Dec 2026 – Fri 18 Dec 2026 pending/);
  await shot(page, 'staff-after-actions');
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});

test('delete asks first and names the shifts that become vacant; cancel changes nothing', async () => {
  const page = await newPage();
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');
  const [busy] = sql(`SELECT staff_id AS id FROM shift WHERE home_id = ${HOME} AND date >= '2026-11-28'
                      AND staff_id IS NOT NULL GROUP BY staff_id ORDER BY COUNT(*) DESC, staff_id LIMIT 1`);
  const upcoming = sql(`SELECT id FROM shift WHERE staff_id = ${busy.id} AND date >= '2026-11-28'
                        ORDER BY date, unit_id, shift_type_id, id`).map((s) => s.id);
  assert.ok(upcoming.length > 0);
  const deleteButton = row(page, busy.id).locator('button[data-action="delete"]');

  await deleteButton.click();
  await page.waitForSelector('#delete-confirm:not([hidden]) #delete-summary');
  assert.match(await page.textContent('#delete-summary'), new RegExp(`${upcoming.length} upcoming shifts? of .* will become vacant`));
  const listed = await page.$$eval('#delete-shifts li', (lis) => lis.map((li) => Number(li.dataset.shift)));
  assert.deepEqual(listed, upcoming);
  // Each names its date, unit and type.
  const [first] = sql(`SELECT s.date, u.name AS unit, t.name AS type FROM shift s JOIN unit u ON u.id = s.unit_id
                       JOIN shift_type t ON t.id = s.shift_type_id WHERE s.id = ${upcoming[0]}`);
  const firstText = await page.textContent('#delete-shifts li:first-child');
  assert.ok(firstText.includes(first.unit) && firstText.includes(first.type), firstText);
  assert.match(firstText, new RegExp(String(Number(first.date.slice(8)))));
  await checkAccessibility(page, 'the delete confirmation');
  await shot(page, 'staff-confirm-delete');
  await shotTop(page, 'staff-confirm-delete-top');

  // Cancel: nothing changes, and the focus goes back to the button.
  await page.click('#delete-no');
  assert.equal(await page.isVisible('#delete-confirm'), false);
  assert.ok(await page.evaluate((id) => document.activeElement.matches(`button[data-action="delete"][data-staff="${id}"]`), busy.id));
  assert.equal(sql(`SELECT COUNT(*) AS n FROM staff WHERE id = ${busy.id}`)[0].n, 1);
  assert.equal(sql(`SELECT COUNT(*) AS n FROM shift WHERE staff_id = ${busy.id} AND date >= '2026-11-28'`)[0].n, upcoming.length);

  // Confirm: gone, and exactly those shifts are vacant.
  await deleteButton.click();
  await page.waitForSelector('#delete-yes:enabled');
  await andRefresh(page, () => page.click('#delete-yes'));
  assert.match(await page.textContent('#flash'), new RegExp(`Deleted .*; ${upcoming.length} shifts? became vacant`));
  assert.equal(sql(`SELECT COUNT(*) AS n FROM staff WHERE id = ${busy.id}`)[0].n, 0);
  const vacant = sql(`SELECT COUNT(*) AS n FROM shift WHERE id IN (${upcoming.join(',')}) AND staff_id IS NULL`)[0].n;
  assert.equal(vacant, upcoming.length);
  assert.equal(await row(page, busy.id).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('another home is refused, a write without the CSRF token is refused, an ended session is said', async () => {
  const page = await newPage();
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');

  // Another home: the page, its fragment and a write are refused.
  const other = await page.goto(base + '/homes/1/staff/');
  assert.equal(other.status(), 403);
  assert.match(await page.textContent('h1'), /Not allowed/);
  await shot(page, 'staff-forbidden');
  await page.goto(base + PAGE);
  await page.waitForSelector('#staff-table');
  const otherStaff = sql(`SELECT MIN(id) AS id FROM staff WHERE home_id = 1`)[0].id;
  assert.equal((await apiGet(page, '/homes/1/staff/panel')).status, 403);
  const refused = await apiWrite(page, 'PATCH', `/api/staff/${otherStaff}`, { contracted_hours: 1 });
  assert.equal(refused.status, 403);
  assert.notEqual(sql(`SELECT contracted_hours AS h FROM staff WHERE id = ${otherStaff}`)[0].h, 1);

  // A cookie write without the token.
  const noToken = await page.evaluate(async (home) => {
    const r = await fetch('/api/staff', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ home_id: home, first_name: 'No', last_name: 'Token', role: 'carer' }),
    });
    return r.status;
  }, HOME);
  assert.equal(noToken, 403);
  assert.equal(sql(`SELECT COUNT(*) AS n FROM staff WHERE last_name = 'Token'`)[0].n, 0);

  // The session ends (logged out in another tab): the page says so, keeps the form, offers to log in.
  await page.click('#add-staff');
  await page.fill('#staff-form-first_name', 'After');
  await page.fill('#staff-form-last_name', 'Logout');
  await page.evaluate(() => fetch('/api/logout', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content },
  }));
  await page.click('#staff-form-save');
  await page.waitForSelector('#log-in-again');
  assert.match(await page.textContent('#flash'), /session has ended/);
  assert.equal(await page.inputValue('#staff-form-first_name'), 'After');
  assert.equal(sql(`SELECT COUNT(*) AS n FROM staff WHERE last_name = 'Logout'`)[0].n, 0);
  await checkAccessibility(page, 'the staff page after the session ended');
  await shot(page, 'staff-session-ended');
  await page.click('#log-in-again');
  await page.waitForURL((u) => u.pathname === '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), PAGE);
  await page.fill('#username', 'manager3');
  await page.fill('#password', 'rota-demo');
  await page.click('#login-submit');
  await page.waitForURL(base + PAGE);
});

test('a 390-px-wide phone shows the list without scrolling sideways', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await logIn(page, PAGE, 'manager3');
  await page.waitForSelector('#staff-table');
  assert.equal(await scrollsSideways(page), false, 'the list fits');
  await shot(page, 'staff-mobile');
  await shotTop(page, 'staff-mobile-top');
  await checkAccessibility(page, 'the staff list on a phone');
  const id = await page.getAttribute('tr[data-staff-row]', 'data-staff-row');
  await row(page, id).locator('button[data-action="edit"]').click();
  assert.equal(await scrollsSideways(page), false, 'the form fits');
  await row(page, id).locator('button[data-action="delete"]').click();
  await page.waitForSelector('#delete-summary');
  assert.equal(await scrollsSideways(page), false, 'the confirmation fits');
  await shot(page, 'staff-mobile-confirm-delete');
  // Sorting stays reachable.
  await page.click('button[data-sort="hours"]');
  assert.equal(await page.getAttribute('th[data-sort-key="hours"]', 'aria-sort'), 'ascending');
});
