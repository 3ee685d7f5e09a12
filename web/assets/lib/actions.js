// SPDX-License-Identifier: MIT
// What the admin does to programs (start, stop with a confirmation, restart, the auto-start
// switch), the confirmation dialog and the toasts that report failures.

import {api, session} from './api.js';
import {h} from './dom.js';
import {store} from './store.js';

// name -> the action running for it ("start", "stop", "restart"), while it runs.
export const busy = new Map();

export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  const t = h('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status'},
      h('span', null, text),
      h('button', {type: 'button', class: 'quiet close', 'aria-label': 'Dismiss', onclick: () => t.remove()}, '×'));
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 12000 : 5000);
}

// The page's <dialog>: resolves true when the reader confirms.
export function confirmDialog(title, text, okLabel = 'OK') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), {once: true});
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// Which actions a set of instances allows: start one that is down, stop or restart one that
// is up or trying to come up.
export function allowed(instances) {
  const states = instances.map((p) => p.state);
  const any = (...s) => states.some((x) => s.includes(x));
  return {
    start: any('STOPPED', 'EXITED', 'FATAL', 'BACKOFF'),
    stop: any('RUNNING', 'STARTING', 'BACKOFF'),
    restart: any('RUNNING', 'STARTING'),
  };
}

// Runs `action` on `name` (a program, all its instances, or one instance) and waits for
// vigild's answer, which comes once the programs got there (or could not).
export async function programAction(name, action) {
  if (!session.admin || busy.has(name)) return;
  if (action === 'stop') {
    const ok = await confirmDialog(`Stop ${name}?`,
        `${name} gets its stop signal and stays stopped until someone starts it.`, 'Stop');
    if (!ok) return;
  }
  busy.set(name, action);
  store.emit('programs', {names: [name], structure: false});
  try {
    const r = await api(`/v1/programs/${encodeURIComponent(name)}/${action}`, {method: 'POST'});
    store.update(r.programs || [], false);
  } catch (err) {
    toast(`${action} ${name}: ${err.message}`, 'error');
    store.loadPrograms().catch(() => {});
  } finally {
    busy.delete(name);
    store.emit('programs', {names: [name], structure: false});
  }
}

export async function setAutostart(name, enabled, input) {
  input.disabled = true;
  try {
    const r = await api(`/v1/programs/${encodeURIComponent(name)}/autostart`, {method: 'POST', body: {enabled}});
    store.update(r.programs || [], false);
  } catch (err) {
    input.checked = !enabled;
    toast(`auto-start ${name}: ${err.message}`, 'error');
  } finally {
    input.disabled = !session.admin;
  }
}

// The Start / Stop / Restart buttons for `name`, enabled by the states of `instances`.
export function actionButtons(name) {
  const make = (action, label, cls) => h('button', {
    type: 'button', class: `action ${cls || ''}`, dataset: {action},
    onclick: () => programAction(name, action),
  }, h('span', {class: 'spinner', 'aria-hidden': 'true'}), label);
  const box = h('div', {class: 'actions', role: 'group', 'aria-label': `Actions for ${name}`},
      make('start', 'Start'), make('stop', 'Stop', 'danger-text'), make('restart', 'Restart'));
  box.hidden = !session.admin;
  return box;
}

export function updateActionButtons(box, name, instances) {
  const can = allowed(instances);
  const running = busy.get(name);
  for (const b of box.children) {
    const action = b.dataset.action;
    b.disabled = !!running || !can[action];
    const on = running === action;
    b.classList.toggle('busy', on);
    if (on) b.setAttribute('aria-busy', 'true'); else b.removeAttribute('aria-busy');
  }
}
