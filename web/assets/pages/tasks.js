// SPDX-License-Identifier: MIT
// Tasks: each [task.NAME] with its schedule, next and last run and result, Run now, the
// enabled switch, and its runs with their output.

import {api, session} from '../lib/api.js';
import {toast} from '../lib/actions.js';
import {h, setText} from '../lib/dom.js';
import {duration, fullTime, relative, when} from '../lib/format.js';
import {stream} from '../lib/stream.js';

function resultClass(result) {
  if (result === 'running' || result === 'queued') return 'busy';
  if (result === 'exit 0') return 'ok';
  if (!result) return 'off';
  return 'err';
}

class TaskCard {
  constructor(task) {
    this.name = task.name;
    this.badge = h('span', {class: 'badge'});
    this.schedule = h('dd');
    this.next = h('dd');
    this.last = h('dd');
    this.tally = h('dd');
    this.runBtn = h('button', {type: 'button', class: 'action', dataset: {action: 'run'}, onclick: () => this.runNow()},
        h('span', {class: 'spinner', 'aria-hidden': 'true'}), 'Run now');
    this.runBtn.hidden = !session.admin;
    this.enabled = h('input', {type: 'checkbox', role: 'switch', disabled: !session.admin,
      'aria-label': `Scheduled runs of ${task.name}`, onchange: (e) => this.setEnabled(e.target.checked)});
    this.runsBody = h('tbody');
    this.runsNote = h('p', {class: 'muted small'});
    this.details = h('details', {class: 'runs'},
        h('summary', null, 'Runs'),
        h('div', {class: 'scroll-x'}, h('table', {class: 'grid runs-table'},
            h('thead', null, h('tr', null, ['#', 'Trigger', 'Started', 'Took', 'Result', ''].map((t) =>
              h('th', {scope: 'col'}, t)))),
            this.runsBody)),
        this.runsNote);
    this.details.addEventListener('toggle', () => {
      if (this.details.open) this.loadRuns();
    });
    this.waiting = null;  // the id of the run started here, whose output opens when it ends
    this.el = h('article', {class: 'card task', dataset: {task: task.name}},
        h('header', null, h('h2', {class: 'name'}, task.name), this.badge),
        h('dl', {class: 'facts'},
            h('div', null, h('dt', null, 'schedule'), this.schedule),
            h('div', null, h('dt', null, 'next run'), this.next),
            h('div', null, h('dt', null, 'last run'), this.last),
            h('div', null, h('dt', null, 'ok / failed'), this.tally)),
        h('footer', null, h('div', {class: 'actions'}, this.runBtn),
            h('label', {class: 'switch'}, this.enabled, h('span', null, 'Enabled'))),
        this.details);
    this.update(task);
  }

  update(task) {
    this.task = task;
    const result = task.running ? 'running' : task.last_result;
    this.badge.className = `badge ${resultClass(result)}`;
    setText(this.badge, result || 'never ran');
    setText(this.schedule, `${task.schedule}${task.timezone ? ` (${task.timezone})` : ''} · ${task.action}`);
    this.tick();
    this.last.title = fullTime(task.last_run_ms);
    this.next.title = fullTime(task.next_run_ms);
    setText(this.tally, `${task.runs_succeeded} / ${task.runs_failed}`);
    this.enabled.checked = task.enabled;
    this.runBtn.classList.toggle('busy', task.running);
    this.runBtn.disabled = task.running && !session.admin;
    this.el.dataset.running = task.running ? 'true' : 'false';
  }

  tick() {
    const t = this.task;
    if (t.waiting_since_ms >= 0) setText(this.next, `waiting for an idle machine since ${when(t.waiting_since_ms)}`);
    else setText(this.next, t.next_run_ms >= 0 ? `${when(t.next_run_ms)} (${relative(t.next_run_ms)})` : (t.enabled ? '–' : 'disabled'));
    setText(this.last, t.last_run_ms >= 0 ?
      `${when(t.last_run_ms)}${t.last_duration_ms >= 0 ? `, took ${duration(t.last_duration_ms)}` : ''}` : 'never');
  }

  async refresh() {
    try {
      this.update(await api(`/v1/tasks/${encodeURIComponent(this.name)}`));
    } catch {
      // the next refresh tries again
    }
    if (this.details.open) await this.loadRuns();
  }

  async loadRuns() {
    let r;
    try {
      r = await api('/v1/runs', {query: {task: this.name, limit: 20}});
    } catch (err) {
      setText(this.runsNote, `Cannot read the runs: ${err.message}`);
      return;
    }
    const open = new Set([...this.runsBody.querySelectorAll('tr.output')].map((tr) => tr.dataset.run));
    this.runsBody.replaceChildren();
    for (const run of r.runs) {
      const row = this.runRow(run);
      this.runsBody.append(row);
      if (open.has(String(run.id)) || (this.waiting !== null && run.id === this.waiting && run.result !== 'running')) {
        this.toggleOutput(run, row);
      }
    }
    if (this.waiting !== null && r.runs.some((x) => x.id === this.waiting && x.result !== 'running')) this.waiting = null;
    setText(this.runsNote, r.runs.length ? '' : 'No runs yet.');
  }

  runRow(run) {
    const took = run.ended_ms >= 0 ? duration(run.ended_ms - run.started_ms) : (run.result === 'running' ? '…' : '–');
    const out = h('button', {type: 'button', class: 'quiet small', 'aria-expanded': 'false',
      disabled: run.id === 0, onclick: () => this.toggleOutput(run, row)}, 'Output');
    const row = h('tr', {dataset: {run: run.id}},
        h('td', null, String(run.id)),
        h('td', null, run.trigger),
        h('td', {title: fullTime(run.started_ms)}, when(run.started_ms)),
        h('td', null, took),
        h('td', null, h('span', {class: `badge small ${resultClass(run.result)}`}, run.result),
            run.deferred_ms > 0 ? h('span', {class: 'muted small'}, ` waited ${duration(run.deferred_ms)}`) : null),
        h('td', null, out));
    row.run = run;
    return row;
  }

  async toggleOutput(run, row) {
    const next = row.nextElementSibling;
    const button = row.querySelector('button');
    if (next && next.classList.contains('output')) {
      next.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const pre = h('pre', {class: 'output-text'}, 'Loading…');
    row.after(h('tr', {class: 'output', dataset: {run: run.id}}, h('td', {colspan: '6'}, pre)));
    button.setAttribute('aria-expanded', 'true');
    try {
      const r = await api(`/v1/runs/${run.id}/output`);
      pre.textContent = r.output || '(no output)';
    } catch (err) {
      pre.textContent = run.output_tail ? `${run.output_tail}\n(${err.message})` : err.message;
    }
  }

  async runNow() {
    this.runBtn.classList.add('busy');
    this.runBtn.disabled = true;
    try {
      const r = await api(`/v1/tasks/${encodeURIComponent(this.name)}/run`, {method: 'POST'});
      this.waiting = r.run.id || null;
      if (r.run.result !== 'running' && r.run.result !== 'queued') this.waiting = null;
      this.details.open = true;
      await this.refresh();
      if (this.waiting !== null && !stream.connected) this.pollUntilDone();
      if (this.waiting === null) this.openLatest(r.run.id);
    } catch (err) {
      toast(`run ${this.name}: ${err.message}`, 'error');
    } finally {
      this.runBtn.disabled = false;
      this.runBtn.classList.toggle('busy', !!this.task.running);
    }
  }

  openLatest(id) {
    const row = [...this.runsBody.querySelectorAll('tr[data-run]')].find((tr) => tr.run && tr.run.id === id);
    if (row && !(row.nextElementSibling && row.nextElementSibling.classList.contains('output'))) {
      this.toggleOutput(row.run, row);
    }
  }

  // Without the stream: ask until the run started here has ended.
  async pollUntilDone() {
    const deadline = Date.now() + 600000;
    while (this.waiting !== null && Date.now() < deadline && !stream.connected && this.el.isConnected) {
      await new Promise((r) => setTimeout(r, 1000));
      await this.refresh();
    }
  }

  async setEnabled(on) {
    this.enabled.disabled = true;
    try {
      const r = await api(`/v1/tasks/${encodeURIComponent(this.name)}/${on ? 'enable' : 'disable'}`, {method: 'POST'});
      this.update(r.task);
    } catch (err) {
      this.enabled.checked = !on;
      toast(`${on ? 'enable' : 'disable'} ${this.name}: ${err.message}`, 'error');
    } finally {
      this.enabled.disabled = !session.admin;
    }
  }
}

export function mount(root) {
  const cards = new Map();
  const grid = h('div', {class: 'cards tasks', id: 'task-cards'});
  const note = h('p', {class: 'muted'});
  root.append(h('div', {class: 'toolbar'}, h('h1', null, 'Tasks')), note, grid);

  async function load() {
    let r;
    try {
      r = await api('/v1/tasks');
    } catch (err) {
      setText(note, `Cannot list the tasks: ${err.message}`);
      return;
    }
    setText(note, r.tasks.length ? '' : 'No tasks are configured ([task.NAME] tables in the config).');
    const seen = new Set();
    for (const t of r.tasks) {
      seen.add(t.name);
      if (cards.has(t.name)) cards.get(t.name).update(t);
      else {
        const c = new TaskCard(t);
        cards.set(t.name, c);
        grid.append(c.el);
      }
    }
    for (const [n, c] of cards) {
      if (!seen.has(n)) {
        c.el.remove();
        cards.delete(n);
      }
    }
  }

  const unsubscribe = stream.subscribe({topic: 'runs'}, (m) => {
    const card = m.run && cards.get(m.run.task);
    if (card) card.refresh();
  });
  const timer = setInterval(() => {
    for (const c of cards.values()) c.tick();
  }, 10000);
  const poll = setInterval(() => {
    if (!stream.connected && !document.hidden) load();
  }, 15000);
  load();
  return () => {
    unsubscribe();
    clearInterval(timer);
    clearInterval(poll);
  };
}
