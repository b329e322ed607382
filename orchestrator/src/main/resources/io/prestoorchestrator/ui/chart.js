// The autoscaling signal over the last hour as inline SVG: two panels on one time axis, workers
// (needed against active, draining) and queries (running, queued). Drawn with DOM calls, so the
// page needs no chart library and no inline script. Every series has its own colour AND dash
// pattern, and the legend names it; the figure's label says the latest values in words.

import {svg, el} from './format.js';

const WIDTH = 760;
const PANEL = 150;
const GAP = 46;
const LEFT = 44;
const RIGHT = 12;
const TOP = 22;

const PANELS = [
  {title: 'Workers', series: [
    {key: 'needed', label: 'needed (signal)', className: 'series-needed'},
    {key: 'activeWorkers', label: 'active', className: 'series-active'},
    {key: 'drainingWorkers', label: 'draining', className: 'series-draining'},
  ]},
  {title: 'Queries', series: [
    {key: 'runningQueries', label: 'running', className: 'series-running'},
    {key: 'queuedQueries', label: 'queued', className: 'series-queued'},
  ]},
];

function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

/** Polyline segments of one series, broken at unavailable points (the coordinator did not answer). */
function segments(points, key, x, y) {
  const result = [];
  let current = [];
  for (const point of points) {
    if (point.status !== 'ok') {
      if (current.length) result.push(current);
      current = [];
      continue;
    }
    current.push(`${x(point.at).toFixed(1)},${y(point[key]).toFixed(1)}`);
  }
  if (current.length) result.push(current);
  return result;
}

/**
 * @param history the answer of GET /v1/clusters/{name}/autoscaling/history
 * @param now the end of the time axis (ms)
 */
export function signalChart(history, now = Date.now()) {
  const points = (history.points || []).map(point => ({...point, at: new Date(point.at).getTime()}));
  const windowMs = 3600 * 1000;
  const start = now - windowMs;
  const visible = points.filter(point => point.at >= start);
  const height = TOP + PANELS.length * (PANEL + GAP);
  const x = at => LEFT + ((at - start) / windowMs) * (WIDTH - LEFT - RIGHT);
  const latest = [...visible].reverse().find(point => point.status === 'ok');
  const summary = latest
    ? `Last hour, ${visible.length} polls. Latest: ${latest.needed} workers needed, ${latest.activeWorkers} active, ${latest.drainingWorkers} draining; ${latest.runningQueries} queries running, ${latest.queuedQueries} queued.`
    : `Last hour, ${visible.length} polls, none answered by the coordinator.`;

  const figure = svg('svg', {
    id: 'signal-chart', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': summary,
    'data-points': String(visible.length), 'data-available': String(visible.filter(point => point.status === 'ok').length),
    preserveAspectRatio: 'xMidYMid meet',
  });
  figure.append(svg('title', {text: summary}));

  PANELS.forEach((panel, index) => {
    const top = TOP + index * (PANEL + GAP);
    const max = niceMax(Math.max(1, ...visible.filter(point => point.status === 'ok').flatMap(point => panel.series.map(series => point[series.key] || 0))));
    const y = value => top + PANEL - (value / max) * PANEL;
    const group = svg('g', {class: 'panel'});
    group.append(svg('text', {x: LEFT, y: top - 8, class: 'panel-title', text: panel.title}));
    for (let i = 0; i <= 4; i++) {
      const value = (max / 4) * i;
      group.append(svg('line', {x1: LEFT, x2: WIDTH - RIGHT, y1: y(value), y2: y(value), class: i === 0 ? 'axis' : 'gridline'}));
      group.append(svg('text', {x: LEFT - 6, y: y(value) + 4, class: 'tick tick-y', text: Number.isInteger(value) ? value : value.toFixed(1)}));
    }
    for (let minutes = 60; minutes >= 0; minutes -= 15) {
      const at = now - minutes * 60 * 1000;
      group.append(svg('line', {x1: x(at), x2: x(at), y1: top, y2: top + PANEL, class: 'gridline'}));
      group.append(svg('text', {x: x(at), y: top + PANEL + 16, class: 'tick tick-x', text: minutes === 0 ? 'now' : `-${minutes} min`}));
    }
    // the gaps: polls the coordinator did not answer
    for (const point of visible.filter(candidate => candidate.status !== 'ok')) {
      group.append(svg('rect', {x: x(point.at) - 1, y: top, width: 2, height: PANEL, class: 'gap'}));
    }
    for (const series of panel.series) {
      for (const segment of segments(visible, series.key, x, y)) {
        if (segment.length === 1) {
          const [cx, cy] = segment[0].split(',');
          group.append(svg('circle', {cx, cy, r: 2.5, class: ['line', series.className]}));
        } else {
          group.append(svg('polyline', {points: segment.join(' '), class: ['line', series.className], 'data-series': series.key}));
        }
      }
    }
    figure.append(group);
  });

  const legend = el('ul', {class: 'legend', 'aria-label': 'Chart legend'},
    PANELS.flatMap(panel => panel.series.map(series => el('li', {},
      svgSwatch(series.className), `${panel.title.toLowerCase()}: ${series.label}`))),
    el('li', {}, svgSwatch('gap-swatch'), 'no answer from the coordinator'));
  return el('figure', {class: 'chart'}, figure, legend, el('figcaption', {class: 'visually-hidden'}, summary));
}

function svgSwatch(className) {
  return svg('svg', {class: 'swatch', viewBox: '0 0 28 10', 'aria-hidden': 'true', width: 28, height: 10},
    className === 'gap-swatch'
      ? svg('rect', {x: 12, y: 0, width: 4, height: 10, class: 'gap'})
      : svg('line', {x1: 0, y1: 5, x2: 28, y2: 5, class: ['line', className]}));
}
