// The staff page (/homes/{id}/staff/). The server renders the list (one cached
// fragment, web/staff_page.cpp); this script only
//  - sorts the rendered rows (name, role, hours; aria-sort on the header) and
//    filters them by unit and by active, in the browser;
//  - runs the actions through the JSON API with the page's CSRF token (rota.js):
//    add or edit a member of staff, add or remove a certification, request
//    leave, and delete after a confirmation step that names the shifts that
//    would become vacant (a small fragment the server renders from the models,
//    .../staff/{id}/vacated, fetched when the confirmation opens);
//  - shows a refusal (422/409/403) next to the field the API names, keeping
//    what was typed; after a success it fetches the fragment again (the server
//    has invalidated it with the data), so the list is the database's answer.
'use strict';
(function () {
  const view = { sort: 'name', dir: 'ascending', unit: '', active: 'all' };
  let editing = null;  // {form, staffId, trigger} while the editor is open

  const $ = (id) => document.getElementById(id);
  const staffData = () => JSON.parse($('staff-data').textContent).staff;
  const rows = () => Array.from(document.querySelectorAll('#staff-table tbody tr[data-staff-row]'));

  // ---- sorting and filtering -------------------------------------------------

  function compare(a, b) {
    let d;
    if (view.sort === 'hours') d = Number(a.dataset.hours) - Number(b.dataset.hours);
    else d = a.dataset[view.sort].localeCompare(b.dataset[view.sort]);
    if (d === 0) d = a.dataset.name.localeCompare(b.dataset.name);
    if (d === 0) d = Number(a.dataset.staffRow) - Number(b.dataset.staffRow);
    return view.dir === 'ascending' ? d : -d;
  }

  function applyView() {
    const body = document.querySelector('#staff-table tbody');
    if (!body) return;
    const all = rows();
    all.sort(compare).forEach((r) => body.appendChild(r));
    let shown = 0;
    for (const r of all) {
      const unitOk = !view.unit || r.dataset.units.includes(' ' + view.unit + ' ');
      const activeOk = view.active === 'all' || (view.active === 'active') === (r.dataset.active === 'true');
      r.hidden = !(unitOk && activeOk);
      if (!r.hidden) shown++;
    }
    document.querySelectorAll('#staff-table th[data-sort-key]').forEach((th) => {
      th.setAttribute('aria-sort', th.dataset.sortKey === view.sort ? view.dir : 'none');
    });
    const count = document.querySelector('[data-testid="shown-count"]');
    if (count) count.textContent = String(shown);
    if ($('filter-unit')) $('filter-unit').value = view.unit;
    if ($('filter-active')) $('filter-active').value = view.active;
  }

  function sortBy(key) {
    view.dir = view.sort === key && view.dir === 'ascending' ? 'descending' : 'ascending';
    view.sort = key;
    applyView();
  }

  // ---- the editor ------------------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll('.field-error, .form-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  }

  // The API's refusal next to the field it names (its `field`), else above the
  // form; the form keeps what was typed.
  function showError(form, r) {
    const field = r.data && r.data.error && r.data.error.field;
    const message = rota.errorText(r);
    const slot = field && $(form.id + '-' + field + '-error');
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
      const input = form.querySelector('[name="' + field + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    } else {
      const p = $(form.id + '-error');
      p.textContent = message;
      p.hidden = false;
    }
  }

  function openEditor(formId, staffId, trigger) {
    closeEditor(false);
    const form = $(formId);
    editing = { form, staffId, trigger: trigger && { action: trigger.dataset.action, staff: trigger.dataset.staff } };
    const member = staffId ? staffData()[staffId] : null;
    form.querySelectorAll('[data-slot="name"]').forEach((s) => { s.textContent = member ? member.name : ''; });
    $('editor').hidden = false;
    form.hidden = false;
    if (form.tagName === 'FORM') clearErrors(form);
    return { form, member };
  }

  // Hides the editor; `restoreFocus` puts focus back on the button that opened it.
  function closeEditor(restoreFocus) {
    if (!editing) return;
    const { form, trigger } = editing;
    form.hidden = true;
    if (form.tagName === 'FORM') form.reset();
    $('editor').hidden = true;
    editing = null;
    if (restoreFocus) focusTrigger(trigger);
  }

  function focusTrigger(trigger) {
    const selector = trigger && trigger.staff
      ? `button[data-action="${trigger.action}"][data-staff="${trigger.staff}"]` : '#add-staff';
    const button = document.querySelector(selector) || $('add-staff');
    if (button) button.focus();
  }

  function openStaffForm(staffId, trigger) {
    const { form, member } = openEditor('staff-form', staffId, trigger);
    $('staff-form-title').textContent = member ? 'Edit ' + member.name : 'Add a member of staff';
    $('staff-form-save').textContent = member ? 'Save changes' : 'Add';
    if (member) {
      form.elements.first_name.value = member.first_name;
      form.elements.last_name.value = member.last_name;
      form.elements.role.value = member.role;
      form.elements.contracted_hours.value = String(member.contracted_hours);
      form.elements.primary_unit_id.value = member.primary_unit_id === null ? '' : String(member.primary_unit_id);
      form.querySelectorAll('input[name="qualified_unit_ids"]').forEach((box) => {
        box.checked = member.qualified_unit_ids.includes(Number(box.value));
      });
      form.elements.active.checked = member.active;
    }
    form.elements.first_name.focus();
  }

  // A number when the text is one; otherwise the text itself, for the API to refuse by name.
  function numberOrText(text) {
    const t = text.trim();
    return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
  }

  function staffBody(form) {
    const body = {
      first_name: form.elements.first_name.value,
      last_name: form.elements.last_name.value,
      role: form.elements.role.value,
      primary_unit_id: form.elements.primary_unit_id.value === '' ? null : Number(form.elements.primary_unit_id.value),
      qualified_unit_ids: Array.from(form.querySelectorAll('input[name="qualified_unit_ids"]:checked'))
        .map((box) => Number(box.value)),
      active: form.elements.active.checked,
    };
    if (form.elements.contracted_hours.value.trim() !== '')
      body.contracted_hours = numberOrText(form.elements.contracted_hours.value);
    return body;
  }

  // ---- writes ----------------------------------------------------------------

  async function refresh() {
    const holder = $('panel');
    const res = await fetch(holder.dataset.panelUrl, { credentials: 'same-origin' });
    if (!res.ok) {
      rota.flash('Could not reload the list (HTTP ' + res.status + '): reload the page.', 'error');
      return false;
    }
    holder.innerHTML = await res.text();
    editing = null;
    applyView();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    return true;
  }

  // Sends one write; on success reloads the list and says `done(answer)`, on a
  // refusal shows it in `form` (or as the page's message) and keeps everything as typed.
  async function write(button, form, method, url, body, done) {
    button.disabled = true;
    const r = await rota.api(method, url, body);
    button.disabled = false;
    if (r.status === 401) return;  // rota.js says the session ended and offers to log in
    if (!r.ok) {
      if (form) showError(form, r);
      else rota.flash(rota.errorText(r), 'error');
      return;
    }
    const trigger = editing && editing.trigger;
    const message = done(r.data);
    if (await refresh()) {
      rota.flash(message, 'ok');
      focusTrigger(trigger);
    }
  }

  function submitStaff(form) {
    const id = editing.staffId;
    const body = staffBody(form);
    if (id) {
      write($('staff-form-save'), form, 'PATCH', '/api/staff/' + id, body, (m) => 'Saved ' + m.name + '.');
    } else {
      body.home_id = Number($('panel').querySelector('.staff-panel').dataset.home);
      write($('staff-form-save'), form, 'POST', '/api/staff', body, (m) => 'Added ' + m.name + '.');
    }
  }

  function submitCertification(form) {
    const id = Number(editing.staffId);
    const body = { staff_id: id, name: form.elements.name.value, expires_on: form.elements.expires_on.value };
    write($('cert-form-save'), form, 'POST', '/api/certifications', body,
      (c) => 'Added ' + c.name + ' (expires ' + c.expires_on + ').');
  }

  function submitLeave(form) {
    const id = Number(editing.staffId);
    const body = { staff_id: id, start_date: form.elements.start_date.value, end_date: form.elements.end_date.value };
    if (form.elements.reason.value !== '') body.reason = form.elements.reason.value;
    write($('leave-form-save'), form, 'POST', '/api/leave-requests', body,
      (l) => 'Leave requested ' + l.start_date + ' – ' + l.end_date + ' (' + l.status + ').');
  }

  function removeCertification(button) {
    const item = button.closest('li');
    const name = item.querySelector('.cert-name').textContent;
    write(button, null, 'DELETE', '/api/certifications/' + button.dataset.cert, undefined,
      () => 'Removed ' + name + '.');
  }

  // The confirmation step: who, and which of their shifts become vacant (the
  // server's answer); "Yes, delete" waits for it.
  async function askDelete(staffId, trigger) {
    openEditor('delete-confirm', staffId, trigger);
    const details = $('delete-details');
    const yes = $('delete-yes');
    details.textContent = 'Looking up their upcoming shifts…';
    yes.disabled = true;
    $('delete-error').hidden = true;
    $('delete-no').focus();
    const home = $('panel').querySelector('.staff-panel').dataset.home;
    let res;
    try {
      res = await fetch(`/homes/${home}/staff/${staffId}/vacated`, { credentials: 'same-origin' });
    } catch (e) {
      res = { ok: false, status: 0 };
    }
    if (!editing || editing.staffId !== staffId) return;  // closed or replaced meanwhile
    if (res.status === 401) {
      details.textContent = '';
      rota.sessionEnded();
      return;
    }
    if (!res.ok) {
      details.textContent = 'Could not look up their shifts (HTTP ' + res.status + '): reload the page.';
      return;
    }
    details.innerHTML = await res.text();
    yes.disabled = false;
  }

  async function confirmDelete() {
    const id = editing.staffId;
    const member = staffData()[id];
    const n = Number($('delete-summary').dataset.count);
    const button = $('delete-yes');
    button.disabled = true;
    const r = await rota.api('DELETE', '/api/staff/' + id);
    button.disabled = false;
    if (r.status === 401) return;
    if (!r.ok) {
      $('delete-error').textContent = rota.errorText(r);
      $('delete-error').hidden = false;
      return;
    }
    if (await refresh()) {
      rota.flash(`Deleted ${member.name}; ${n} shift${n === 1 ? '' : 's'} became vacant.`, 'ok');
      $('add-staff').focus();
    }
  }

  // ---- events (delegated: the panel's content is replaced after each write) --

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || !button.closest('#panel')) return;
    if (button.dataset.sort) return sortBy(button.dataset.sort);
    switch (button.dataset.action) {
      case 'add': return openStaffForm(null, button);
      case 'edit': return openStaffForm(button.dataset.staff, button);
      case 'add-cert': return openEditor('cert-form', button.dataset.staff, button).form.elements.name.focus();
      case 'request-leave': return openEditor('leave-form', button.dataset.staff, button).form.elements.start_date.focus();
      case 'remove-cert': return removeCertification(button);
      case 'delete': return askDelete(button.dataset.staff, button);
      case 'close': return closeEditor(true);
    }
    if (button.id === 'delete-yes') confirmDelete();
  });

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!form.closest('#panel')) return;
    event.preventDefault();
    clearErrors(form);
    if (form.id === 'staff-form') submitStaff(form);
    else if (form.id === 'cert-form') submitCertification(form);
    else if (form.id === 'leave-form') submitLeave(form);
  });

  document.addEventListener('change', (event) => {
    if (event.target.id === 'filter-unit') view.unit = event.target.value;
    else if (event.target.id === 'filter-active') view.active = event.target.value;
    else return;
    applyView();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && editing) closeEditor(true);
  });

  document.addEventListener('DOMContentLoaded', applyView);
})();
