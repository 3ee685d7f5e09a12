// SPDX-License-Identifier: MIT
// The login form: POST /v1/web/login with the token, then the dashboard (the page the
// reader came from, kept in the URL's fragment).

const form = document.getElementById('login-form');
const input = document.getElementById('token');
const error = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function dashboard() {
  location.replace('/' + (location.hash || ''));
}

function showError(text) {
  error.textContent = text;
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

// Already logged in (a second tab, the back button): straight to the dashboard.
fetch('/v1/web/session', {credentials: 'same-origin'}).then((r) => {
  if (r.ok) dashboard();
}).catch(() => {});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = input.value.trim();
  if (!token) {
    showError('Enter a token.');
    return;
  }
  submit.disabled = true;
  error.hidden = true;
  try {
    const r = await fetch('/v1/web/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({token}),
    });
    if (r.ok) {
      dashboard();
      return;
    }
    if (r.status === 401) {
      showError('Wrong token.');
    } else if (r.status === 429) {
      const wait = r.headers.get('Retry-After');
      showError(`Too many failed logins. Try again in ${wait || 'a few'} seconds.`);
    } else {
      const body = await r.json().catch(() => ({}));
      showError(body.error || `Login failed (HTTP ${r.status}).`);
    }
  } catch (err) {
    showError(`vigild does not answer: ${err.message}`);
  } finally {
    submit.disabled = false;
  }
});

input.focus();
