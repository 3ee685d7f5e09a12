// SPDX-License-Identifier: MIT
// Events: vigild's history, filtered by type, subject (a program, a task, vigild) and time,
// newest first, paged, with new events arriving live from the stream.

import {api} from '../lib/api.js';
import {h, labelled, select, setText} from '../lib/dom.js';
import {baseName, fullTime, when} from '../lib/format.js';
import {store} from '../lib/store.js';
import {stream} from '../lib/stream.js';

const kTypes = ['state', 'note', 'signal', 'spawn_error', 'log', 'reload', 'config_error', 'task', 'task_run',
  'daemon', 'check', 'action'];
const kSince = [['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['', 'All time']];

function typeClass(type) {
  if (type === 'spawn_error' || type === 'config_error') return 'err';
  if (type === 'check' || type === 'action') return 'warn';
  return 'off';
}

export function mount(root) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const type = select({id: 'events-type', onchange: () => load(true)}, [['', 'Any type'], ...kTypes], params.get('type') || '');
  const subjects = new Set(['vigild', ...[...store.programs.keys()].map(baseName), ...store.programs.keys()]);
  const subject = select({id: 'events-subject', onchange: () => load(true)},
      [['', 'Anything'], ...[...subjects].sort()], params.get('subject') || '');
  const since = select({id: 'events-since', onchange: () => load(true)}, kSince, params.get('since') ?? '24h');
  const body = h('tbody');
  const more = h('button', {type: 'button', id: 'events-more', hidden: true, onclick: () => load(false)}, 'Older');
  const note = h('p', {class: 'muted small', role: 'status'});
  let before = null;
  let seq = 0;

  root.append(
      h('div', {class: 'toolbar'}, h('h1', null, 'Events')),
      h('form', {class: 'filters toolbar wrap', onsubmit: (e) => e.preventDefault()},
          labelled('Type', type), labelled('About', subject), labelled('Since', since)),
      h('div', {class: 'scroll-x'}, h('table', {class: 'grid events', id: 'events-table'},
          h('thead', null, h('tr', null, ['Time', 'Type', 'About', 'What happened'].map((t) => h('th', {scope: 'col'}, t)))),
          body)),
      note, more);

  // Tasks are subjects too: added once the list comes.
  api('/v1/tasks').then((r) => {
    const current = subject.value;
    for (const t of r.tasks) subjects.add(t.name);
    subject.replaceChildren(...[['', 'Anything'], ...[...subjects].sort()].map((o) => {
      const [v, l] = Array.isArray(o) ? o : [o, o];
      return h('option', {value: v, selected: v === current}, l);
    }));
  }).catch(() => {});

  function row(e) {
    return h('tr', {dataset: {id: e.id, type: e.type}},
        h('td', {title: fullTime(e.time_ms)}, h('time', {datetime: new Date(e.time_ms).toISOString()}, when(e.time_ms))),
        h('td', null, h('span', {class: `badge small ${typeClass(e.type)}`}, e.type)),
        h('td', null, e.subject),
        h('td', null, e.message));
  }

  async function load(fresh) {
    const mine = ++seq;
    if (fresh) before = null;
    more.disabled = true;
    try {
      const r = await api('/v1/events', {query: {type: type.value, subject: subject.value, since: since.value,
        before, limit: 100}});
      if (mine !== seq) return;
      if (fresh) body.replaceChildren();
      for (const e of r.events) body.append(row(e));
      before = r.next_before;
      more.hidden = before === null || before === undefined;
      setText(note, body.childElementCount ? '' : 'No events match.');
    } catch (err) {
      if (mine === seq) setText(note, err.status === 503 ? `No history: ${err.message}` : err.message);
    } finally {
      more.disabled = false;
    }
  }

  const unsubscribe = stream.subscribe({topic: 'events'}, (m) => {
    const e = m.event;
    if (!e || (type.value && e.type !== type.value) || (subject.value && e.subject !== subject.value)) return;
    if (body.querySelector(`tr[data-id="${Number(e.id)}"]`)) return;
    body.prepend(row(e));
    setText(note, '');
  });
  load(true);
  return () => unsubscribe();
}
