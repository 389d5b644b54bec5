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
    if (res.status === 401) sessionEnded();
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

  // The session expired or was ended elsewhere: the page says so in its message
  // line, with a link that logs in again and comes back here, and keeps what it
  // shows (a half-filled form stays filled). Later messages do not cover it.
  // A page without a message line goes to the login form at once.
  let sessionOver = false;
  function sessionEnded() {
    const next = '/login?next=' + encodeURIComponent(window.location.pathname + window.location.search);
    const el = document.getElementById('flash');
    if (!el) {
      window.location.assign(next);
      return;
    }
    sessionOver = true;
    el.textContent = 'Your session has ended, so nothing was changed. ';
    const link = document.createElement('a');
    link.href = next;
    link.id = 'log-in-again';
    link.textContent = 'Log in again';
    el.appendChild(link);
    el.className = 'flash error';
    el.hidden = false;
  }

  function flash(text, kind) {
    const el = document.getElementById('flash');
    if (!el || sessionOver) return;
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

  return { api, errorText, flash, sessionEnded };
})();
