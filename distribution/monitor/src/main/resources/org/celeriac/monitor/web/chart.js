// Small SVG line charts: series over time with gaps for missing values, a y axis rounded to nice numbers, and a
// hover line that reads out the values at the pointer.
'use strict';

const Chart = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  /** 1, 2 or 5 times a power of ten, at least max / 4: the y axis's step. */
  function niceStep(max) {
    const raw = max / 4;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
    return 10 * power;
  }

  /**
   * Draws into container (replacing what it held) the series [{label, color, values}], values[i] at
   * start + i * step (epoch seconds), null for none; format turns a y value into text; empty is said when every
   * value is null.
   */
  function lines(container, { series, start, step, format, empty }) {
    const width = Math.max(240, container.clientWidth || 520);
    const height = 150;
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const n = Math.max(...series.map(s => s.values.length), 2);
    let max = 0;
    for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
    const yStep = max > 0 ? niceStep(max) : 1;
    const yMax = max > 0 ? Math.ceil(max / yStep) * yStep : 1;
    const x = i => pad.left + (i / (n - 1)) * plotW;
    const y = v => pad.top + plotH - (v / yMax) * plotH;

    const root = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img' });
    for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
      root.append(svg('line', { class: 'gridline', x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }));
      root.append(svg('text', { x: pad.left - 6, y: y(v) + 3, 'text-anchor': 'end' }, format(v)));
    }
    root.append(svg('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0) }));
    const span = n * step; // the window, though the first value is one step later
    const label = s => (s >= 60 ? `-${Math.round(s / 6) / 10} min` : `-${Math.round(s)} s`);
    root.append(svg('text', { x: pad.left, y: height - 5 }, label(span)));
    root.append(svg('text', { x: pad.left + plotW / 2, y: height - 5, 'text-anchor': 'middle' }, label(Math.round(span / 2))));
    root.append(svg('text', { x: width - pad.right, y: height - 5, 'text-anchor': 'end' }, 'now'));

    if (max === 0 && series.every(s => s.values.every(v => v === null))) {
      root.append(svg('text', { class: 'none', x: pad.left + plotW / 2, y: pad.top + plotH / 2, 'text-anchor': 'middle' },
        empty || 'nothing yet'));
    }
    for (const s of series) {
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null) { pen = false; return; }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      // a lone point between gaps would not show as a line: mark it
      s.values.forEach((v, i) => {
        const alone = v !== null && (i === 0 || s.values[i - 1] === null) && (i === n - 1 || s.values[i + 1] === null);
        if (alone && s.values.length > 1) root.append(svg('circle', { cx: x(i), cy: y(v), r: 2.2, fill: s.color }));
      });
      if (d) root.append(svg('path', { class: 'series', d, stroke: s.color, 'data-series': s.label }));
    }

    // hover: a vertical line and the values under the pointer
    const hover = svg('g', { class: 'hover', visibility: 'hidden' });
    const rule = svg('line', { y1: pad.top, y2: pad.top + plotH });
    const readout = svg('text', { y: pad.top + 10 });
    hover.append(rule, readout);
    root.append(hover);
    const capture = svg('rect', { x: pad.left, y: pad.top, width: plotW, height: plotH, fill: 'transparent' });
    capture.addEventListener('mousemove', e => {
      const box = root.getBoundingClientRect();
      const px = (e.clientX - box.left) * (width / box.width);
      const i = Math.max(0, Math.min(n - 1, Math.round(((px - pad.left) / plotW) * (n - 1))));
      rule.setAttribute('x1', x(i));
      rule.setAttribute('x2', x(i));
      const at = new Date((start + i * step) * 1000).toLocaleTimeString();
      readout.textContent = `${at}  ` + series.map(s => `${s.label} ${s.values[i] === null ? '–' : format(s.values[i])}`).join('  ');
      const right = x(i) > pad.left + plotW / 2;
      readout.setAttribute('x', right ? x(i) - 6 : x(i) + 6);
      readout.setAttribute('text-anchor', right ? 'end' : 'start');
      hover.setAttribute('visibility', 'visible');
    });
    capture.addEventListener('mouseleave', () => hover.setAttribute('visibility', 'hidden'));
    root.append(capture);
    container.replaceChildren(root);
  }

  function legend(series) {
    const box = document.createElement('div');
    box.className = 'legend';
    for (const s of series) {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = s.color;
      item.append(swatch, s.label);
      box.append(item);
    }
    return box;
  }

  return { lines, legend };
})();
