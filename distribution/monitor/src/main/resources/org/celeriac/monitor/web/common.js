// What every page shares: building elements (text only, never HTML from data), the JSON API, confirmed actions
// with their replies, the live feed, and formatting.
'use strict';

const Monitor = (() => {
  /** An element with attributes (on* as listeners) and children (strings become text). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  async function getJson(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  /** Shows a reply in the corner until the next one, or for a while. */
  let replyTimer;
  function reply(ok, message) {
    const box = document.getElementById('reply');
    box.textContent = message;
    box.className = ok ? 'reply' : 'reply error';
    box.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  /** Asks, then posts the form parameters and shows the answer: the API's message, or its error. */
  async function act(question, url, params) {
    if (!window.confirm(question)) return null;
    let ok = false;
    let message;
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params || {}),
      });
      const text = await r.text();
      ok = r.ok;
      try {
        const j = JSON.parse(text);
        message = j.message || j.error || text;
      } catch (e) {
        message = text;
      }
    } catch (e) {
      message = String(e);
    }
    reply(ok, message || (ok ? 'Done' : 'Failed'));
    return { ok, message };
  }

  /** The live feed: handlers by event name (workers, tasks, resync), each given the parsed data. */
  function live(handlers) {
    const badge = document.getElementById('live');
    const source = new EventSource('/api/live');
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, e => handle(JSON.parse(e.data)));
    }
    source.onopen = () => { badge.textContent = 'live'; badge.className = 'live on'; };
    source.onerror = () => { badge.textContent = 'reconnecting'; badge.className = 'live off'; };
    return source;
  }

  /** Runs fn at most once per ms, the last call winning. */
  function throttle(fn, ms) {
    let timer = null;
    let last = 0;
    return () => {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  const pad = n => String(n).padStart(2, '0');
  /** Epoch seconds as local date and time. */
  function time(seconds) {
    if (seconds === null || seconds === undefined) return '';
    const d = new Date(seconds * 1000);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  /** Seconds as a short duration: 12 ms, 3.4 s, 5 min. */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return '';
    if (seconds < 0.01) return `${(seconds * 1000).toFixed(seconds === 0 ? 0 : 1)} ms`;
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  }
  function badge(text, kind) {
    return el('span', { class: `badge ${kind || text}` }, text);
  }
  /** A value as JSON text, as Python's repr would be read. */
  function show(value) {
    if (value === null || value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  function replaceChildren(parent, children) {
    parent.replaceChildren(...children);
  }
  const STATES = ['PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'];

  // The nav bar: the section of this page is the active one.
  document.addEventListener('DOMContentLoaded', () => {
    const page = document.body.dataset.page;
    for (const a of document.querySelectorAll('.topbar nav a')) {
      if (a.dataset.nav.split(' ').includes(page)) a.classList.add('active');
    }
  });

  return { el, getJson, act, reply, live, throttle, time, duration, badge, show, replaceChildren, STATES };
})();
