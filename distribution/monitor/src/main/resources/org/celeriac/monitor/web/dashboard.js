// The dashboard: every worker with its heartbeat (live), what inspect says of its pool and queues, and a chart per
// task name of what finished each second and how long it ran.
'use strict';

(() => {
  const { el, getJson, live, throttle, duration, badge } = Monitor;
  let workers = {};   // by name, from the live feed: the monitor's view from heartbeats
  let inspected = {}; // by name, from /api/workers: the workers' own answers

  async function inspect(refresh) {
    try {
      inspected = await getJson('/api/workers' + (refresh ? '?refresh=1' : ''));
    } catch (e) {
      Monitor.reply(false, String(e));
    }
    render();
  }

  function lastHeartbeat(w) {
    return w.heartbeats && w.heartbeats.length ? w.heartbeats[w.heartbeats.length - 1] : null;
  }

  function render() {
    const names = [...new Set([...Object.keys(workers), ...Object.keys(inspected)])].sort();
    const now = Date.now() / 1000;
    let online = 0;
    let active = 0;
    let processed = 0;
    const rows = names.map(name => {
      const w = workers[name] || {};
      const i = inspected[name] || {};
      const alive = w.alive === undefined ? !!inspected[name] : w.alive;
      const stats = i.stats || {};
      const pool = stats.pool ? stats.pool['max-concurrency'] : null;
      const queues = (i.active_queues || []).map(q => q.name);
      const beat = lastHeartbeat(w);
      const running = w.active !== undefined && w.active !== null ? w.active : (i.active || []).length;
      if (alive) online++;
      active += running || 0;
      processed += w.processed || 0;
      return el('tr', { 'data-worker': name },
        el('td', {}, el('a', { href: '/worker/' + encodeURIComponent(name) }, name)),
        el('td', {}, badge(alive ? 'online' : 'offline')),
        el('td', { class: 'num' }, beat === null ? '' : duration(Math.max(0, now - beat)) + ' ago'),
        el('td', { class: 'num' }, pool === null || pool === undefined ? '' : pool),
        el('td', { class: 'num' }, running === undefined ? '' : running),
        el('td', { class: 'num' }, w.processed === undefined || w.processed === null ? '' : w.processed),
        el('td', { class: 'mono' }, (w.loadavg || stats.loadavg || []).map(l => Number(l).toFixed(2)).join(' ')),
        el('td', {}, queues.join(', ')));
    });
    patch(document.querySelector('#workers tbody'), rows);
    document.getElementById('no-workers').hidden = names.length > 0;
    document.getElementById('count-online').textContent = online;
    document.getElementById('count-active').textContent = active;
    document.getElementById('count-processed').textContent = processed;
  }

  /**
   * Puts rows into body, keeping the rows and cells already there that did not change: the table is redrawn every
   * second, and a person selecting or clicking in it should not have the element taken from under the pointer.
   */
  function patch(body, rows) {
    const existing = new Map([...body.children].map(tr => [tr.dataset.worker, tr]));
    const kept = rows.map(tr => {
      const old = existing.get(tr.dataset.worker);
      if (!old) return tr;
      [...tr.children].forEach((td, i) => {
        if (old.children[i].innerHTML !== td.innerHTML) old.children[i].replaceChildren(...td.childNodes);
      });
      return old;
    });
    if (kept.length !== body.children.length || kept.some((tr, i) => body.children[i] !== tr)) body.replaceChildren(...kept);
  }

  const COUNTS = [
    { key: 'succeeded', label: 'succeeded', color: '#1f9d55' },
    { key: 'failed', label: 'failed', color: '#d64545' },
    { key: 'retried', label: 'retried', color: '#d69e2e' },
  ];
  const RUNTIMES = [
    { key: 'p50', label: 'p50', color: '#3182ce' },
    { key: 'p95', label: 'p95', color: '#805ad5' },
  ];
  const cards = {}; // by task name, kept across refreshes so charts redraw in place

  async function charts() {
    const seconds = Number(document.getElementById('window').value);
    let data;
    try {
      data = await getJson('/api/stats/timeseries?seconds=' + seconds);
    } catch (e) {
      return;
    }
    const box = document.getElementById('charts');
    const start = data.now - data.seconds + 1;
    let lastMinute = 0;
    const names = Object.keys(data.tasks).filter(name => {
      const t = data.tasks[name];
      lastMinute += t.succeeded.slice(-60).reduce((a, b) => a + b, 0);
      return COUNTS.some(c => t[c.key].some(v => v > 0));
    });
    document.getElementById('count-rate').textContent = (lastMinute / 60).toFixed(lastMinute >= 600 ? 0 : 2);
    document.getElementById('no-charts').hidden = names.length > 0;
    for (const name of Object.keys(cards)) {
      if (!names.includes(name)) { cards[name].root.remove(); delete cards[name]; }
    }
    for (const name of names) {
      const t = data.tasks[name];
      let card = cards[name];
      if (!card) {
        const counts = el('div', { class: 'chart-counts' });
        const runtimes = el('div', { class: 'chart-runtimes' });
        const sub = el('span', { class: 'sub' });
        const root = el('div', { class: 'chart-card', 'data-task': name },
          el('h3', {}, el('a', { href: '/tasks?taskname=' + encodeURIComponent(name) }, name), ' ', sub),
          el('div', { class: 'chart-pair' },
            el('div', {}, Chart.legend(COUNTS.map(c => ({ ...c, label: c.label + ' / s' }))), counts),
            el('div', {}, Chart.legend(RUNTIMES.map(c => ({ ...c, label: c.label + ' runtime' }))), runtimes)));
        card = cards[name] = { root, counts, runtimes, sub };
      }
      box.append(card.root); // in name order
      const total = k => t[k].reduce((a, b) => a + b, 0);
      card.sub.textContent = `${total('succeeded')} succeeded, ${total('failed')} failed, ${total('retried')} retried`;
      Chart.lines(card.counts, {
        series: COUNTS.map(c => ({ label: c.label, color: c.color, values: t[c.key] })),
        start, step: data.step, format: v => String(Math.round(v * 100) / 100),
      });
      Chart.lines(card.runtimes, {
        series: RUNTIMES.map(c => ({ label: c.label, color: c.color, values: t[c.key] })),
        start: data.now - data.seconds + data.runtime_step, step: data.runtime_step, format: duration,
        empty: 'none succeeded',
      });
    }
  }

  const chartsSoon = throttle(charts, 1000);
  const inspectSoon = throttle(() => inspect(false), 5000);
  live({
    workers: data => {
      const known = Object.keys(workers).length;
      workers = data;
      if (Object.keys(data).some(name => !inspected[name]) && known !== Object.keys(data).length) inspectSoon();
      render();
    },
    tasks: chartsSoon,
    resync: chartsSoon,
  });
  document.getElementById('refresh').addEventListener('click', () => inspect(true));
  document.getElementById('window').addEventListener('change', charts);
  setInterval(render, 1000);     // heartbeat ages
  setInterval(chartsSoon, 5000); // the charts move on even when nothing happens
  inspect(false);
  charts();
})();
