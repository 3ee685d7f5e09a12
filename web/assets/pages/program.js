// SPDX-License-Identifier: MIT
// One program (or one instance, web:1): its state and actions, and tabs for its logs, its
// configuration, the history of its processes and its CPU and memory charts.

import {api, session} from '../lib/api.js';
import {actionButtons, setAutostart, updateActionButtons} from '../lib/actions.js';
import {metricChart, rangeSelect} from '../lib/charts.js';
import {h, setText} from '../lib/dom.js';
import {baseName, duration, fullTime, when} from '../lib/format.js';
import {store} from '../lib/store.js';
import {configEditor} from './config.js';
import {logView} from './logs.js';
import {healthOf, stateClass, uptimeOf} from './programs.js';

const kTabs = [['logs', 'Logs'], ['config', 'Configuration'], ['history', 'History'], ['metrics', 'Metrics']];

function historyView(name) {
  let before = null;
  const body = h('tbody');
  const more = h('button', {id: 'history-more', type: 'button', hidden: true, onclick: () => page()}, 'Older');
  const status = h('p', {class: 'muted small', role: 'status'});
  const el = h('section', {class: 'history', 'aria-label': 'History'},
      h('div', {class: 'scroll-x'}, h('table', {class: 'grid', id: 'history-table'},
          h('thead', null, h('tr', null, ['Started', 'Ended', 'Ran for', 'PID', 'Exit', 'Reason']
              .map((t) => h('th', {scope: 'col'}, t)))),
          body)),
      status, more);

  async function page() {
    more.disabled = true;
    try {
      const r = await api(`/v1/programs/${encodeURIComponent(name)}/lifetimes`, {query: {limit: 50, before}});
      for (const l of r.lifetimes) {
        const ran = l.ended_ms >= 0 ? l.ended_ms - l.started_ms : Date.now() - l.started_ms;
        body.append(h('tr', {dataset: {id: l.id}},
            h('td', {title: fullTime(l.started_ms)}, when(l.started_ms)),
            h('td', {title: fullTime(l.ended_ms)}, l.ended_ms >= 0 ? when(l.ended_ms) : h('span', {class: 'badge ok small'}, 'running')),
            h('td', null, duration(ran)),
            h('td', null, String(l.pid)),
            h('td', null, l.exit_status || '–'),
            h('td', null, l.program !== name ? `${l.program}: ${l.reason || ''}` : l.reason || '')));
      }
      before = r.next_before;
      more.hidden = before === null || before === undefined;
      setText(status, body.childElementCount ? '' : 'No process has run yet.');
    } catch (err) {
      setText(status, err.status === 503 ? 'No history: vigild runs without its history database.' :
        `Cannot read the history: ${err.message}`);
    } finally {
      more.disabled = false;
    }
  }
  page();
  return {el, destroy() {}};
}

function metricsView(name) {
  let range = '1h';
  const cpu = metricChart('CPU (% of one core)', `program.cpu:${name}`, 'percent');
  const mem = metricChart('Memory (resident)', `program.memory:${name}`, 'bytes');
  const load = () => {
    cpu.load(range);
    mem.load(range);
  };
  const el = h('section', {class: 'metrics', 'aria-label': 'Metrics'},
      h('div', {class: 'toolbar'}, rangeSelect(range, (v) => {
        range = v;
        load();
      })),
      h('div', {class: 'charts'}, cpu.el, mem.el));
  load();
  const timer = setInterval(load, 60000);
  return {el, destroy() {
    clearInterval(timer);
    cpu.destroy();
    mem.destroy();
  }};
}

export function mount(root, args) {
  const name = args[0] || '';
  const tab = kTabs.some(([t]) => t === args[1]) ? args[1] : 'logs';
  const base = baseName(name);
  const siblings = [...store.programs.keys()].filter((n) => n !== name && baseName(n) === base);

  const stateBadge = h('span', {class: 'badge', id: 'program-state'});
  const dot = h('span', {class: 'dot', 'aria-hidden': 'true'});
  const healthText = h('span', {class: 'health-text'});
  const pid = h('dd');
  const uptime = h('dd');
  const restarts = h('dd');
  const lastExit = h('dd');
  const actions = actionButtons(name);
  const autostart = h('input', {type: 'checkbox', role: 'switch', id: 'program-autostart', disabled: !session.admin,
    onchange: (e) => setAutostart(base, e.target.checked, e.target)});

  const tabs = h('nav', {class: 'tabs', 'aria-label': `${name} views`}, kTabs.map(([t, label]) =>
    h('a', {href: `#/program/${encodeURIComponent(name)}/${t}`, 'aria-current': t === tab ? 'page' : null,
      id: `tab-${t}`}, label)));

  const header = h('header', {class: 'detail-head'},
      h('div', {class: 'title'},
          h('a', {href: '#/programs', class: 'back'}, '← Programs'),
          h('h1', null, name), stateBadge),
      h('p', {class: 'health'}, dot, healthText),
      h('dl', {class: 'facts'},
          h('div', null, h('dt', null, 'pid'), pid),
          h('div', null, h('dt', null, 'uptime'), uptime),
          h('div', null, h('dt', null, 'restarts'), restarts),
          h('div', null, h('dt', null, 'last exit'), lastExit)),
      siblings.length ? h('p', {class: 'muted small'}, `Instances of ${base}: `,
          [name, ...siblings].sort().map((n) => n === name ? h('strong', null, n) :
            h('a', {href: `#/program/${encodeURIComponent(n)}/${tab}`}, n)).flatMap((x, i) => i ? [' ', x] : [x])) : null,
      h('div', {class: 'row'}, actions,
          h('label', {class: 'switch'}, autostart, h('span', null, `Auto-start${base !== name ? ` (all of ${base})` : ''}`))));

  function update() {
    const p = store.programs.get(name);
    if (!p) {
      setText(stateBadge, store.loaded ? 'UNKNOWN' : '…');
      stateBadge.className = 'badge off';
      setText(healthText, store.loaded ? `vigild has no program ${name}.` : '');
      return;
    }
    stateBadge.className = `badge ${stateClass(p.state)}`;
    setText(stateBadge, p.state);
    const health = healthOf(base, [p]);
    dot.className = `dot ${health.cls}`;
    setText(healthText, health.text);
    setText(pid, p.pid > 0 ? p.pid : '–');
    setText(uptime, duration(uptimeOf(p)));
    setText(restarts, p.restarts);
    setText(lastExit, p.last_exit || '–');
    autostart.checked = p.autostart;
    updateActionButtons(actions, name, [p]);
  }

  const content = h('div', {class: 'tab-content', id: `tab-content-${tab}`});
  root.append(header, tabs, content);
  const view = tab === 'logs' ? logView(name) : tab === 'config' ? configEditor(base) :
    tab === 'history' ? historyView(name) : metricsView(name);
  content.append(view.el);

  update();
  const onPrograms = (e) => {
    if (e.detail.structure || e.detail.names.some((n) => n === name || n === base)) update();
  };
  store.addEventListener('programs', onPrograms);
  store.addEventListener('checks', update);
  const timer = setInterval(() => {
    const p = store.programs.get(name);
    if (p) setText(uptime, duration(uptimeOf(p)));
  }, 1000);
  return () => {
    view.destroy();
    clearInterval(timer);
    store.removeEventListener('programs', onPrograms);
    store.removeEventListener('checks', update);
  };
}
