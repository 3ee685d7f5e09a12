// SPDX-License-Identifier: MIT
// Charts of metric history (GET /v1/metrics/history) with Debian's Chart.js, loaded the
// first time a chart is shown, and the time ranges the pages offer.

import {api} from './api.js';
import {h, loadScript, select} from './dom.js';
import {bytes, fullTime} from './format.js';

// [value, label, step]: a point per step keeps every chart near 60-170 points.
// [value, label, step, tick]: a point per step keeps every chart near 60-170 points; a tick
// on the time axis every `tick`.
export const kRanges = [
  ['1h', 'Last hour', '1m', '10m'],
  ['6h', 'Last 6 hours', '5m', '1h'],
  ['24h', 'Last 24 hours', '15m', '4h'],
  ['7d', 'Last 7 days', '1h', '1d'],
  ['30d', 'Last 30 days', '6h', '5d'],
];

export function rangeSelect(current, onchange) {
  return select({'aria-label': 'Time range', onchange: (e) => onchange(e.target.value)},
      kRanges.map(([v, label]) => [v, label]), current);
}

export async function loadChart() {
  await loadScript('/assets/vendor/chart.js');
  return window.Chart;
}

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function stepMs(step) {
  const m = /^(\d+)([smhd])$/.exec(step);
  return m ? Number(m[1]) * {s: 1e3, m: 6e4, h: 36e5, d: 864e5}[m[2]] : 6e4;
}

const tickTime = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
const tickDay = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric'});

function tickLabel(days) {
  return (v) => (days ? tickDay : tickTime).format(new Date(v));
}

// A tick every `tickMs` from `since` (itself on a tick) to now, replacing Chart.js's own
// (its "nice" numbers are not whole hours).
function timeTicks(since, tickMs) {
  return (scale) => {
    const ticks = [];
    for (let t = since; t <= scale.max; t += tickMs) ticks.push({value: t});
    scale.ticks = ticks;
  };
}

// Points with a null between buckets further apart than a step and a half: a gap shows.
function withGaps(points, key, step) {
  const out = [];
  let prev = null;
  for (const p of points) {
    if (prev !== null && p.time_ms - prev > step * 1.5) out.push({x: prev + step, y: null});
    out.push({x: p.time_ms, y: p[key]});
    prev = p.time_ms;
  }
  return out;
}

// A chart card for one metric: title, canvas, and a note when there is nothing to show.
// kind: 'percent' or 'bytes'. Returns {el, load(range)}.
export function metricChart(title, metric, kind) {
  const canvas = h('canvas', {role: 'img', 'aria-label': `${title} chart`});
  const note = h('p', {class: 'muted note', hidden: true});
  const el = h('figure', {class: 'chart card', dataset: {metric}},
      h('figcaption', null, title), h('div', {class: 'chart-box'}, canvas), note);
  let chart = null;
  const format = kind === 'bytes' ? (v) => bytes(v) : (v) => `${Math.round(v * 10) / 10}%`;

  async function load(range) {
    const [, , step, tick] = kRanges.find((r) => r[0] === range) || kRanges[0];
    let data;
    try {
      data = await api('/v1/metrics/history', {query: {name: metric, since: range, step}});
    } catch (err) {
      note.textContent = err.status === 503 ? 'No history: vigild runs without its history database.' : err.message;
      note.hidden = false;
      return;
    }
    const Chart = await loadChart();
    const s = stepMs(step);
    const days = stepMs(range) > 864e5;
    note.hidden = data.points.length > 0;
    note.textContent = 'No samples in this range yet.';
    const dots = data.points.length < 4 ? 3 : 0;  // a line of one point is a dot
    const datasets = [
      {label: 'average', data: withGaps(data.points, 'avg', s), borderColor: cssVar('--accent', '#2f6fde'),
        backgroundColor: cssVar('--accent-soft', 'rgba(47,111,222,.15)'), fill: true, borderWidth: 1.5,
        pointRadius: dots, tension: 0.2},
      {label: 'maximum', data: withGaps(data.points, 'max', s), borderColor: cssVar('--warn', '#c77700'),
        backgroundColor: cssVar('--warn', '#c77700'), borderWidth: 1, pointRadius: dots, borderDash: [4, 3],
        fill: false},
    ];
    // The axis starts on a tick in local time (a whole hour, a midnight), so ticks read 10:00, 11:00.
    const tickMs = stepMs(tick);
    const offset = -new Date().getTimezoneOffset() * 60000;
    const since = Math.floor((Date.now() - stepMs(range) + offset) / tickMs) * tickMs - offset;
    if (chart) {
      chart.data.datasets = datasets;
      chart.options.scales.x.min = since;
      chart.options.scales.x.max = Date.now();
      chart.options.scales.x.afterBuildTicks = timeTicks(since, tickMs);
      chart.options.scales.x.ticks.callback = tickLabel(days);
      chart.update('none');
      return;
    }
    const grid = cssVar('--border', 'rgba(128,128,128,.3)');
    const text = cssVar('--muted', '#666');
    chart = new Chart(canvas, {
      type: 'line',
      data: {datasets},
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: true,
        spanGaps: false,
        interaction: {mode: 'index', intersect: false},
        scales: {
          x: {type: 'linear', min: since, max: Date.now(), grid: {color: grid}, afterBuildTicks: timeTicks(since, tickMs),
            ticks: {color: text, callback: tickLabel(days)}},
          y: {beginAtZero: true, suggestedMax: kind === 'percent' ? 10 : undefined, grid: {color: grid},
            ticks: {color: text, callback: (v) => format(v)}},
        },
        plugins: {
          legend: {labels: {color: text, boxWidth: 12}},
          tooltip: {callbacks: {
            title: (items) => (items.length ? fullTime(items[0].parsed.x) : ''),
            label: (item) => `${item.dataset.label}: ${format(item.parsed.y)}`,
          }},
        },
      },
    });
  }

  return {el, load, destroy: () => chart && chart.destroy()};
}
