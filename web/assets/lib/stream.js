// SPDX-License-Identifier: MIT
// The live stream: one WebSocket to /v1/stream (docs/web.md, "The stream"), the topics the
// pages asked for, sent again after every reconnection, and reconnection with a growing
// delay (1 s, 2 s, 4 s ... 30 s) when the connection is lost.

import {toLogin} from './api.js';

const kMaxDelayMs = 30000;

// Which subscription key a server message belongs to.
const kTopicOf = {
  status: 'status',
  event: 'events',
  run: 'runs',
  finding: 'findings',
  metrics: 'metrics',
};

export class Stream extends EventTarget {
  constructor() {
    super();
    this.ws = null;
    this.connected = false;
    this.hello = null;
    this.attempt = 0;
    this.retryAt = 0;
    this.timer = 0;
    this.subs = new Map();  // key -> {message, handlers: Set, errors: Set}
  }

  start() {
    if (!this.ws) this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = 0;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/v1/stream`);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      for (const sub of this.subs.values()) this.send(sub.message);
    });
    ws.addEventListener('message', (e) => {
      if (this.ws !== ws) return;
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      this.onMessage(m);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.onClose(e.code);
    });
  }

  onMessage(m) {
    if (m.type === 'hello') {
      this.hello = m;
      this.connected = true;
      this.attempt = 0;
      this.emit('state');
      return;
    }
    if (m.type === 'ack') return;
    if (m.type === 'error') {
      const sub = m.id !== undefined ? this.subs.get(m.id) : null;
      if (sub && sub.errors.size) {
        for (const f of sub.errors) f(m.message);
      } else {
        this.emit('error', m.message);
      }
      return;
    }
    const logs = m.type === 'logs' || m.type === 'log_end' || (m.type === 'dropped' && m.program !== undefined);
    const key = logs ? `logs:${m.program}` : kTopicOf[m.type];
    const sub = key && this.subs.get(key);
    if (!sub) return;
    for (const f of sub.handlers) f(m);
  }

  onClose(code) {
    const wasConnected = this.connected;
    this.connected = false;
    this.ws = null;
    if (code === 4003) {  // the session ended (logout, rotated token)
      toLogin();
      return;
    }
    if (wasConnected) this.attempt = 0;
    const base = Math.min(kMaxDelayMs, 1000 * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.retryAt = Date.now() + delay;
    this.timer = setTimeout(() => this.connect(), delay);
    this.emit('state');
  }

  // Now, without waiting for the delay.
  reconnectNow() {
    if (this.connected || (this.ws && this.ws.readyState === WebSocket.CONNECTING)) return;
    this.attempt = 0;
    this.connect();
    this.emit('state');
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  // Subscribes to a topic ({topic: 'logs', program: 'web', ...}) and calls `handler` with
  // each of its messages; `onError` with vigild's refusal. Returns the unsubscribe function.
  // One subscription per topic (per program for logs) is sent, however many handlers.
  subscribe(message, handler, onError) {
    const key = message.topic === 'logs' ? `logs:${message.program}` : message.topic;
    let sub = this.subs.get(key);
    if (!sub) {
      sub = {message: {op: 'subscribe', ...message, id: key}, handlers: new Set(), errors: new Set()};
      this.subs.set(key, sub);
      if (this.connected || (this.ws && this.ws.readyState === WebSocket.OPEN)) this.send(sub.message);
    }
    sub.handlers.add(handler);
    if (onError) sub.errors.add(onError);
    return () => {
      sub.handlers.delete(handler);
      if (onError) sub.errors.delete(onError);
      if (sub.handlers.size === 0 && this.subs.get(key) === sub) {
        this.subs.delete(key);
        const un = {op: 'unsubscribe', topic: message.topic};
        if (message.program) un.program = message.program;
        this.send(un);
      }
    };
  }
}

export const stream = new Stream();
