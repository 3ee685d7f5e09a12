// SPDX-License-Identifier: MIT
// What the pages share: every program as vigild last described it (ProgramInfo), the
// recent CPU and memory of each (for the sparklines), and the health checks about each.
// Fed by the stream; while the stream is down, by polling the REST API.

import {api} from './api.js';
import {stream} from './stream.js';

const kSamples = 60;  // per sparkline
const kPollMs = 5000;

class Store extends EventTarget {
  constructor() {
    super();
    this.programs = new Map();  // name -> ProgramInfo, plus received_ms
    this.loaded = false;
    this.samples = new Map();   // name -> {cpu: [], mem: []}
    this.system = {cpu: [], mem: []};
    this.checks = [];           // GET /v1/health's checks
    this.pollTimer = 0;
    this.healthTimer = 0;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  // Takes ProgramInfo objects (from the stream, a poll, or an action's answer).
  update(list, full) {
    const now = Date.now();
    let added = false;
    if (full) {
      const names = new Set(list.map((p) => p.name));
      for (const name of [...this.programs.keys()]) {
        if (!names.has(name)) {
          this.programs.delete(name);
          added = true;
        }
      }
    }
    for (const p of list) {
      if (!this.programs.has(p.name)) added = true;
      this.programs.set(p.name, {...p, received_ms: now});
    }
    this.loaded = true;
    this.emit('programs', {names: list.map((p) => p.name), structure: added || full});
  }

  remove(names) {
    for (const n of names) this.programs.delete(n);
    this.emit('programs', {names, structure: true});
  }

  async loadPrograms() {
    const r = await api('/v1/programs');
    this.update(r.programs, true);
  }

  addSample(name, cpu, mem) {
    let s = this.samples.get(name);
    if (!s) {
      s = {cpu: [], mem: []};
      this.samples.set(name, s);
    }
    push(s.cpu, cpu);
    push(s.mem, mem);
  }

  onMetrics(m) {
    for (const [name, v] of Object.entries(m.programs || {})) {
      this.addSample(name, v.cpu_percent, v.memory_bytes);
    }
    if (m.system) {
      push(this.system.cpu, m.system.cpu_percent);
      push(this.system.mem, m.system.memory_used_percent);
    }
    this.emit('metrics', m);
  }

  // While the stream is down: GET /v1/top stands in for its metrics.
  async pollTop() {
    const r = await api('/v1/top');
    for (const p of r.programs) this.addSample(p.name, p.cpu_percent, p.memory_bytes);
    push(this.system.cpu, r.system.cpu_percent);
    push(this.system.mem, r.system.memory_used_percent);
    this.emit('metrics', null);
  }

  async loadHealth() {
    try {
      const r = await api('/v1/health');
      this.checks = r.checks || [];
      this.emit('checks', this.checks);
    } catch {
      // the cards keep their last health; the Health page shows the error
    }
  }

  // The health of programs: the worst state of the checks about any of `names`, or null
  // when no check is about them.
  healthOf(names) {
    const order = {CRIT: 4, UNKNOWN: 3, WARN: 2, PENDING: 1, OK: 0};
    let worst = null;
    for (const c of this.checks) {
      if (!names.includes(c.program)) continue;
      if (!worst || order[c.state] > order[worst.state]) worst = c;
    }
    return worst;
  }

  // Keeps the programs current: the stream's status and metrics topics, and polling while
  // the stream is down.
  start() {
    stream.subscribe({topic: 'status'}, (m) => {
      if (m.removed) this.remove(m.removed);
      if (m.programs) this.update(m.programs, !!m.full);
    });
    stream.subscribe({topic: 'metrics'}, (m) => this.onMetrics(m));
    stream.subscribe({topic: 'events'}, (m) => {
      if (m.event && (m.event.type === 'check' || m.event.type === 'reload')) this.scheduleHealth(500);
    });
    stream.addEventListener('state', () => this.pollWhileDown());
    this.pollWhileDown();
    this.loadHealth();
    this.healthTimer = setInterval(() => this.loadHealth(), 60000);
  }

  scheduleHealth(ms) {
    clearTimeout(this.healthSoon);
    this.healthSoon = setTimeout(() => this.loadHealth(), ms);
  }

  pollWhileDown() {
    if (stream.connected) {
      clearInterval(this.pollTimer);
      this.pollTimer = 0;
      return;
    }
    if (this.pollTimer) return;
    let tick = 0;
    this.pollTimer = setInterval(() => {
      if (document.hidden) return;
      this.loadPrograms().catch(() => {});
      if (tick++ % 2 === 0) this.pollTop().catch(() => {});
    }, kPollMs);
  }
}

function push(list, v) {
  list.push(v === undefined ? null : v);
  if (list.length > kSamples) list.shift();
}

export const store = new Store();
