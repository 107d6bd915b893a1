// One task: its fields, timings and traceback, its place in its workflow, and revoke and limits; live.
'use strict';

(() => {
  const { el, getJson, act, live, throttle, time, duration, badge, show } = Monitor;
  const id = decodeURIComponent(location.pathname.slice('/task/'.length));
  let task = null;

  const TIMES = ['sent', 'received', 'started', 'succeeded', 'failed', 'retried', 'revoked', 'rejected'];
  const OTHERS = ['retries', 'eta', 'expires', 'exchange', 'routing_key', 'client', 'clock'];

  async function load() {
    try {
      show_(await getJson('/api/task/info/' + encodeURIComponent(id)));
    } catch (e) {
      document.getElementById('unknown').hidden = false;
      document.getElementById('uuid').textContent = id;
    }
    canvas();
  }

  const link = (kind, value) => (value ? el('a', { href: `/${kind}/${encodeURIComponent(value)}` }, value) : '');

  function show_(t) {
    task = t;
    document.getElementById('unknown').hidden = true;
    document.title = `${t.name || 'Task'} ${t.uuid} · Celeriac monitor`;
    document.getElementById('name').textContent = t.name || 'Task';
    document.getElementById('state').replaceChildren(badge(t.state));
    document.getElementById('state').dataset.state = t.state;
    document.getElementById('uuid').textContent = t.uuid;
    const done = ['SUCCESS', 'FAILURE', 'REVOKED', 'REJECTED'].includes(t.state);
    document.getElementById('revoke').disabled = done;
    document.getElementById('terminate').disabled = done;

    const rows = [
      ['UUID', el('span', { class: 'mono' }, t.uuid)],
      ['Name', t.name || ''],
      ['State', badge(t.state)],
      ['Worker', link('worker', t.worker)],
      ['Args', el('pre', {}, show(t.args))],
      ['Kwargs', el('pre', {}, show(t.kwargs))],
      ['Result', el('pre', {}, show(t.result))],
      ['Exception', el('pre', {}, show(t.exception))],
      ['Runtime', duration(t.runtime)],
      ...TIMES.filter(k => t[k]).map(k => [k[0].toUpperCase() + k.slice(1), time(t[k])]),
      ['Parent', link('task', t.parent_id)],
      ['Root', t.root_id === t.uuid ? '' : link('task', t.root_id)],
      ...OTHERS.filter(k => t[k] !== null && t[k] !== undefined).map(k => [k, show(t[k])]),
    ].filter(([k, v]) => v !== '' && !(v instanceof Element && v.tagName === 'PRE' && v.textContent === ''));
    document.getElementById('fields').replaceChildren(...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
    document.getElementById('traceback-section').hidden = !t.traceback;
    document.getElementById('traceback').textContent = t.traceback || '';
    timeline(t);
  }

  /** Waiting from sent (or received) to started, then running for its runtime. */
  function timeline(t) {
    const from = t.sent || t.received;
    const started = t.started;
    const end = t.succeeded || t.failed || t.revoked || t.rejected || (started ? Date.now() / 1000 : null);
    const bar = document.getElementById('timeline');
    const text = document.getElementById('timeline-text');
    if (!from || !end) { bar.replaceChildren(); text.textContent = ''; return; }
    const total = Math.max(end - from, 1e-6);
    const runStart = started || end;
    const pct = v => `${(100 * v / total).toFixed(2)}%`;
    bar.replaceChildren(
      el('span', { class: 'waiting', style: `left:0;width:${pct(runStart - from)}` }),
      el('span', { class: 'running', style: `left:${pct(runStart - from)};width:${pct(end - runStart)}` }));
    text.textContent = `waited ${duration(runStart - from)}` + (started ? `, ran ${duration(t.runtime ?? end - started)}` : '');
  }

  async function canvas() {
    let family;
    try {
      family = await getJson('/api/task/canvas/' + encodeURIComponent(id));
    } catch (e) {
      return;
    }
    const byParent = {};
    const ids = new Set(family.tasks.map(t => t.uuid));
    const top = ids.has(family.root) ? family.root : ''; // where a task whose parent went unheard of hangs
    for (const t of family.tasks) {
      const parent = t.uuid === family.root ? '' : (ids.has(t.parent_id) ? t.parent_id : top);
      (byParent[parent] = byParent[parent] || []).push(t);
    }
    const branch = (parent, depth) => (byParent[parent] || []).map(t => el('li', { class: t.uuid === id ? 'current' : null },
      badge(t.state), ' ', el('a', { href: '/task/' + encodeURIComponent(t.uuid) }, t.name || t.uuid), ' ',
      el('span', { class: 'mono muted' }, t.uuid.slice(0, 8)),
      depth < 20 && byParent[t.uuid] ? el('ul', {}, branch(t.uuid, depth + 1)) : null));
    const roots = byParent[''] || [];
    document.getElementById('canvas').replaceChildren(...(roots.length ? branch('', 0)
      : [el('li', { class: 'muted' }, 'Only this task.')]));
  }

  document.getElementById('revoke').addEventListener('click', () =>
    act(`Revoke task ${id}? Workers will not run it.`, '/api/task/revoke/' + encodeURIComponent(id), {}));
  document.getElementById('terminate').addEventListener('click', () =>
    act(`Terminate task ${id}? It is revoked, and stopped if it is running.`,
      '/api/task/revoke/' + encodeURIComponent(id), { terminate: 'true', signal: 'SIGTERM' }));
  document.getElementById('set-rate').addEventListener('click', () => {
    if (!task) return;
    const rate = document.getElementById('rate').value.trim();
    act(`Set the rate limit of ${task.name} to ${rate || 'none'} on every worker?`,
      '/api/task/rate-limit/' + encodeURIComponent(task.name), { ratelimit: rate });
  });
  document.getElementById('set-timeout').addEventListener('click', () => {
    if (!task) return;
    const soft = document.getElementById('soft').value;
    const hard = document.getElementById('hard').value;
    act(`Set the time limits of ${task.name} to soft ${soft || 'none'} s, hard ${hard || 'none'} s on every worker?`,
      '/api/task/timeout/' + encodeURIComponent(task.name), { soft, hard });
  });

  const canvasSoon = throttle(canvas, 1000);
  live({
    tasks: changed => {
      if (changed[id]) show_(changed[id]);
      const root = task ? task.root_id || task.uuid : id;
      if (Object.values(changed).some(t => t.root_id === root || t.uuid === root)) canvasSoon();
    },
    resync: load,
  });
  setInterval(() => { if (task && task.state === 'STARTED') timeline(task); }, 1000);
  load();
})();
