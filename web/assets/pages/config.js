// SPDX-License-Identifier: MIT
// A program's configuration: its TOML from the config file, edited in a textarea with line
// numbers, validated by vigild (errors marked at their lines), then saved: vigild writes the
// file and reloads, restarting the program if its settings changed. Read only for viewers.

import {api, session} from '../lib/api.js';
import {toast} from '../lib/actions.js';
import {h, setText} from '../lib/dom.js';

export function configEditor(name) {
  const path = `/v1/programs/${encodeURIComponent(name)}/config`;
  let revision = '';
  let loadedText = '';
  let validatedText = null;  // the text vigild last called valid
  let errors = [];
  let busy = false;

  const source = h('p', {class: 'muted small', id: 'config-source'});
  const gutter = h('div', {class: 'gutter', 'aria-hidden': 'true'});
  const text = h('textarea', {id: 'config-text', spellcheck: 'false', wrap: 'off', autocapitalize: 'off',
    autocomplete: 'off', rows: '16', 'aria-label': `Configuration of ${name}`,
    'aria-describedby': 'config-status config-errors'});
  const editor = h('div', {class: 'editor'}, gutter, text);
  const errorList = h('ul', {id: 'config-errors', class: 'config-errors'});
  const status = h('p', {id: 'config-status', role: 'status'});
  const conflict = h('div', {id: 'config-conflict', class: 'notice warn', role: 'alert', hidden: true});
  const validateBtn = h('button', {id: 'config-validate', type: 'button', onclick: () => validate()}, 'Validate');
  const saveBtn = h('button', {id: 'config-save', type: 'button', class: 'primary', disabled: true,
    onclick: () => save()}, h('span', {class: 'spinner', 'aria-hidden': 'true'}), 'Save');
  const revertBtn = h('button', {id: 'config-revert', type: 'button', class: 'quiet', onclick: () => load()},
      'Revert to the file');
  const note = h('p', {class: 'muted small'},
      `Saving writes the config file (keeping a backup) and reloads vigild: ${name} restarts if its settings ` +
      'changed, and nothing else does.');
  const buttons = h('div', {class: 'buttons'}, validateBtn, saveBtn, revertBtn);
  const el = h('section', {class: 'config', 'aria-label': 'Configuration'},
      source, conflict, editor, errorList, status, note, buttons);

  function lineCount() {
    return text.value.split('\n').length;
  }

  function drawGutter() {
    const n = lineCount();
    const marks = new Map(errors.filter((e) => e.line > 0).map((e) => [e.line, e.message]));
    const fragment = document.createDocumentFragment();
    for (let i = 1; i <= n; i++) {
      const m = marks.get(i);
      fragment.append(h('div', m ? {class: 'err', title: m} : null, String(i)));
    }
    gutter.replaceChildren(fragment);
    gutter.scrollTop = text.scrollTop;
  }

  function showErrors(list) {
    errors = list || [];
    errorList.replaceChildren(...errors.map((e) => h('li', null,
        e.line > 0 ? h('button', {type: 'button', class: 'link', onclick: () => goToLine(e.line)}, `Line ${e.line}`) : null,
        e.line > 0 ? ': ' : '', e.key ? h('code', null, e.key) : null, e.key ? ': ' : '', e.message)));
    text.setAttribute('aria-invalid', errors.length ? 'true' : 'false');
    drawGutter();
  }

  function goToLine(line) {
    const lines = text.value.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || '').length);
    const lineHeight = text.scrollHeight / Math.max(1, lines.length);
    text.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function refreshButtons() {
    const editable = session.admin && !text.readOnly;
    validateBtn.disabled = busy || !editable;
    saveBtn.disabled = busy || !editable || validatedText === null || validatedText !== text.value ||
      text.value === loadedText;
    revertBtn.disabled = busy || text.value === loadedText;
  }

  async function load() {
    conflict.hidden = true;
    setText(status, 'Loading…');
    let r;
    try {
      r = await api(path);
    } catch (err) {
      if (err.status === 404 && /no such route/.test(err.message)) {
        el.replaceChildren(h('p', {class: 'muted'}, 'This vigild cannot show or edit the configuration here yet.'));
      } else {
        setText(status, `Cannot read the configuration: ${err.message}`);
      }
      return;
    }
    revision = r.revision;
    loadedText = r.toml;
    text.value = r.toml;
    text.readOnly = !!r.read_only || !session.admin;
    validatedText = null;
    buttons.hidden = text.readOnly;
    note.hidden = text.readOnly;
    setText(source, `[program.${name.replace(/:\d+$/, '')}] in ${r.file}, line ${r.line}` +
        (text.readOnly ? ' (read only; secrets are hidden)' : ''));
    setText(status, '');
    showErrors([]);
    refreshButtons();
  }

  async function validate() {
    busy = true;
    refreshButtons();
    const submitted = text.value;
    try {
      const r = await api(`${path}/validate`, {method: 'POST', body: {toml: submitted}});
      if (r.valid) {
        validatedText = submitted;
        showErrors([]);
        setText(status, submitted === loadedText ? 'Valid, and the same as the file.' : 'Valid. Save to apply it.');
      } else {
        validatedText = null;
        showErrors(r.errors);
        setText(status, `${r.errors.length} ${r.errors.length === 1 ? 'error' : 'errors'}: fix and validate again.`);
      }
    } catch (err) {
      setText(status, `Cannot validate: ${err.message}`);
    } finally {
      busy = false;
      refreshButtons();
    }
  }

  async function save() {
    busy = true;
    saveBtn.classList.add('busy');
    refreshButtons();
    const submitted = text.value;
    try {
      const r = await api(path, {method: 'PUT', body: {toml: submitted, revision}});
      revision = r.revision;
      loadedText = submitted;
      validatedText = submitted;
      showErrors([]);
      const reload = r.reload || {};
      const changed = [...(reload.changed || []), ...(reload.added || [])];
      setText(status, `Saved. ${changed.length ? `Restarted: ${changed.join(', ')}.` : 'Nothing needed a restart.'}`);
      toast(`Saved the configuration of ${name}`);
    } catch (err) {
      if (err.status === 409) {
        conflict.replaceChildren(
            h('strong', null, 'The config file changed since it was read. '),
            'Someone saved it meanwhile, here or on the server. Loading the current version discards your edits ' +
            '(copy them first). ',
            h('button', {type: 'button', onclick: () => load()}, 'Load the current version'));
        conflict.hidden = false;
        setText(status, 'Not saved.');
      } else {
        showErrors(err.body.errors || []);
        setText(status, `Not saved: ${err.message}`);
        validatedText = null;
      }
    } finally {
      busy = false;
      saveBtn.classList.remove('busy');
      refreshButtons();
    }
  }

  text.addEventListener('input', () => {
    if (lineCount() !== gutter.childElementCount) drawGutter();
    if (validatedText !== null && text.value !== validatedText) setText(status, 'Changed since it was validated.');
    refreshButtons();
  });
  text.addEventListener('scroll', () => {
    gutter.scrollTop = text.scrollTop;
  });

  load();
  return {el, destroy() {}};
}
