// The login form: posts to /api/login, then goes to `next` (a path on this
// site only) or the start page.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const message = document.getElementById('login-message');
  const submit = document.getElementById('login-submit');

  function safeNext() {
    const next = new URLSearchParams(window.location.search).get('next') || '/';
    // Only a path of this site: "/x", never "//host" or "/\host", nor one a
    // browser turns into them (it drops tabs and newlines, reads "\" as "/").
    // The server applies the same rule (web/pages.hpp SafeNext).
    return /^\/(?![\/\\])[^\\\u0000-\u001f\u007f]*$/.test(next) && next.length <= 2048 ? next : '/';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hidden = true;
    submit.disabled = true;
    try {
      const res = await fetch('/api/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify({ username: form.username.value, password: form.password.value }),
      });
      if (res.ok) {
        window.location.assign(safeNext());
        return;
      }
      let text = 'Invalid username or password.';
      if (res.status === 429) {
        const body = await res.json().catch(() => null);
        text = 'Too many failed attempts. ' + ((body && body.error && body.error.message) || 'Try again later.');
      } else if (res.status !== 401) {
        text = 'The server could not log you in (HTTP ' + res.status + '). Try again in a moment.';
      }
      message.textContent = text;
      message.hidden = false;
      form.password.value = '';
      form.password.focus();
    } catch (e) {
      message.textContent = 'The server cannot be reached. Check your connection and try again.';
      message.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
});
