// SPDX-License-Identifier: MIT
// The API over fetch with the session cookie: the CSRF token on every request that changes
// something, JSON in and out, errors as ApiError, and a 401 (session over) sends the reader
// to the login page.

export const session = {role: 'viewer', csrf: '', admin: false};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body || {};
  }
}

export function toLogin() {
  location.replace('/login' + (location.hash || ''));
}

// Builds "/v1/x?a=1&b=2", leaving out empty values.
export function url(path, query) {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// One API call. `body` is sent as JSON. Resolves with the parsed answer; rejects with an
// ApiError whose message is vigild's "error" (or the HTTP status).
export async function api(path, {method = 'GET', body, query, signal} = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = session.csrf;
  let r;
  try {
    r = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, `vigild does not answer (${err.message})`);
  }
  let data = null;
  const type = r.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) data = await r.json().catch(() => null);
  if (r.status === 401) {
    toLogin();
    throw new ApiError(401, 'logged out');
  }
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || `HTTP ${r.status}`, data);
  return data;
}

// GET /v1/web/session: who this browser is logged in as.
export async function loadSession() {
  const s = await api('/v1/web/session');
  session.role = s.role;
  session.csrf = s.csrf || '';
  session.admin = s.role === 'admin';
  return session;
}

export async function logout() {
  try {
    await api('/v1/web/logout', {method: 'POST'});
  } finally {
    location.replace('/login');
  }
}
