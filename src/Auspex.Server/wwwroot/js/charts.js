// ECharts helpers: fan charts (forecast quantile bands over the actuals) and plain time series.
/* global echarts */
import { num } from './core.js';

// ECharts (715 KB) is loaded by the pages that draw charts, when they are first opened, not by every page: the
// heatmap and the overview do not need it. A module importing this one waits until it has loaded.
await new Promise((resolve, reject) => {
  if (window.echarts) { resolve(); return; }
  const s = document.createElement('script');
  s.src = '/ui/lib/echarts/echarts.common.min.js';
  s.onload = resolve;
  s.onerror = () => reject(new Error('could not load /ui/lib/echarts/echarts.common.min.js'));
  document.head.appendChild(s);
});

const AXIS = { axisLine: { lineStyle: { color: '#2a323c' } }, axisLabel: { color: '#8a96a3', fontSize: 10 }, splitLine: { lineStyle: { color: '#1e252d' } } };
const charts = new Set();

/** Creates a chart in el (disposed by disposeCharts); resizes with the window. */
export function chart(el) {
  const c = echarts.init(el, null, { renderer: 'canvas' });
  charts.add(c);
  return c;
}
export function disposeCharts() { for (const c of charts) c.dispose(); charts.clear(); }
window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

const unitOf = (metric) => (/bytes_per_second/.test(metric) ? 'B/s' : /bytes/.test(metric) ? 'B' : '');

/**
 * A fan chart: actuals as a line, the forecast's mean, and its quantile bands (80 % between q0.1 and q0.9, 95 % between
 * q0.025 and q0.975) as stacked areas, so the band widens with the horizon exactly as the model says.
 */
export function fanChart(el, { title, metric, actual, forecast }) {
  const c = chart(el);
  const unit = unitOf(metric || title || '');
  const f = forecast ? forecast.points : [];
  const q = (p, k) => p.quantiles?.[k] ?? p.mean;
  const t = (p) => Date.parse(p.at);
  const band = (lo, hi, name, color) => [
    { name: `${name} low`, type: 'line', stack: name, data: f.map((p) => [t(p), q(p, lo)]), lineStyle: { opacity: 0 }, symbol: 'none', silent: true, tooltip: { show: false } },
    { name, type: 'line', stack: name, data: f.map((p) => [t(p), q(p, hi) - q(p, lo)]), lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color }, silent: true },
  ];
  c.setOption({
    animation: false,
    title: { text: title, textStyle: { color: '#d8dee6', fontSize: 12, fontWeight: 600 }, left: 4, top: 2,
      subtext: forecast ? `${forecast.model} · issued ${new Date(forecast.issuedAt).toISOString().slice(0, 16)}Z` : 'no forecast yet', subtextStyle: { color: '#8a96a3', fontSize: 10 } },
    grid: { left: 56, right: 12, top: 44, bottom: 24 },
    tooltip: { trigger: 'axis', backgroundColor: '#0b0f13f0', borderColor: '#2a323c', textStyle: { color: '#d8dee6', fontSize: 11 },
      valueFormatter: (v) => num(v, unit) },
    legend: { show: false },
    xAxis: { type: 'time', ...AXIS },
    yAxis: { type: 'value', scale: false, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v) => num(v, unit) } },
    series: [
      ...band('0.025', '0.975', '95% interval', 'rgba(92,200,255,0.16)'),
      ...band('0.1', '0.9', '80% interval', 'rgba(92,200,255,0.32)'),
      { name: 'actual', type: 'line', data: actual ? actual.points : [], symbol: 'none', lineStyle: { color: '#d8dee6', width: 1.2 } },
      { name: 'forecast mean', type: 'line', data: f.map((p) => [t(p), p.mean]), symbol: 'none', lineStyle: { color: '#5cc8ff', width: 1.6, type: 'dashed' } },
    ],
  });
  return c;
}

/** Lines over time: series = [{name, points: [[ms, v]], color}]. */
export function lineChart(el, { title, series, yMax, unit = '', percent = false }) {
  const c = chart(el);
  const fmt = percent ? (v) => `${Math.round(v * 100)}%` : (v) => num(v, unit);
  c.setOption({
    animation: false,
    title: { text: title, textStyle: { color: '#d8dee6', fontSize: 12, fontWeight: 600 }, left: 4, top: 2 },
    grid: { left: 48, right: 12, top: 44, bottom: 24 },
    tooltip: { trigger: 'axis', backgroundColor: '#0b0f13f0', borderColor: '#2a323c', textStyle: { color: '#d8dee6', fontSize: 11 }, valueFormatter: fmt },
    legend: { top: 20, right: 8, textStyle: { color: '#8a96a3', fontSize: 10 }, itemHeight: 8 },
    xAxis: { type: 'time', ...AXIS },
    yAxis: { type: 'value', max: yMax, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: fmt } },
    series: series.map((s) => ({ name: s.name, type: 'line', data: s.points, symbol: 'none', lineStyle: { width: s.width ?? 1.2, color: s.color, type: s.dashed ? 'dashed' : 'solid' }, itemStyle: { color: s.color } })),
  });
  return c;
}
