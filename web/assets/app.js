// SPDX-License-Identifier: MIT
// The dashboard: who is logged in, the header, the stream banner, and the pages by URL
// fragment (#/programs, #/program/web/logs, #/tasks, #/health, #/events). Pages other than
// Programs are loaded when first opened.

import {loadSession, logout, session} from './lib/api.js';
import {h, setText} from './lib/dom.js';
import {stream} from './lib/stream.js';
import {store} from './lib/store.js';
import * as programsPage from './pages/programs.js';

const pages = {
  programs: async () => programsPage,
  program: () => import('./pages/program.js'),
  tasks: () => import('./pages/tasks.js'),
  health: () => import('./pages/health.js'),
  events: () => import('./pages/events.js'),
};

const view = document.getElementById('view');
const banner = document.getElementById('banner');
let unmount = null;
let routeSeq = 0;

// The programs and the session are asked for at once: the cards need both, nothing else.
const programsLoaded = store.loadPrograms().catch(() => {});

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const name = pages[parts[0]] ? parts[0] : 'programs';
  return {name, args: parts.slice(1)};
}

async function route() {
  const seq = ++routeSeq;
  const {name, args} = parseRoute();
  for (const a of document.querySelectorAll('nav a[data-page]')) {
    const current = a.dataset.page === name || (name === 'program' && a.dataset.page === 'programs');
    if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  let page;
  try {
    page = await pages[name]();
  } catch (err) {
    view.replaceChildren(h('p', {class: 'error'}, `Cannot load the page: ${err.message}`));
    return;
  }
  if (seq !== routeSeq) return;  // the reader went elsewhere meanwhile
  if (unmount) unmount();
  unmount = null;
  view.replaceChildren();
  unmount = page.mount(view, args) || null;
  updateTitle();
}

function updateTitle() {
  const {name, args} = parseRoute();
  const what = name === 'program' ? args[0] : name[0].toUpperCase() + name.slice(1);
  const host = stream.hello?.host;
  document.title = `${what} · vigil${host ? ` on ${host}` : ''}`;
}

// The banner while the stream is down, with the time to the next try.
let bannerTimer = 0;
function showStreamState() {
  clearInterval(bannerTimer);
  if (stream.connected) {
    banner.hidden = true;
    const host = stream.hello?.host;
    if (host) setText(document.getElementById('host'), host);
    updateTitle();
    return;
  }
  const text = h('span');
  const again = h('button', {type: 'button', class: 'quiet', onclick: () => stream.reconnectNow()}, 'Reconnect now');
  banner.replaceChildren(h('strong', null, 'Live updates are disconnected.'), ' ', text, ' ', again);
  banner.hidden = false;
  const update = () => {
    const s = Math.max(0, Math.ceil((stream.retryAt - Date.now()) / 1000));
    setText(text, s > 0 ? `Reconnecting in ${s} s; meanwhile the page refreshes every few seconds.` : 'Reconnecting…');
  };
  update();
  bannerTimer = setInterval(update, 1000);
}

async function start() {
  try {
    await loadSession();
  } catch (err) {
    if (err.status !== 401) view.replaceChildren(h('p', {class: 'error'}, `vigild does not answer: ${err.message}`));
    return;
  }
  document.body.classList.toggle('viewer', !session.admin);
  const role = document.getElementById('role');
  if (!session.admin) {
    role.textContent = 'viewer: read only';
    role.hidden = false;
  }
  setText(document.getElementById('host'), location.hostname);
  document.getElementById('logout').addEventListener('click', () => logout());
  await programsLoaded;
  window.addEventListener('hashchange', route);
  await route();
  // The live stream and the health checks once the first page is painted: their first
  // answers (every program again, the checks) would otherwise be handled before that paint.
  // A tab in the background paints nothing (no animation frames): the timer starts them there.
  let live = false;
  const goLive = () => {
    if (live) return;
    live = true;
    stream.addEventListener('state', showStreamState);
    stream.addEventListener('error', (e) => console.warn('stream:', e.detail));
    store.start();
    stream.start();
  };
  requestAnimationFrame(() => setTimeout(goLive));
  setTimeout(goLive, 500);
}

start();
