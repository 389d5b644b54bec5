// Shared by every logged-in page: JSON calls with the session's CSRF token,
// a status line, and the "Log out" button. No framework: the pages are small.
'use strict';
window.rota = (function () {
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  // fetch() with JSON in and out. Resolves to {ok, status, data}; an api.md
  // error's message is in data.error.message.
  async function api(method, url, body) {
    const init = { method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf();
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, data: { error: { message: 'The server cannot be reached: ' + e.message } } };
    }
    if (res.status === 401) {  // the session expired: log in again, then come back
      window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
    }
    let data = null;
    const text = await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { error: { message: text.slice(0, 200) } }; }
    }
    return { ok: res.ok, status: res.status, data };
  }

  function errorText(r) {
    return (r.data && r.data.error && r.data.error.message) || ('HTTP ' + r.status);
  }

  function flash(text, kind) {
    const el = document.getElementById('flash');
    if (!el) return;
    el.textContent = text;
    el.className = 'flash ' + (kind || 'ok');
    el.hidden = false;
  }

  document.addEventListener('DOMContentLoaded', () => {
    const logout = document.getElementById('logout');
    if (logout) logout.addEventListener('click', async () => {
      await api('POST', '/api/logout');
      window.location.assign('/login');
    });
  });

  return { api, errorText, flash };
})();
