// One worker: what it answers to inspect (stats, queues, registered tasks, what it runs), its heartbeat (live), and
// the remote-control actions on it.
'use strict';

(() => {
  const { el, getJson, act, live, time, duration, badge, show } = Monitor;
  const name = decodeURIComponent(location.pathname.slice('/worker/'.length));
  const api = (path) => `/api/worker/${path}/${encodeURIComponent(name)}`;
  let state = null; // the monitor's view from heartbeats

  document.getElementById('name').textContent = name;
  document.title = `${name} · Celeriac monitor`;

  async function load(refresh) {
    let info;
    try {
      const all = await getJson(`/api/workers?workername=${encodeURIComponent(name)}` + (refresh ? '&refresh=1' : ''));
      info = all[name] || {};
    } catch (e) {
      Monitor.reply(false, `No answer from ${name}: ${e.message}`);
      return;
    }
    render(info);
  }

  function kv(table, object) {
    const rows = Object.entries(object || {}).map(([k, v]) =>
      el('tr', {}, el('th', {}, k), el('td', {}, typeof v === 'object' && v !== null ? el('pre', {}, JSON.stringify(v, null, 1)) : show(v))));
    table.replaceChildren(...rows);
  }

  function render(info) {
    const queues = info.active_queues || [];
    document.querySelector('#queues tbody').replaceChildren(...queues.map(q => el('tr', {},
      el('td', {}, q.name),
      el('td', {}, q.exchange ? q.exchange.name ?? show(q.exchange) : ''),
      el('td', {}, q.routing_key || ''),
      el('td', {}, el('button', {
        type: 'button',
        onclick: async () => {
          const r = await act(`Stop ${name} consuming from ${q.name}?`, api('queue/cancel-consumer'), { queue: q.name });
          if (r && r.ok) load(true);
        },
      }, 'Cancel consumer')))));

    const stats = info.stats || {};
    kv(document.getElementById('stats'), stats);
    const registered = info.registered || [];
    document.querySelector('#registered tbody').replaceChildren(...registered.map(entry => {
      const task = String(entry).split(' ')[0]; // Celery lists "name [rate_limit=...]" for tasks with options
      const rate = el('input', { size: 8, placeholder: 'e.g. 10/s' });
      const soft = el('input', { type: 'number', min: 0, step: 'any', placeholder: 'soft' });
      const hard = el('input', { type: 'number', min: 0, step: 'any', placeholder: 'hard' });
      return el('tr', { 'data-task': task },
        el('td', {}, el('a', { href: '/tasks?taskname=' + encodeURIComponent(task) }, String(entry))),
        el('td', {}, rate, ' ', el('button', {
          type: 'button',
          onclick: () => act(`Set the rate limit of ${task} on ${name} to ${rate.value || 'none'}?`,
            '/api/task/rate-limit/' + encodeURIComponent(task), { ratelimit: rate.value, workername: name }),
        }, 'Set')),
        el('td', {}, soft, ' ', hard, ' ', el('button', {
          type: 'button',
          onclick: () => act(`Set the time limits of ${task} on ${name} to soft ${soft.value || 'none'} s, hard ${hard.value || 'none'} s?`,
            '/api/task/timeout/' + encodeURIComponent(task), { soft: soft.value, hard: hard.value, workername: name }),
        }, 'Set')));
    }));

    const current = [];
    for (const [kind, key] of [['running', 'active'], ['reserved', 'reserved'], ['scheduled', 'scheduled']]) {
      for (const item of info[key] || []) {
        const t = item.request || item; // scheduled entries hold the request beside the eta
        current.push(el('tr', {}, el('td', {}, kind), el('td', {}, t.name || ''),
          el('td', { class: 'mono' }, t.id ? el('a', { href: '/task/' + encodeURIComponent(t.id) }, t.id) : ''),
          el('td', { class: 'clip mono' }, show(t.args))));
      }
    }
    document.querySelector('#current tbody').replaceChildren(...(current.length ? current
      : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'Nothing.'))]));
    kv(document.getElementById('conf'), info.conf);
  }

  function heartbeat() {
    if (!state) return;
    document.getElementById('status').replaceChildren(badge(state.alive ? 'online' : 'offline'));
    const beats = state.heartbeats || [];
    const last = beats.length ? beats[beats.length - 1] : null;
    document.getElementById('heartbeat').textContent = last === null ? 'No heartbeat yet.'
      : `Last heartbeat ${duration(Math.max(0, Date.now() / 1000 - last))} ago (${time(last)}), every ${state.freq} s; `
        + `${state.active ?? 0} running, ${state.processed ?? 0} processed, load ${(state.loadavg || []).join(' ')}`;
  }

  const n = () => document.getElementById('pool-n').value || '1';
  const after = p => p.then(r => { if (r && r.ok) setTimeout(() => load(true), 500); });
  document.getElementById('refresh').addEventListener('click', () => load(true));
  document.getElementById('grow').addEventListener('click', () =>
    after(act(`Grow the pool of ${name} by ${n()}?`, api('pool/grow'), { n: n() })));
  document.getElementById('shrink').addEventListener('click', () =>
    after(act(`Shrink the pool of ${name} by ${n()}?`, api('pool/shrink'), { n: n() })));
  document.getElementById('restart').addEventListener('click', () =>
    after(act(`Restart the pool of ${name}?`, api('pool/restart'), {})));
  document.getElementById('autoscale').addEventListener('click', () => {
    const min = document.getElementById('min').value;
    const max = document.getElementById('max').value;
    after(act(`Autoscale ${name} between ${min || '?'} and ${max || '?'}?`, api('pool/autoscale'), { min, max }));
  });
  document.getElementById('add-consumer').addEventListener('click', () => {
    const queue = document.getElementById('queue').value.trim();
    if (!queue) { Monitor.reply(false, 'Name a queue first'); return; }
    after(act(`Make ${name} consume from ${queue}?`, api('queue/add-consumer'), { queue }));
  });
  document.getElementById('shutdown').addEventListener('click', () =>
    act(`Shut ${name} down? It finishes what it runs, then exits.`, api('shutdown'), {}));

  live({ workers: all => { state = all[name] || state; heartbeat(); } });
  setInterval(heartbeat, 1000);
  load(false);
})();
