// The tasks: filtered, sorted and paged by /api/tasks, refreshed while events come in. The search and the time
// range are applied here to what the other filters select, when they are given.
'use strict';

(() => {
  const { el, getJson, live, throttle, time, duration, badge, show, STATES } = Monitor;
  const form = document.getElementById('filters');
  const params = new URLSearchParams(location.search);
  let sortBy = params.get('sort_by') || '';
  let offset = Number(params.get('offset') || 0);
  let seen = {}; // state by id on the page shown, to flash the rows that changed

  for (const s of STATES) form.state.append(el('option', { value: s }, s));
  for (const name of ['search', 'taskname', 'state', 'workername', 'received_start', 'received_end', 'limit']) {
    if (params.get(name)) {
      if (form[name].tagName === 'SELECT' && ![...form[name].options].some(o => o.value === params.get(name))) {
        form[name].append(el('option', { value: params.get(name) }, params.get(name)));
      }
      form[name].value = params.get(name);
    }
  }

  async function options() {
    try {
      const [types, workers] = await Promise.all([getJson('/api/task/types'), getJson('/api/workers?status=1')]);
      fill(form.taskname, types['task-types']);
      fill(form.workername, Object.keys(workers).sort());
    } catch (e) {
      // the filters still work by the values typed in the address
    }
  }
  function fill(select, values) {
    const have = new Set([...select.options].map(o => o.value));
    for (const v of values) if (!have.has(v)) select.append(el('option', { value: v }, v));
  }

  const epoch = local => (local ? new Date(local).getTime() / 1000 : null);

  function matches(t, search, from, to) {
    if (from !== null && !(t.received >= from)) return false;
    if (to !== null && !(t.received <= to)) return false;
    if (!search) return true;
    const text = [t.uuid, t.name, show(t.args), show(t.kwargs), show(t.result), show(t.exception)].join(' ');
    return text.toLowerCase().includes(search.toLowerCase());
  }

  async function load() {
    const f = new FormData(form);
    const limit = Number(f.get('limit'));
    const search = f.get('search').trim();
    const from = epoch(f.get('received_start'));
    const to = epoch(f.get('received_end'));
    const local = search || from !== null || to !== null; // filtered here, so paged here
    const q = new URLSearchParams();
    for (const k of ['taskname', 'state', 'workername']) if (f.get(k)) q.set(k, f.get(k));
    if (sortBy) q.set('sort_by', sortBy);
    if (!local) {
      q.set('offset', offset);
      q.set('limit', limit + 1); // one more tells whether there is an older page
    }
    let tasks;
    try {
      tasks = Object.values(await getJson('/api/tasks?' + q));
    } catch (e) {
      Monitor.reply(false, String(e));
      return;
    }
    if (local) tasks = tasks.filter(t => matches(t, search, from, to)).slice(offset, offset + limit + 1);
    const more = tasks.length > limit;
    tasks = tasks.slice(0, limit);
    const before = seen;
    seen = {};
    const rows = tasks.map(t => {
      seen[t.uuid] = t.state;
      const changed = before[t.uuid] !== undefined && before[t.uuid] !== t.state;
      return el('tr', { 'data-uuid': t.uuid, 'data-state': t.state, class: changed ? 'flash' : null },
        el('td', {}, t.name || ''),
        el('td', { class: 'mono' }, el('a', { href: '/task/' + encodeURIComponent(t.uuid) }, t.uuid)),
        el('td', {}, badge(t.state)),
        el('td', { class: 'clip mono', title: show(t.args) }, show(t.args)),
        el('td', { class: 'clip mono', title: show(t.kwargs) }, show(t.kwargs)),
        el('td', { class: 'clip mono', title: show(t.result ?? t.exception) }, show(t.result ?? t.exception)),
        el('td', {}, time(t.received)),
        el('td', {}, time(t.started)),
        el('td', { class: 'num' }, duration(t.runtime)),
        el('td', {}, t.worker ? el('a', { href: '/worker/' + encodeURIComponent(t.worker) }, t.worker) : ''));
    });
    document.querySelector('#tasks tbody').replaceChildren(...rows);
    document.getElementById('no-tasks').hidden = rows.length > 0;
    document.getElementById('newer').disabled = offset === 0;
    document.getElementById('older').disabled = !more;
    document.getElementById('page').textContent = rows.length ? `${offset + 1}–${offset + rows.length}` : '';
    for (const th of document.querySelectorAll('th.sortable')) {
      th.classList.toggle('sorted-asc', sortBy === th.dataset.sort);
      th.classList.toggle('sorted-desc', sortBy === '-' + th.dataset.sort);
    }
    keepInAddress();
  }

  function keepInAddress() {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v && !(k === 'limit' && v === '50')) q.set(k, v);
    if (sortBy) q.set('sort_by', sortBy);
    if (offset) q.set('offset', offset);
    history.replaceState(null, '', '/tasks' + (q.toString() ? '?' + q : ''));
  }

  form.addEventListener('submit', e => { e.preventDefault(); offset = 0; load(); });
  form.addEventListener('change', () => { offset = 0; load(); });
  form.search.addEventListener('input', throttle(() => { offset = 0; load(); }, 300));
  for (const th of document.querySelectorAll('th.sortable')) {
    th.addEventListener('click', () => {
      const key = th.dataset.sort;
      sortBy = sortBy === key ? '-' + key : sortBy === '-' + key ? '' : key; // ascending, descending, newest first
      offset = 0;
      load();
    });
  }
  document.getElementById('newer').addEventListener('click', () => {
    offset = Math.max(0, offset - Number(form.limit.value));
    load();
  });
  document.getElementById('older').addEventListener('click', () => { offset += Number(form.limit.value); load(); });

  const reload = throttle(load, 1000);
  const newOptions = throttle(options, 5000);
  live({
    tasks: changed => {
      if (Object.values(changed).some(t => t.name && ![...form.taskname.options].some(o => o.value === t.name))) newOptions();
      reload();
    },
    resync: reload,
  });
  options();
  load();
})();
