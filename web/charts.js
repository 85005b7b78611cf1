import { h } from './dom.js';

/**
 * Charts drawn as inline SVG in the page itself: no library, nothing loaded from elsewhere. Each is a
 * `<figure>` with a caption, an SVG that scales to the width it is given (a phone's too), a text
 * alternative (`role="img"` with an `aria-label` that reads every figure), and `data-*` values on
 * each mark so a test can check it draws what the API said.
 */

const SVG = 'http://www.w3.org/2000/svg';
/** Drawing width in SVG units; the element scales to its container. Narrow, so text stays legible on a phone. */
const WIDTH = 360;
const LABEL = 112;
const VALUE = 44;
const BAR_AREA = WIDTH - LABEL - VALUE;

/**
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined>} [attributes]
 * @param {...(Node | string | null | undefined | false)} children
 */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  for (const child of children) if (child) element.append(child);
  return element;
}

/**
 * @param {string} text
 * @param {number} max characters kept
 */
function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * @param {string} name a stable hook for tests and styles
 * @param {string} title
 * @param {string} summary the text alternative: every figure the chart shows
 * @param {number} height
 * @param {Array<Element | null>} marks
 * @param {Array<{ name: string, key: string }>} [legend]
 */
function figure(name, title, summary, height, marks, legend = []) {
  const svg = s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': summary, preserveAspectRatio: 'xMinYMin meet' },
    ...marks,
  );
  return h(
    'figure',
    { class: 'chart', 'data-chart': name },
    h('figcaption', { text: title }),
    svg,
    legend.length > 0 &&
      h(
        'ul',
        { class: 'chart-legend', 'aria-hidden': 'true' },
        ...legend.map((entry) => h('li', {}, h('span', { class: `swatch series-${entry.key}` }), entry.name)),
      ),
  );
}

/**
 * Horizontal bars, grouped: a row per category, a bar per series, lengths proportional to the values
 * (all on one scale, the largest value the full width).
 * @param {{ name: string, title: string, categories: string[], series: Array<{ name: string, key: string, values: number[] }>, format?: (value: number) => string }} chart
 */
export function barChart({ name, title, categories, series, format = String }) {
  const max = Math.max(1, ...series.flatMap((entry) => entry.values));
  const bar = 11;
  const row = series.length * (bar + 2) + 8;
  const marks = categories.flatMap((category, c) => {
    const top = c * row + 4;
    return [
      s(
        'text',
        { x: LABEL - 6, y: top + (series.length * (bar + 2)) / 2 + 4, 'text-anchor': 'end', class: 'chart-label' },
        clip(category, 18),
      ),
      ...series.flatMap((entry, i) => {
        const value = entry.values[c] ?? 0;
        const width = (value / max) * BAR_AREA;
        const y = top + i * (bar + 2);
        return [
          s('rect', {
            x: LABEL,
            y,
            width: width.toFixed(2),
            height: bar,
            class: `bar series-${entry.key}`,
            'data-series': entry.key,
            'data-category': category,
            'data-value': value,
          }),
          s('text', { x: LABEL + width + 4, y: y + bar - 2, class: 'chart-value' }, format(value)),
        ];
      }),
    ];
  });
  const summary = categories
    .map((category, c) => `${category}: ${series.map((entry) => `${entry.name} ${format(entry.values[c] ?? 0)}`).join(', ')}`)
    .join('; ');
  return figure(name, title, `${title}. ${summary}.`, Math.max(row * categories.length + 8, 24), marks, series);
}

/**
 * The SOP as a funnel: a centred bar per stage as wide as the visits that entered it, split into
 * those lost there, those still open and those that moved on; stages skipped by fast lanes beside.
 * @param {Array<{ stage: string, name: string, entered: number, skipped: number, lost: number, open: number }>} stages
 */
export function funnelChart(stages) {
  const max = Math.max(1, ...stages.map((stage) => stage.entered));
  const row = 26;
  // The counts sit in a column of their own at the right.
  const area = WIDTH - LABEL - 84;
  const marks = stages.flatMap((stage, i) => {
    const width = (stage.entered / max) * area;
    const left = LABEL + (area - width) / 2;
    const y = i * row + 6;
    const lost = Math.min(stage.lost, stage.entered);
    const open = Math.min(stage.open, stage.entered - lost);
    const parts = [
      { key: 'lost', count: lost },
      { key: 'open', count: open },
      { key: 'moved-on', count: Math.max(0, stage.entered - lost - open) },
    ];
    let x = left;
    const segments = parts.map((part) => {
      const w = stage.entered > 0 ? (part.count / stage.entered) * width : 0;
      const rect = s('rect', {
        x: x.toFixed(2),
        y,
        width: w.toFixed(2),
        height: 16,
        class: `bar series-${part.key}`,
        'data-part': part.key,
        'data-value': part.count,
      });
      x += w;
      return rect;
    });
    return [
      s('text', { x: LABEL - 6, y: y + 12, 'text-anchor': 'end', class: 'chart-label' }, clip(stage.name, 18)),
      s('g', { 'data-stage': stage.stage, 'data-entered': stage.entered, 'data-width': width.toFixed(2) }, ...segments),
      s(
        'text',
        { x: WIDTH - 4, y: y + 12, 'text-anchor': 'end', class: 'chart-value' },
        `${stage.entered}${stage.skipped > 0 ? ` (+${stage.skipped} skipped)` : ''}`,
      ),
    ];
  });
  const summary = stages
    .map((stage) => `${stage.name}: entered ${stage.entered}, skipped ${stage.skipped}, lost ${stage.lost}, still open ${stage.open}`)
    .join('; ');
  return figure('funnel', 'Funnel: visits entered per stage', `Funnel. ${summary}.`, Math.max(stages.length * row + 8, 24), marks, [
    { name: 'moved on', key: 'moved-on' },
    { name: 'still open', key: 'open' },
    { name: 'lost here', key: 'lost' },
  ]);
}

/**
 * How long completed visits took: a column per range of time, as tall as the visits in it, with the
 * p50 and p90 marked in the range that holds them.
 * @param {{ name: string, title: string, bins: Array<{ fromMs: number, toMs: number | null, count: number }>, p50: number | null, p90: number | null, binLabel: (bin: { fromMs: number, toMs: number | null }) => string, format: (ms: number) => string }} chart
 */
export function distributionChart({ name, title, bins, p50, p90, binLabel, format }) {
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const height = 132;
  const base = 92;
  const column = WIDTH / bins.length;
  /** @param {number} ms */
  const xOf = (ms) => {
    const index = bins.findIndex((bin) => ms >= bin.fromMs && (bin.toMs === null || ms < bin.toMs));
    const bin = bins[index];
    const within = bin && bin.toMs !== null ? (ms - bin.fromMs) / (bin.toMs - bin.fromMs) : 0.5;
    return (index + within) * column;
  };
  const marks = bins.flatMap((bin, i) => {
    const tall = (bin.count / max) * (base - 14);
    return [
      s('rect', {
        x: (i * column + 2).toFixed(2),
        y: (base - tall).toFixed(2),
        width: (column - 4).toFixed(2),
        height: tall.toFixed(2),
        class: 'bar series-visits',
        'data-bin': binLabel(bin),
        'data-value': bin.count,
      }),
      bin.count > 0
        ? s('text', { x: i * column + column / 2, y: base - tall - 2, 'text-anchor': 'middle', class: 'chart-value' }, String(bin.count))
        : null,
      s('text', { x: i * column + column / 2, y: base + 12, 'text-anchor': 'middle', class: 'chart-label small' }, binLabel(bin)),
    ];
  });
  for (const [label, value] of /** @type {Array<[string, number | null]>} */ ([
    ['p50', p50],
    ['p90', p90],
  ])) {
    if (value === null) continue;
    const x = xOf(value).toFixed(2);
    marks.push(
      s('line', { x1: x, x2: x, y1: 4, y2: base, class: `marker marker-${label}`, 'data-marker': label, 'data-value': value }),
      s(
        'text',
        {
          x: Math.min(Math.max(Number(x), 24), WIDTH - 24),
          y: base + (label === 'p50' ? 26 : 38),
          'text-anchor': 'middle',
          class: `chart-value marker-${label}`,
        },
        `${label} ${format(value)}`,
      ),
    );
  }
  const counts = bins.map((bin) => `${binLabel(bin)}: ${bin.count}`).join(', ');
  const marked = [p50 !== null ? `p50 ${format(p50)}` : 'no p50 yet', p90 !== null ? `p90 ${format(p90)}` : ''].filter(Boolean).join(', ');
  return figure(name, title, `${title}. Visits by time taken: ${counts}; ${marked}.`, height, marks);
}

/**
 * Rates week by week: a line per series over the weeks, 0% at the bottom and 100% at the top.
 * @param {{ name: string, title: string, weeks: string[], series: Array<{ name: string, key: string, values: Array<number | null> }> }} chart
 */
export function rateChart({ name, title, weeks, series }) {
  const height = 110;
  const top = 8;
  const base = 84;
  const left = 34;
  const step = weeks.length > 1 ? (WIDTH - left - 10) / (weeks.length - 1) : 0;
  /** @param {number} rate */
  const yOf = (rate) => base - rate * (base - top);
  const marks = [
    ...[0, 0.5, 1].map((rate) => s('line', { x1: left, x2: WIDTH - 6, y1: yOf(rate), y2: yOf(rate), class: 'gridline' })),
    ...[0, 0.5, 1].map((rate) =>
      s('text', { x: left - 4, y: yOf(rate) + 3, 'text-anchor': 'end', class: 'chart-label small' }, `${rate * 100}%`),
    ),
    ...weeks.map((week, i) =>
      i === 0 || i === weeks.length - 1 || weeks.length <= 6
        ? s('text', { x: left + i * step, y: base + 14, 'text-anchor': 'middle', class: 'chart-label small' }, week.slice(5))
        : null,
    ),
  ].filter((mark) => mark !== null);
  for (const entry of series) {
    const points = entry.values.map((value, i) => (value === null ? null : { x: left + i * step, y: yOf(value), value, week: weeks[i] }));
    const drawn = /** @type {Array<{ x: number, y: number, value: number, week: string }>} */ (points.filter((point) => point !== null));
    if (drawn.length > 1)
      marks.push(
        s('polyline', { points: drawn.map((p) => `${p.x.toFixed(2)},${p.y.toFixed(2)}`).join(' '), class: `line series-${entry.key}` }),
      );
    marks.push(
      ...drawn.map((point) =>
        s('circle', {
          cx: point.x.toFixed(2),
          cy: point.y.toFixed(2),
          r: 3,
          class: `dot series-${entry.key}`,
          'data-series': entry.key,
          'data-week': point.week,
          'data-value': point.value,
        }),
      ),
    );
  }
  const percent = (/** @type {number | null} */ value) => (value === null ? 'none ended' : `${Math.round(value * 100)}%`);
  const summary = weeks
    .map((week, i) => `week of ${week}: ${series.map((entry) => `${entry.name} ${percent(entry.values[i])}`).join(', ')}`)
    .join('; ');
  return figure(name, title, `${title}. ${summary || 'No week has ended visits yet.'}.`, height, marks, series);
}
