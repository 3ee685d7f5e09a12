// SPDX-License-Identifier: MIT
// Sparklines: a small canvas with the recent values of one figure, drawn by hand (the
// cards show 200 of them; Chart.js is for the big charts).

import {h} from './dom.js';

const kWidth = 96;
const kHeight = 24;

let colors = null;
function palette() {
  if (!colors) {
    const css = getComputedStyle(document.documentElement);
    colors = {line: css.getPropertyValue('--accent').trim() || '#2f6fde',
      fill: css.getPropertyValue('--accent-soft').trim() || 'rgba(47,111,222,.15)'};
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      colors = null;
    });
  }
  return colors;
}

export function sparkCanvas(label) {
  const dpr = window.devicePixelRatio || 1;
  const c = h('canvas', {class: 'spark', width: kWidth * dpr, height: kHeight * dpr, role: 'img', 'aria-label': label});
  return c;
}

// Draws `values` (null = no sample) scaled to [0, max(values, floor)].
export function drawSpark(canvas, values, floor) {
  const present = values.filter((v) => v !== null && v !== undefined);
  // A canvas gets its 2D context (and its memory) only once it has something to show.
  if (present.length < 2 && !canvas.drawn) return;
  canvas.drawn = true;
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const hgt = canvas.height;
  ctx.clearRect(0, 0, w, hgt);
  if (present.length < 2) return;
  const top = Math.max(floor || 0, ...present) || 1;
  const step = w / (Math.max(values.length, 10) - 1);
  const x0 = w - step * (values.length - 1);
  const y = (v) => hgt - 1 - (v / top) * (hgt - 2);
  const {line, fill} = palette();
  ctx.lineWidth = Math.max(1, (window.devicePixelRatio || 1) * 1.25);
  ctx.strokeStyle = line;
  ctx.fillStyle = fill;
  let started = false;
  let firstX = 0;
  let lastX = 0;
  ctx.beginPath();
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const x = x0 + i * step;
    if (!started) {
      ctx.moveTo(x, y(v));
      firstX = x;
      started = true;
    } else {
      ctx.lineTo(x, y(v));
    }
    lastX = x;
  });
  ctx.stroke();
  ctx.lineTo(lastX, hgt);
  ctx.lineTo(firstX, hgt);
  ctx.closePath();
  ctx.fill();
}
