// SPDX-License-Identifier: MIT
// Health: the machine's figures now (gauges) and over time (charts), every health check
// with its state, the findings journal, and the health report of a period.

import {api} from '../lib/api.js';
import {metricChart, rangeSelect} from '../lib/charts.js';
import {h, select, setText} from '../lib/dom.js';
import {bytes, fullTime, percent, when} from '../lib/format.js';
import {stream} from '../lib/stream.js';

function checkClass(state) {
  return {OK: 'ok', WARN: 'warn', CRIT: 'err', UNKNOWN: 'warn', PENDING: 'off'}[state] || 'off';
}

function severityClass(s) {
  return {info: 'ok', warn: 'warn', crit: 'err'}[s] || 'off';
}

function gauge(label, value, max, text, id) {
  const meter = h('meter', {min: '0', max: String(max), low: String(max * 0.7), high: String(max * 0.9),
    optimum: '0', value: String(value ?? 0), id});
  return h('div', {class: 'gauge'}, h('span', {class: 'label'}, label), meter, h('span', {class: 'value'}, text));
}

export function mount(root) {
  const gauges = h('div', {class: 'gauges', id: 'health-gauges'}, h('p', {class: 'muted'}, 'Measuring…'));
  const disks = h('div', {class: 'scroll-x'});
  const checks = h('div', {class: 'scroll-x', id: 'health-checks'});
  let range = '6h';
  const cpu = metricChart('CPU (% of all cores)', 'system.cpu', 'percent');
  const mem = metricChart('Memory used (%)', 'system.memory', 'percent');
  const loadCharts = () => {
    cpu.load(range);
    mem.load(range);
  };

  // Findings, newest first, paged.
  let findingsBefore = null;
  const findingsBody = h('ul', {class: 'journal', id: 'findings'});
  const findingsMore = h('button', {type: 'button', hidden: true, onclick: () => loadFindings(false)}, 'Older');
  const severity = select({'aria-label': 'Severity', onchange: () => loadFindings(true)},
      [['info', 'Everything'], ['warn', 'Warnings and critical'], ['crit', 'Critical']], 'info');
  const findingsNote = h('p', {class: 'muted small'});

  const reportSince = select({'aria-label': 'Report period', onchange: () => loadReport()},
      [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']], '7d');
  const reportText = h('pre', {class: 'report', id: 'health-report'});
  const report = h('details', {class: 'card'}, h('summary', null, 'Health report'),
      h('div', {class: 'toolbar'}, reportSince), reportText);
  report.addEventListener('toggle', () => {
    if (report.open && !reportText.textContent) loadReport();
  });

  root.append(
      h('div', {class: 'toolbar'}, h('h1', null, 'Health')),
      h('section', {'aria-labelledby': 'h-now'}, h('h2', {id: 'h-now'}, 'Now'), gauges, disks),
      h('section', {'aria-labelledby': 'h-time'},
          h('div', {class: 'toolbar'}, h('h2', {id: 'h-time'}, 'Over time'), rangeSelect(range, (v) => {
            range = v;
            loadCharts();
          })),
          h('div', {class: 'charts'}, cpu.el, mem.el)),
      h('section', {'aria-labelledby': 'h-checks'}, h('h2', {id: 'h-checks'}, 'Checks'), checks),
      h('section', {'aria-labelledby': 'h-findings'},
          h('div', {class: 'toolbar'}, h('h2', {id: 'h-findings'}, 'Findings'), severity),
          findingsBody, findingsNote, findingsMore),
      h('section', {'aria-labelledby': 'h-report'}, h('h2', {id: 'h-report', class: 'sr-only'}, 'Report'), report));

  async function loadHealth() {
    let r;
    try {
      r = await api('/v1/health');
    } catch (err) {
      gauges.replaceChildren(h('p', {class: 'error'}, `Cannot measure: ${err.message}`));
      return;
    }
    const s = r.system;
    const memUsed = s.memory_total_bytes - s.memory_available_bytes;
    const list = [
      gauge('CPU', s.cpu_percent, 100, `${percent(s.cpu_percent)} of ${s.cpus} ${s.cpus === 1 ? 'core' : 'cores'}`, 'gauge-cpu'),
      gauge('Memory', s.memory_used_percent, 100, `${percent(s.memory_used_percent)} (${bytes(memUsed)} of ${bytes(s.memory_total_bytes)})`, 'gauge-memory'),
      gauge('Swap', s.swap_used_percent, 100, percent(s.swap_used_percent)),
      gauge('Load', s.load1 / Math.max(1, s.cpus), 2, `${s.load1} · ${s.load5} · ${s.load15}`),
    ];
    for (const [k, label] of [['cpu_pressure', 'CPU pressure'], ['memory_pressure', 'Memory pressure'], ['io_pressure', 'I/O pressure']]) {
      if (s[k] !== null && s[k] !== undefined) list.push(gauge(label, s[k], 100, percent(s[k])));
    }
    gauges.replaceChildren(...list);
    disks.replaceChildren(h('table', {class: 'grid'},
        h('thead', null, h('tr', null, ['Filesystem', 'Type', 'Used', '', 'Free', 'Inodes'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', null, r.disks.map((d) => h('tr', null,
            h('td', null, d.mount_point), h('td', null, d.fs_type),
            d.error ? h('td', {colspan: '4', class: 'error'}, d.error) : [
              h('td', null, h('meter', {min: '0', max: '100', low: '80', high: '90', optimum: '0', value: String(d.used_percent)})),
              h('td', null, percent(d.used_percent)),
              h('td', null, bytes(d.available_bytes)),
              h('td', null, percent(d.inodes_used_percent))])))));
    checks.replaceChildren(r.checks.length ? h('table', {class: 'grid'},
        h('thead', null, h('tr', null, ['Check', 'State', 'Since', 'What', 'Message'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', null, r.checks.map((c) => h('tr', {dataset: {check: c.name}},
            h('td', null, c.name),
            h('td', null, h('span', {class: `badge ${checkClass(c.state)}`}, c.state), c.gave_up ? h('span', {class: 'muted small'}, ' gave up') : null),
            h('td', {title: fullTime(c.since_ms)}, when(c.since_ms)),
            h('td', null, `${c.kind}: ${c.target}`),
            h('td', null, c.message))))) :
      h('p', {class: 'muted'}, 'No health checks are configured ([check.NAME] tables in the config).'));
  }

  async function loadFindings(fresh) {
    if (fresh) {
      findingsBefore = null;
      findingsBody.replaceChildren();
    }
    try {
      const r = await api('/v1/findings', {query: {severity: severity.value, limit: 50, before: findingsBefore}});
      for (const f of r.findings) findingsBody.append(findingItem(f));
      findingsBefore = r.next_before;
      findingsMore.hidden = findingsBefore === null || findingsBefore === undefined;
      setText(findingsNote, findingsBody.childElementCount ? '' : 'Nothing found: no check changed state, no program failed.');
    } catch (err) {
      setText(findingsNote, `Cannot read the findings: ${err.message}`);
    }
  }

  function findingItem(f) {
    return h('li', {dataset: {id: f.id}},
        h('span', {class: `badge small ${severityClass(f.severity)}`}, f.severity),
        h('time', {datetime: new Date(f.time_ms).toISOString(), title: fullTime(f.time_ms)}, when(f.time_ms)),
        h('strong', null, f.subject), h('span', null, f.text));
  }

  async function loadReport() {
    setText(reportText, 'Writing the report…');
    try {
      const r = await api('/v1/report', {query: {since: reportSince.value}});
      setText(reportText, r.text);
    } catch (err) {
      setText(reportText, err.status === 503 ? 'No report: vigild runs without its history database.' : err.message);
    }
  }

  const unsubscribe = stream.subscribe({topic: 'findings'}, (m) => {
    if (!m.finding) return;
    const rank = {info: 0, warn: 1, crit: 2};
    if (rank[m.finding.severity] >= rank[severity.value]) findingsBody.prepend(findingItem(m.finding));
  });
  loadHealth();
  loadCharts();
  loadFindings(true);
  const timer = setInterval(() => {
    if (!document.hidden) loadHealth();
  }, 15000);
  const chartTimer = setInterval(loadCharts, 60000);
  return () => {
    unsubscribe();
    clearInterval(timer);
    clearInterval(chartTimer);
    cpu.destroy();
    mem.destroy();
  };
}
