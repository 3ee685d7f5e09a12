// SPDX-License-Identifier: MIT
// Programs: one card per program (the instances of a program, web:0 and web:1, under one
// card), kept current by the stream: state, health, pid, uptime (counting), restarts, CPU
// and memory sparklines, and the actions and auto-start switch for an admin.

import {session} from '../lib/api.js';
import {actionButtons, programAction, setAutostart, updateActionButtons} from '../lib/actions.js';
import {h, setText} from '../lib/dom.js';
import {baseName, bytes, duration, percent} from '../lib/format.js';
import {drawSpark, sparkCanvas} from '../lib/sparkline.js';
import {store} from '../lib/store.js';

const kStateOrder = ['FATAL', 'BACKOFF', 'STARTING', 'STOPPING', 'EXITED', 'STOPPED', 'RUNNING'];

export function stateClass(state) {
  switch (state) {
    case 'RUNNING': return 'ok';
    case 'STARTING': case 'STOPPING': return 'busy';
    case 'BACKOFF': return 'warn';
    case 'FATAL': return 'err';
    default: return 'off';
  }
}

export function badge(state, text) {
  return h('span', {class: `badge ${stateClass(state)}`}, text || state);
}

// The uptime shown now: the process's uptime when vigild said it, plus the time since.
export function uptimeOf(p) {
  if (!p || p.state !== 'RUNNING' || p.uptime_ms < 0) return -1;
  return p.uptime_ms + (Date.now() - p.received_ms);
}

// The health dot of a program: the worst check about it (or about one of its instances),
// or its state when no check is about it.
export function healthOf(name, instances) {
  const check = store.healthOf([name, ...instances.map((p) => p.name)]);
  if (check) {
    const cls = {OK: 'ok', WARN: 'warn', CRIT: 'err', UNKNOWN: 'warn', PENDING: 'off'}[check.state] || 'off';
    return {cls, text: `${check.name}: ${check.message || check.state}`};
  }
  const worst = worstState(instances);
  const p = instances.find((i) => i.state === worst) || instances[0];
  let text = p.reason || '';
  if (!text && p.last_exit && p.state !== 'RUNNING') text = `last exit: ${p.last_exit}`;
  if (!text) text = worst === 'RUNNING' ? 'running' : worst.toLowerCase();
  return {cls: stateClass(worst), text};
}

function worstState(instances) {
  let best = kStateOrder.length;
  for (const p of instances) best = Math.min(best, kStateOrder.indexOf(p.state) < 0 ? best : kStateOrder.indexOf(p.state));
  return kStateOrder[best] || instances[0].state;
}

// Names in alphabetical order, ignoring case. Not localeCompare: its first call loads the
// locale's collation, tens of milliseconds before the first cards; names are identifiers.
function byName(a, b) {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Programs grouped by base name, in name order: [["web", ["web:0", "web:1"]], ...].
function groups() {
  const by = new Map();
  for (const name of store.programs.keys()) {
    const base = baseName(name);
    if (!by.has(base)) by.set(base, []);
    by.get(base).push(name);
  }
  const num = (n) => Number((/:(\d+)$/.exec(n) || [0, -1])[1]);
  for (const list of by.values()) list.sort((a, b) => num(a) - num(b) || byName(a, b));
  return [...by.entries()].sort((a, b) => byName(a[0], b[0]));
}

// The markup of a card, built once with h() and cloned for each card: a clone costs a small
// part of building the same elements one by one, which 100 cards on the first paint notice.
let cardTemplate = null;
function cardSkeleton() {
  if (!cardTemplate) {
    const spark = (label) => h('div', {class: 'spark-box'}, h('span', {class: 'label'}, label), sparkCanvas(''),
        h('span', {class: 'value'}));
    cardTemplate = h('article', {class: 'card program'},
        h('header', null, h('h2', {class: 'name'}, h('a')), h('span', {class: 'badge'})),
        h('p', {class: 'health'}, h('span', {class: 'dot', 'aria-hidden': 'true'}), h('span', {class: 'health-text'})),
        h('dl', {class: 'facts'},
            h('div', null, h('dt'), h('dd')),
            h('div', null, h('dt', null, 'uptime'), h('dd')),
            h('div', null, h('dt', null, 'restarts'), h('dd'))),
        h('div', {class: 'sparks'}, spark('CPU'), spark('Memory')),
        h('footer', null, actionButtons(''),
            h('label', {class: 'switch'}, h('input', {type: 'checkbox', role: 'switch'}), h('span', null, 'Auto-start'))));
  }
  return cardTemplate.cloneNode(true);
}

// The buttons and switches of the cards are handled once, for the grid (a clone has no
// listeners): which program is the card's data-program.
function onCardClick(e) {
  const button = e.target.closest('.card.program button[data-action]');
  if (!button || button.disabled) return;
  programAction(button.closest('article').dataset.program, button.dataset.action);
}

function onCardChange(e) {
  const input = e.target;
  if (input.getAttribute('role') !== 'switch' || !input.closest('.card.program footer')) return;
  setAutostart(input.closest('article').dataset.program, input.checked, input);
}

class Card {
  constructor(base, names) {
    this.base = base;
    this.names = names;
    this.folded = names.length > 1 || names[0] !== base;
    const first = names[0];
    const el = cardSkeleton();
    const [header, health, facts, sparks, footer] = el.children;
    el.dataset.program = base;
    const link = header.firstChild.firstChild;
    link.href = `#/program/${encodeURIComponent(first)}`;
    link.textContent = base;
    this.badge = header.lastChild;
    [this.dot, this.healthText] = health.children;
    const [pidBox, uptimeBox, restartsBox] = facts.children;
    pidBox.firstChild.textContent = this.folded ? 'instances' : 'pid';
    this.pid = pidBox.lastChild;
    this.uptime = uptimeBox.lastChild;
    this.restarts = restartsBox.lastChild;
    const [cpuBox, memBox] = sparks.children;
    this.cpu = cpuBox.children[1];
    this.cpu.setAttribute('aria-label', `CPU of ${base}`);
    this.cpuText = cpuBox.lastChild;
    this.mem = memBox.children[1];
    this.mem.setAttribute('aria-label', `memory of ${base}`);
    this.memText = memBox.lastChild;
    this.actions = footer.firstChild;
    this.actions.setAttribute('aria-label', `Actions for ${base}`);
    this.actions.hidden = !session.admin;
    this.autostart = footer.lastChild.firstChild;
    this.autostart.disabled = !session.admin;
    this.autostart.setAttribute('aria-label', `Auto-start ${base}`);
    this.instances = this.folded ? h('ul', {class: 'instances'}) : null;
    this.rows = new Map();
    if (this.folded) {
      for (const n of names) {
        const row = {badge: h('span', {class: 'badge small'}), pid: h('span', {class: 'pid'}),
          uptime: h('span', {class: 'uptime'})};
        this.rows.set(n, row);
        this.instances.append(h('li', null,
            h('a', {href: `#/program/${encodeURIComponent(n)}`}, n), row.badge, row.pid, row.uptime));
      }
      footer.before(this.instances);
    }
    this.el = el;
    this.update();
    this.drawSparks();
  }

  list() {
    return this.names.map((n) => store.programs.get(n)).filter(Boolean);
  }

  update() {
    const list = this.list();
    if (!list.length) return;
    const worst = worstState(list);
    const running = list.filter((p) => p.state === 'RUNNING').length;
    const text = list.length === 1 ? list[0].state :
      (running === list.length ? 'RUNNING' : `${running}/${list.length} RUNNING`);
    this.badge.className = `badge ${stateClass(worst)}`;
    setText(this.badge, text);
    this.el.dataset.state = list.length === 1 ? list[0].state : worst;
    const health = healthOf(this.base, list);
    this.dot.className = `dot ${health.cls}`;
    setText(this.healthText, health.text);
    this.healthText.title = health.text;
    if (this.folded) {
      setText(this.pid, `${list.length}`);
    } else {
      setText(this.pid, list[0].pid > 0 ? list[0].pid : '–');
    }
    setText(this.restarts, list.reduce((n, p) => n + p.restarts, 0));
    this.tick();
    this.autostart.checked = list.every((p) => p.autostart);
    const box = this.actions;
    updateActionButtons(box, this.base, list);
    for (const p of list) {
      const row = this.rows.get(p.name);
      if (!row) continue;
      row.badge.className = `badge small ${stateClass(p.state)}`;
      setText(row.badge, p.state);
      setText(row.pid, p.pid > 0 ? `pid ${p.pid}` : '');
    }
  }

  // Once a second: the uptimes.
  tick() {
    const list = this.list();
    if (!list.length) return;
    if (this.folded) {
      const ups = list.map(uptimeOf).filter((u) => u >= 0);
      setText(this.uptime, ups.length ? duration(Math.min(...ups)) : '–');
      for (const p of list) {
        const row = this.rows.get(p.name);
        if (row) setText(row.uptime, uptimeOf(p) >= 0 ? duration(uptimeOf(p)) : '');
      }
    } else {
      setText(this.uptime, duration(uptimeOf(list[0])));
    }
  }

  drawSparks() {
    const cpu = sumSeries(this.names.map((n) => store.samples.get(n)?.cpu));
    const mem = sumSeries(this.names.map((n) => store.samples.get(n)?.mem));
    drawSpark(this.cpu, cpu, 5);
    drawSpark(this.mem, mem, 0);
    const last = (s) => {
      for (let i = s.length - 1; i >= 0; i--) if (s[i] !== null) return s[i];
      return null;
    };
    const running = this.list().some((p) => p.pid > 0);
    setText(this.cpuText, running ? percent(last(cpu)) : '–');
    setText(this.memText, running ? bytes(last(mem)) : '–');
  }
}

// Adds up the series of several instances, sample by sample (aligned at their ends).
function sumSeries(series) {
  const present = series.filter(Boolean);
  if (present.length <= 1) return present[0] || [];
  const n = Math.max(...present.map((s) => s.length));
  const out = new Array(n).fill(null);
  for (const s of present) {
    const off = n - s.length;
    s.forEach((v, i) => {
      if (v !== null) out[off + i] = (out[off + i] || 0) + v;
    });
  }
  return out;
}

export function mount(root) {
  const cards = new Map();  // base -> Card
  const grid = h('div', {class: 'cards', id: 'program-cards', onclick: onCardClick, onchange: onCardChange});
  const summary = h('p', {class: 'summary muted', role: 'status'});
  const filter = h('input', {type: 'search', placeholder: 'Filter programs', 'aria-label': 'Filter programs',
    oninput: () => applyFilter()});
  const empty = h('p', {class: 'muted', hidden: true}, 'No programs are configured.');
  root.append(h('div', {class: 'toolbar'}, h('h1', null, 'Programs'), summary, filter), empty, grid);

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    for (const c of cards.values()) c.el.hidden = q !== '' && !c.base.toLowerCase().includes(q);
  }

  function summarise() {
    const all = [...store.programs.values()];
    const n = (s) => all.filter((p) => s.includes(p.state)).length;
    const parts = [`${all.length} ${all.length === 1 ? 'program' : 'programs'}`, `${n(['RUNNING'])} running`];
    const failed = n(['FATAL', 'BACKOFF']);
    if (failed) parts.push(`${failed} failing`);
    const stopped = n(['STOPPED', 'EXITED']);
    if (stopped) parts.push(`${stopped} stopped`);
    setText(summary, parts.join(' · '));
    empty.hidden = all.length > 0 || !store.loaded;
  }

  // Builds the cards anew (reusing each whose instances are the same) when programs come or go.
  function rebuild() {
    const order = [];
    const next = new Map();
    for (const [base, names] of groups()) {
      let card = cards.get(base);
      if (!card || card.names.join() !== names.join()) {
        card = new Card(base, names);
      } else {
        card.update();
      }
      next.set(base, card);
      order.push(card.el);
    }
    cards.clear();
    for (const [k, v] of next) cards.set(k, v);
    // The same cards in the same order (every snapshot of the stream): left in place, so
    // that the page is not styled and laid out anew.
    const shown = grid.children;
    if (shown.length !== order.length || order.some((el, i) => shown[i] !== el)) grid.replaceChildren(...order);
    applyFilter();
    summarise();
  }

  const onPrograms = (e) => {
    const {names, structure} = e.detail;
    if (structure) {
      rebuild();
      return;
    }
    const done = new Set();
    for (const n of names) {
      const base = baseName(n);
      if (done.has(base)) continue;
      done.add(base);
      const card = cards.get(base) || cards.get(n);
      if (card) card.update();
      else rebuild();
    }
    summarise();
  };
  const onMetrics = () => {
    for (const c of cards.values()) if (!c.el.hidden) c.drawSparks();
  };
  const onChecks = () => {
    for (const c of cards.values()) c.update();
  };
  store.addEventListener('programs', onPrograms);
  store.addEventListener('metrics', onMetrics);
  store.addEventListener('checks', onChecks);
  const timer = setInterval(() => {
    for (const c of cards.values()) if (!c.el.hidden) c.tick();
  }, 1000);

  // "vigil-cards": when the first cards have been painted (the browser tests time it).
  const painted = () => requestAnimationFrame(() => setTimeout(() => performance.mark('vigil-cards')));
  if (store.loaded) {
    rebuild();
    painted();
  } else {
    store.loadPrograms().then(painted).catch((err) => {
      grid.replaceChildren(h('p', {class: 'error'}, `Cannot list the programs: ${err.message}`));
    });
  }

  return () => {
    store.removeEventListener('programs', onPrograms);
    store.removeEventListener('metrics', onMetrics);
    store.removeEventListener('checks', onChecks);
    clearInterval(timer);
  };
}
