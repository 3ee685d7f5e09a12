// SPDX-License-Identifier: MIT
// Building the DOM without HTML strings: every text goes in as a text node, so nothing a
// program prints or a config holds is ever parsed as markup.

// h('button', {class: 'x', onclick: f, disabled: true}, 'Stop', child...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'class') {
        el.className = v;
      } else if (k === 'text') {
        el.textContent = v;
      } else if (k === 'dataset') {
        Object.assign(el.dataset, v);
      } else if (k === 'value' || k === 'checked' || k === 'selected') {
        el[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// The text of a node, set only when it changed (cheap updates of 100 cards every second).
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

// A <select> of [value, label] pairs (or plain strings).
export function select(attrs, options, current) {
  return h('select', attrs, options.map((o) => {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    return h('option', {value, selected: value === current}, label);
  }));
}

// A labelled control: <label>Text <control></label>.
export function labelled(text, control, cls) {
  return h('label', {class: cls || 'field'}, h('span', {class: 'label'}, text), control);
}

// A small table: head is a list of column titles, rows a list of lists of cells.
export function table(head, rows, attrs) {
  return h('table', attrs || {class: 'grid'},
      h('thead', null, h('tr', null, head.map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

// A download of `text` as a file, made in the browser (a Blob, no request).
export function downloadText(name, text) {
  const blob = new Blob([text], {type: 'text/plain;charset=utf-8'});
  const a = h('a', {href: URL.createObjectURL(blob), download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// A script of our own origin (the vendor libraries), loaded once when first needed.
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const s = h('script', {src});
      s.addEventListener('load', resolve);
      s.addEventListener('error', () => reject(new Error(`cannot load ${src}`)));
      document.head.append(s);
    }));
  }
  return scripts.get(src);
}
