// The broker: its URL (password masked by the monitor) and the queues with their lengths, every few seconds.
'use strict';

(() => {
  const { el, getJson, live } = Monitor;

  async function broker() {
    const b = await getJson('/api/broker');
    document.getElementById('url').textContent = b.url || '';
    document.getElementById('transport').textContent = b.transport || '';
  }

  async function queues() {
    let data;
    try {
      data = await getJson('/api/queues/length');
    } catch (e) {
      Monitor.reply(false, String(e));
      return;
    }
    const list = data.active_queues || [];
    const max = Math.max(1, ...list.map(q => q.messages || 0));
    document.querySelector('#queues tbody').replaceChildren(...list.map(q => el('tr', { 'data-queue': q.name },
      el('td', {}, q.name),
      el('td', { class: 'num' }, q.messages),
      el('td', {}, el('div', { class: 'bar', style: `width:${(100 * (q.messages || 0) / max).toFixed(1)}%` })))));
  }

  document.getElementById('refresh').addEventListener('click', queues);
  live({}); // the live badge; the lengths are polled, as the broker sends no events
  broker();
  queues();
  setInterval(queues, 5000);
})();
