// The rota page (/homes/{id}/rota/): runs the grid's actions through the JSON
// API with the page's CSRF token (rota.api) — assign a vacant shift to the
// member of staff chosen among those the server offers (the server computed
// them with the domain's eligibility rule; nothing is decided here), unassign,
// add a note. After each write, refused or not, it fetches the grid again (the
// server has already invalidated it with the data) and swaps it in, so the page
// shows the database's current week; a refusal is then shown inside the shift
// it concerns, with the API's message, and the keyboard focus goes back to
// that shift. A session that has ended is said so, with a link to log in.
'use strict';
(function () {
  const holder = () => document.getElementById('rota');

  // The grid of the week shown, fresh from the server; false when it failed.
  async function refresh() {
    const from = holder().querySelector('.rota-week').dataset.from;
    const res = await fetch(holder().dataset.gridUrl + '?from=' + encodeURIComponent(from),
      { credentials: 'same-origin' });
    if (res.status === 401) {
      rota.sessionEnded();
      return false;
    }
    if (!res.ok) {
      rota.flash('Could not reload the rota (HTTP ' + res.status + '): reload the page.', 'error');
      return false;
    }
    holder().innerHTML = await res.text();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    return true;
  }

  const shiftItem = (id) => holder().querySelector('li.shift[data-shift="' + id + '"]');

  // Shows `message` inside the shift's item and puts the focus back there.
  function refuse(id, message) {
    const item = shiftItem(id);
    if (!item) {
      rota.flash(message, 'error');
      return;
    }
    const p = item.querySelector('[data-role="refusal"]');
    p.textContent = message;
    p.hidden = false;
    const control = item.querySelector('select, button');
    if (control) control.focus();
  }

  async function act(button, method, url, body, done) {
    const id = button.dataset.shift;
    button.disabled = true;
    const r = await rota.api(method, url, body);
    if (r.status === 401) {  // rota.api has said that the session ended
      button.disabled = false;
      return;
    }
    if (!(await refresh())) return;
    if (r.ok) {
      rota.flash(done(r.data), 'ok');
      const item = shiftItem(id);
      const control = item && item.querySelector('select, button');
      if (control) control.focus();
    } else {
      document.getElementById('flash').hidden = true;
      refuse(id, rota.errorText(r));
    }
  }

  const describe = (s) => s.shift_type.name + ' on ' + s.date + ' in ' + s.unit.name;

  document.addEventListener('click', (event) => {
    const button = event.target.closest('#rota button[data-action]');
    if (!button) return;
    const item = button.closest('li.shift');
    const url = '/api/shifts/' + button.dataset.shift;
    const action = button.dataset.action;
    if (action === 'assign') {
      const select = item.querySelector('select[data-role="candidate"]');
      const name = select.options[select.selectedIndex].text;
      act(button, 'PATCH', url, { staff_id: Number(select.value) }, (s) => name + ' now works ' + describe(s) + '.');
    } else if (action === 'unassign') {
      act(button, 'PATCH', url, { staff_id: null }, (s) => describe(s) + ' is vacant now.');
    } else if (action === 'note') {
      const input = item.querySelector('input[data-role="note"]');
      if (!input.value.trim()) {
        refuse(button.dataset.shift, 'Write the note first.');
        input.focus();
        return;
      }
      act(button, 'POST', url + '/notes', { body: input.value }, () => 'Note added.');
    }
  });

  // Enter in a note's box saves it, as in a form.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !event.target.matches('#rota input[data-role="note"]')) return;
    event.preventDefault();
    event.target.closest('li.shift').querySelector('button[data-action="note"]').click();
  });
})();
