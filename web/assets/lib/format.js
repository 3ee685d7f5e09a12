// SPDX-License-Identifier: MIT
// Numbers and times in words.

// 93_000 -> "1m 33s"; 90_061_000 -> "1d 1h"
export function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  if (ms < 1000 && ms > 0) return `${ms} ms`;
  return `${s}s`;
}

// 1536 -> "1.5 KiB"
export function bytes(n) {
  if (n === null || n === undefined || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function percent(v) {
  if (v === null || v === undefined) return '–';
  return `${Number(v).toFixed(1)}%`;
}

// Made when first used: the first Intl formatter of a page loads the locale's data, which
// costs tens of milliseconds that the cards (which show no dates) should not wait for.
let timeFormat = null;
let dateTimeFormat = null;

// A unix time in ms, today as a time, else with the date; "–" for -1 / none.
export function when(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  const d = new Date(ms);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) {
    timeFormat ||= new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', second: '2-digit'});
    return timeFormat.format(d);
  }
  dateTimeFormat ||= new Intl.DateTimeFormat(undefined, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return dateTimeFormat.format(d);
}

export function fullTime(ms) {
  if (ms === null || ms === undefined || ms < 0) return '';
  return new Date(ms).toLocaleString();
}

// "12:00:01.123", for log lines.
export function clock(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

// "in 5m 3s", "3m ago"
export function relative(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  const diff = ms - Date.now();
  return diff >= 0 ? `in ${duration(diff)}` : `${duration(-diff)} ago`;
}

// "web:1" -> "web"; "web" -> "web"
export function baseName(name) {
  const m = /^(.*):\d+$/.exec(name);
  return m ? m[1] : name;
}
