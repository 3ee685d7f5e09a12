// SPDX-License-Identifier: MIT
// A program's log, live over the stream: stdout and stderr, filtered by level, stream and
// text, paused (counting what comes meanwhile), following the end unless the reader scrolls
// up, with ANSI colours (AnsiUp) and at most kMaxLines lines kept. Process output is
// untrusted: it becomes text nodes and spans built here, never markup.

import {api} from '../lib/api.js';
import {downloadText, h, loadScript, select, setText} from '../lib/dom.js';
import {clock, fullTime} from '../lib/format.js';
import {stream} from '../lib/stream.js';

export const kMaxLines = 5000;
const kHistoryLines = 500;
const kLevelRank = {DEBUG: 0, INFO: 1, WARNING: 2, WARN: 2, ERROR: 3, CRITICAL: 4, FATAL: 4};
const kAnsi = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;

// AnsiUp's HTML, read back into [{text, classes, styles}]: AnsiUp escapes the text and
// writes only <span style class>; anything else is dropped. Its class names and a few
// style properties are kept, applied through the DOM (allowed under the page's CSP, which
// refuses style attributes).
const kSpan = /<span(?: style="([^"]*)")?(?: class="([^"]*)")?>([^<]*)<\/span>|([^<]+)/g;
const kStyleProps = new Set(['font-weight', 'font-style', 'text-decoration', 'color', 'background-color']);
const kEntities = {'&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': '\''};

function unescape(s) {
  return s.replace(/&(?:amp|lt|gt|quot|#x27);/g, (e) => kEntities[e]);
}

function segmentsOf(html) {
  const out = [];
  for (const m of html.matchAll(kSpan)) {
    if (m[4] !== undefined) {
      out.push({text: unescape(m[4])});
      continue;
    }
    const classes = (m[2] || '').split(' ').filter((c) => /^ansi-[a-z-]+-(fg|bg)$/.test(c));
    const styles = [];
    for (const decl of (m[1] || '').split(';')) {
      const [prop, value] = decl.split(':');
      if (kStyleProps.has(prop) && /^[a-z]+$|^rgb\(\d{1,3},\d{1,3},\d{1,3}\)$/.test(value || '')) {
        styles.push([prop, value]);
      }
    }
    out.push({text: unescape(m[3]), classes, styles});
  }
  return out;
}

let ansiLoaded = null;
function loadAnsi() {
  if (!ansiLoaded) ansiLoaded = loadScript('/assets/vendor/ansi_up.js').then(() => window.AnsiUp).catch(() => null);
  return ansiLoaded;
}

function newAnsi(AnsiUp) {
  if (!AnsiUp) return null;
  const a = new AnsiUp();
  a.use_classes = true;
  a.url_whitelist = {};  // no links from process output
  return a;
}

export function logView(name) {
  const lines = [];  // entries, oldest first: {kind: 'line'|'gap'|'end', ...}
  const lastSeq = {stdout: -Infinity, stderr: -Infinity};  // lines from before vigild started have seqs <= 0
  const lastTime = {stdout: 0, stderr: 0};
  let ansi = {stdout: null, stderr: null};
  let paused = false;
  let newWhilePaused = 0;
  let follow = true;
  let fromFile = false;  // the lines shown came from the log file, not the stream
  let pending = [];
  let frame = 0;
  let unsubscribe = null;
  let destroyed = false;

  const streamSel = select({id: 'log-stream', 'aria-label': 'Stream', onchange: () => rerender()},
      [['both', 'stdout + stderr'], ['stdout', 'stdout'], ['stderr', 'stderr']], 'both');
  const levelSel = select({id: 'log-level', 'aria-label': 'Level', onchange: () => rerender()},
      ['ALL', 'DEBUG', 'INFO', 'WARNING', 'ERROR'], 'ALL');
  const filter = h('input', {id: 'log-filter', type: 'search', placeholder: 'Filter text', 'aria-label': 'Filter text',
    oninput: () => rerender()});
  const counter = h('span', {id: 'log-new', class: 'counter', hidden: true});
  const pauseBtn = h('button', {id: 'log-pause', type: 'button', 'aria-pressed': 'false', onclick: () => setPaused(!paused)},
      'Pause');
  const stamps = h('input', {id: 'log-timestamps', type: 'checkbox', checked: true, onchange: () => {
    box.classList.toggle('no-ts', !stamps.checked);
  }});
  const clearBtn = h('button', {id: 'log-clear', type: 'button', class: 'quiet', onclick: () => clearView()}, 'Clear');
  const exportBtn = h('button', {id: 'log-export', type: 'button', class: 'quiet', onclick: () => exportVisible()},
      'Export visible');
  const base = `/v1/programs/${encodeURIComponent(name)}/logs/download`;
  const downloads = h('span', {class: 'downloads'}, 'Full log: ',
      h('a', {id: 'log-download-stdout', href: `${base}?stream=stdout`, download: ''}, 'stdout'), ' ',
      h('a', {id: 'log-download-stderr', href: `${base}?stream=stderr`, download: ''}, 'stderr'));
  const box = h('div', {id: 'log-lines', class: 'log', role: 'log', tabindex: '0', 'aria-label': `Log of ${name}`,
    'aria-live': 'off'});
  const jump = h('button', {id: 'log-follow', type: 'button', class: 'jump', hidden: true,
    onclick: () => {
      follow = true;
      jump.hidden = true;
      box.scrollTop = box.scrollHeight;
    }}, 'Follow the end ↓');
  const status = h('p', {id: 'log-status', class: 'muted small', role: 'status'});
  const el = h('section', {class: 'logs', 'aria-label': 'Logs'},
      h('div', {class: 'toolbar wrap'}, streamSel, levelSel, filter,
          h('span', {class: 'group'}, pauseBtn, counter),
          h('label', {class: 'check'}, stamps, ' Timestamps'),
          clearBtn, exportBtn, downloads),
      h('div', {class: 'log-wrap'}, box, jump),
      status);

  box.addEventListener('scroll', () => {
    const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 8;
    follow = atEnd;
    jump.hidden = atEnd;
  });

  function visible(e) {
    const s = streamSel.value;
    if (s !== 'both' && e.stream !== s) return false;
    if (e.kind !== 'line') return true;
    const level = levelSel.value;
    if (level !== 'ALL') {
      const rank = kLevelRank[e.level];
      if (rank === undefined || rank < kLevelRank[level]) return false;
    }
    const q = filter.value.trim().toLowerCase();
    return !q || e.lower.includes(q);
  }

  function render(e) {
    if (e.el) return e.el;
    if (e.kind === 'end') {
      e.el = h('div', {class: `line gap ${e.stream}`}, e.reason);
      return e.el;
    }
    if (e.kind === 'gap') {
      const load = h('button', {type: 'button', class: 'quiet small', onclick: () => fillGap(e)}, 'Load them');
      e.el = h('div', {class: `line gap ${e.stream}`},
          `${e.count} ${e.stream} ${e.count === 1 ? 'line was' : 'lines were'} not delivered (the connection was slow). `,
          load);
      return e.el;
    }
    const msg = h('span', {class: 'msg'});
    if (e.segs) {
      for (const s of e.segs) {
        if (!s.classes && !s.styles) {
          msg.append(s.text);
          continue;
        }
        const span = h('span', {class: s.classes.join(' ') || null}, s.text);
        for (const [prop, value] of s.styles) span.style.setProperty(prop, value);
        msg.append(span);
      }
    } else {
      msg.textContent = e.text;
    }
    e.el = h('div', {class: `line ${e.stream}${e.level ? ` lvl-${e.level.toLowerCase()}` : ''}`,
      dataset: {level: e.level || '', stream: e.stream}},
    h('span', {class: 'ts', title: e.time_ms ? fullTime(e.time_ms) : ''}, e.time_ms ? clock(e.time_ms) : ''),
    msg);
    return e.el;
  }

  function rerender() {
    const fragment = document.createDocumentFragment();
    for (const e of lines) if (visible(e)) fragment.append(render(e));
    box.replaceChildren(fragment);
    if (follow) box.scrollTop = box.scrollHeight;
    updateStatus();
  }

  function updateStatus() {
    const shown = box.childElementCount;
    setText(status, `${shown} of ${lines.length} lines shown${lines.length >= kMaxLines ? ` (the newest ${kMaxLines} are kept)` : ''}` +
      (fromFile ? '. Live lines need the stream: these are the last lines of the log files.' : '.'));
  }

  function trim() {
    if (lines.length <= kMaxLines) return;
    const gone = lines.splice(0, lines.length - kMaxLines);
    for (const e of gone) if (e.el) e.el.remove();
  }

  function entry(streamName, l) {
    const text = typeof l === 'string' ? l : (l.text || '');
    const plain = text.replace(kAnsi, '');
    const a = ansi[streamName];
    const segs = a && plain !== text ? segmentsOf(a.ansi_to_html(text)) : null;
    return {kind: 'line', stream: streamName, seq: l.seq ?? null, time_ms: l.time_ms || 0, level: l.level || '',
      text: plain, lower: plain.toLowerCase(), segs, el: null};
  }

  // Appends entries: rendered at the next frame, all together.
  function add(entries) {
    if (!entries.length) return;
    for (const e of entries) lines.push(e);
    if (paused) {
      newWhilePaused += entries.filter(visible).length;
      setText(counter, `${newWhilePaused} new ${newWhilePaused === 1 ? 'line' : 'lines'}`);
      counter.hidden = false;
      trim();
      return;
    }
    pending.push(...entries);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function flush() {
    frame = 0;
    const fragment = document.createDocumentFragment();
    for (const e of pending) if (visible(e)) fragment.append(render(e));
    pending = [];
    box.append(fragment);
    trim();
    if (follow) box.scrollTop = box.scrollHeight;
    updateStatus();
  }

  function setPaused(on) {
    paused = on;
    pauseBtn.textContent = on ? 'Resume' : 'Pause';
    pauseBtn.setAttribute('aria-pressed', String(on));
    if (!on) {
      newWhilePaused = 0;
      counter.hidden = true;
      pending = [];
      rerender();
    }
  }

  function clearView() {
    lines.length = 0;
    pending = [];
    newWhilePaused = 0;
    counter.hidden = true;
    box.replaceChildren();
    updateStatus();
  }

  function exportVisible() {
    const out = [];
    for (const e of lines) {
      if (!visible(e)) continue;
      if (e.kind === 'end') {
        out.push(`[${e.reason}]`);
      } else if (e.kind === 'gap') {
        out.push(`[${e.count} ${e.stream} lines not delivered: seq ${e.from_seq}-${e.to_seq}]`);
      } else {
        out.push(stamps.checked && e.time_ms ? `${new Date(e.time_ms).toISOString()} ${e.text}` : e.text);
      }
    }
    downloadText(`${name.replace(/[^A-Za-z0-9._-]/g, '_')}-visible.log`, out.length ? `${out.join('\n')}\n` : '');
  }

  // The lines of a gap, from the log file.
  async function fillGap(gap) {
    try {
      const r = await api(`/v1/programs/${encodeURIComponent(name)}/logs`,
          {query: {stream: gap.stream, from_seq: gap.from_seq, to_seq: gap.to_seq}});
      const at = lines.indexOf(gap);
      const entries = (r.lines || []).map((l) => entry(gap.stream, l));
      if (at < 0) return;
      lines.splice(at, 1, ...entries);
      trim();
      rerender();
    } catch (err) {
      gap.el.append(h('span', {class: 'error'}, ` ${err.message}`));
    }
  }

  function onMessage(m) {
    if (fromFile) {  // the stream took over from the log file's lines
      fromFile = false;
      clearView();
    }
    const s = m.stream === 'stderr' ? 'stderr' : 'stdout';
    if (m.type === 'log_end') {
      add([{kind: 'end', stream: s, reason: m.reason || 'The log ends here.', el: null}]);
      return;
    }
    if (m.type === 'dropped') {
      add([{kind: 'gap', stream: s, from_seq: m.from_seq, to_seq: m.to_seq, count: m.count, el: null}]);
      lastSeq[s] = Math.max(lastSeq[s], m.to_seq);
      return;
    }
    const out = [];
    for (const l of m.lines || []) {
      // After a reconnection the history comes again: keep each line once. A line numbered
      // as one already here but written later is new (vigild restarted and counts afresh).
      if (typeof l.seq === 'number') {
        if (l.seq <= lastSeq[s] && !(l.time_ms > lastTime[s])) continue;
        lastSeq[s] = l.seq;
        lastTime[s] = Math.max(lastTime[s], l.time_ms || 0);
      }
      out.push(entry(s, l));
    }
    add(out);
  }

  // Until the stream answers: the last lines of the files (no levels, no times).
  async function fromFiles() {
    if (stream.connected) return;
    try {
      const [out, err] = await Promise.all(['stdout', 'stderr'].map((s) =>
        api(`/v1/programs/${encodeURIComponent(name)}/logs`, {query: {stream: s, lines: 200}})));
      if (stream.connected || lines.length) return;
      fromFile = true;
      add([...out.lines.map((l) => entry('stdout', l)), ...err.lines.map((l) => entry('stderr', l))]);
    } catch (e) {
      setText(status, `Cannot read the log: ${e.message}`);
    }
  }

  (async () => {
    const AnsiUp = await loadAnsi();
    ansi = {stdout: newAnsi(AnsiUp), stderr: newAnsi(AnsiUp)};
    if (destroyed) return;
    unsubscribe = stream.subscribe(
        {topic: 'logs', program: name, stream: 'both', level: 'ALL', last: kHistoryLines}, onMessage,
        (message) => setText(status, `The stream refused the log: ${message}`));
    fromFiles();
  })();

  updateStatus();
  return {
    el,
    destroy() {
      destroyed = true;
      if (unsubscribe) unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
