// The rota page (/homes/{id}/rota/): each shift in the grid is a button that
// opens its actions, built here when asked (a form per shift made the page
// three times slower to paint): Assign a vacant shift to one of the members
// the server offers (its `data-candidates`, computed with the domain's
// eligibility rule; nothing is decided here; their names are in the week's
// <template id="staff-options">), Unassign, add a note. Each runs through the
// JSON API with the page's CSRF token (rota.api). After each write, refused or
// not, the grid is fetched again (the server has already invalidated it with
// the data) and swapped in, so the page shows the database's current week; the
// shift's actions are opened again, a refusal is shown inside them with the
// API's message, and the keyboard focus goes back there. Escape closes the
// actions and returns to the shift. A session that has ended is said so, with
// a link to log in.
'use strict';
(function () {
  const holder = () => document.getElementById('rota');
  const shiftItem = (id) => holder().querySelector('li.shift[data-shift="' + id + '"]');
  let openId = null;  // the shift whose actions are open

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

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // "Bluebell Early on Sat 28 Nov", from the shift's row and column headings.
  function describeItem(item) {
    const td = item.closest('td');
    const day = td.closest('table').tHead.rows[0].cells[td.cellIndex].textContent;
    return td.parentElement.cells[0].textContent + ' ' + item.querySelector('strong').textContent + ' on ' + day;
  }

  function closeActions() {
    const item = openId && shiftItem(openId);
    openId = null;
    if (!item) return;
    const panel = item.querySelector('.shift-actions');
    if (panel) panel.remove();
    item.querySelector('button.shift-open').setAttribute('aria-expanded', 'false');
  }

  // Opens the actions of `item` below it and focuses the first of them.
  function openActions(item) {
    closeActions();
    const id = item.dataset.shift;
    const what = describeItem(item);
    const template = document.getElementById('staff-options');
    const panel = el('div', { class: 'shift-actions', id: 'actions-' + id, role: 'group', 'aria-label': 'actions for ' + what });
    if (!item.classList.contains('is-vacant')) {
      const who = item.querySelector('[data-role="staff"]').textContent;
      panel.append(el('button', { type: 'button', class: 'secondary', 'data-action': 'unassign', 'data-shift': id,
        'aria-label': 'Unassign ' + who + ' from ' + what }, 'Unassign'));
    } else {
      const offered = new Set((item.dataset.candidates || '').split(' ').filter(Boolean));
      const options = [...template.content.querySelectorAll('option')].filter((o) => offered.has(o.value));
      if (options.length === 0) {
        panel.append(el('span', { class: 'muted', 'data-role': 'no-candidate' }, 'no qualified member of staff is free'));
      } else {
        const select = el('select', { 'data-role': 'candidate', 'aria-label': 'member of staff for ' + what });
        select.append(...options.map((o) => o.cloneNode(true)));
        panel.append(select, el('button', { type: 'button', 'data-action': 'assign', 'data-shift': id }, 'Assign'));
      }
    }
    panel.append(
      el('input', { type: 'text', 'data-role': 'note', maxlength: template.dataset.maxNote, 'aria-label': 'note on ' + what,
        placeholder: 'Note' }),
      el('button', { type: 'button', 'data-action': 'note', 'data-shift': id }, 'Save note'),
      el('p', { class: 'refusal', 'data-role': 'refusal', role: 'alert', hidden: '' }));
    item.append(panel);
    const open = item.querySelector('button.shift-open');
    open.setAttribute('aria-expanded', 'true');
    open.setAttribute('aria-controls', panel.id);
    openId = id;
    panel.querySelector('select, button, input').focus();
  }

  // Opens the shift's actions again (after the grid was swapped) and shows
  // `message` there; on a shift no longer on the page, in the message line.
  function reopen(id, message) {
    const item = shiftItem(id);
    if (!item) {
      openId = null;
      if (message) rota.flash(message, 'error');
      return;
    }
    openActions(item);
    if (!message) return;
    const p = item.querySelector('[data-role="refusal"]');
    p.textContent = message;
    p.hidden = false;
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
      reopen(id);
    } else {
      document.getElementById('flash').hidden = true;
      reopen(id, rota.errorText(r));
    }
  }

  const describe = (s) => s.shift_type.name + ' on ' + s.date + ' in ' + s.unit.name;

  document.addEventListener('click', (event) => {
    const open = event.target.closest('#rota button.shift-open');
    if (open) {
      const item = open.closest('li.shift');
      if (openId === item.dataset.shift) closeActions();
      else openActions(item);
      return;
    }
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
        const p = item.querySelector('[data-role="refusal"]');
        p.textContent = 'Write the note first.';
        p.hidden = false;
        input.focus();
        return;
      }
      act(button, 'POST', url + '/notes', { body: input.value }, () => 'Note added.');
    }
  });

  document.addEventListener('keydown', (event) => {
    const panel = event.target.closest && event.target.closest('#rota .shift-actions');
    if (!panel) return;
    if (event.key === 'Escape') {  // back to the shift
      const item = panel.closest('li.shift');
      closeActions();
      item.querySelector('button.shift-open').focus();
    } else if (event.key === 'Enter' && event.target.matches('input[data-role="note"]')) {  // saves, as in a form
      event.preventDefault();
      panel.querySelector('button[data-action="note"]').click();
    }
  });
})();
