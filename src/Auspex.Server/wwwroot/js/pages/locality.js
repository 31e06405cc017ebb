// One locality: its score and parts, forecasts as fan charts, score history, components and their Health Projection Scores.
import { $, api, esc, pct, num, heat, fleet, loadFleet, onTick, throttled, failure, unavailable, table, ApiError } from '../core.js';
import { fanChart, lineChart, disposeCharts } from '../charts.js';
import { partsHtml } from './parts.js';

export const HOST_METRICS = [
  ['auspex_host_cpu_used_cores', 'CPU used (cores)'],
  ['auspex_host_memory_used_bytes', 'memory used'],
  ['auspex_host_network_receive_bytes_per_second', 'network in'],
  ['auspex_host_network_transmit_bytes_per_second', 'network out'],
];

/** Hosts at or under a locality. */
function hostsUnder(id) {
  const out = [];
  const walk = (p) => { for (const l of fleet.localities) if (l.parent === p) { if (l.kind === 'host') out.push(l.id); else walk(l.id); } };
  const self = fleet.byId.get(id);
  if (self?.kind === 'host') return [id];
  walk(id);
  return out;
}

/** The Health Projection Score as 0..1 (the API gives 0–100, lower = riskier; null before the first tick). */
const hpsOf = (c) => (c.hps == null ? null : c.hps / 100);

export default async function localityPage(view, { arg: id }) {
  await loadFleet();
  const l = fleet.byId.get(id);
  if (!l) {
    view.innerHTML = `<div class="error">No locality has id '${esc(id)}'. <a href="#/heatmap">Back to the heatmap</a></div>`;
    return undefined;
  }
  const path = [];
  for (let p = l; p; p = p.parent ? fleet.byId.get(p.parent) : null) path.unshift(p);
  view.innerHTML = `<section class="page-head">
      <div class="crumbs"><a href="#/heatmap">Heatmap</a> ${path.map((p) => `› <a href="#/locality/${encodeURIComponent(p.id)}">${esc(p.id)}</a>`).join(' ')}</div>
      <h2 id="loc-title"><span class="swatch" id="loc-swatch"></span>${esc(l.kind)} ${esc(l.id)} <span id="loc-score" class="big"></span></h2>
      <div class="muted">${l.tier ? `tier ${esc(l.tier)} · ` : ''}${Object.entries(l.labels || {}).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' · ')}</div>
    </section>
    <div class="cols">
      <section class="card"><h3>Score parts</h3><div id="loc-parts"></div>
        <h3>Capacity</h3>${table(Object.entries(l.capacity || {}), [{ h: 'resource', f: (r) => esc(r[0]) }, { h: 'capacity', f: (r) => num(r[1], /memory/.test(r[0]) ? 'B' : /network|throughput/.test(r[0]) ? 'B/s' : ''), cls: 'n' }])}
        <h3>Children</h3><div id="loc-children"></div></section>
      <section class="card wide"><h3>Score history</h3><div id="loc-history" class="echart"></div>
        <h3>Forecasts <span class="muted small">actuals, forecast mean, 80% and 95% intervals</span></h3><div id="charts" class="fans"></div></section>
    </div>
    <section class="card"><h3>Components here and their Health Projection Scores</h3><div id="loc-components" class="muted">loading…</div></section>`;

  const paintScore = () => {
    const cur = fleet.byId.get(id);
    $('#loc-score', view).textContent = pct(cur?.score?.desirability);
    $('#loc-swatch', view).style.backgroundColor = heat(cur?.score?.desirability);
    $('#loc-parts', view).innerHTML = partsHtml(cur?.score);
    const kids = fleet.localities.filter((k) => k.parent === id);
    $('#loc-children', view).innerHTML = kids.length
      ? `<div class="chips">${kids.map((k) => `<a class="chip" href="#/locality/${encodeURIComponent(k.id)}" style="background:${heat(k.score?.desirability)}">${esc(k.id)} ${pct(k.score?.desirability)}</a>`).join('')}</div>`
      : '<span class="muted">none</span>';
  };
  paintScore();

  const loadHistory = async () => {
    const hist = await api(`/api/v1/localities/${encodeURIComponent(id)}/scores`);
    const parts = [...new Set(hist.flatMap((h) => Object.keys(h.parts || {})))];
    const colours = { capacity: '#f4a261', risk: '#e76f51', cost: '#2a9d8f', proximity: '#8ab4f8' };
    disposeIn($('#loc-history', view));
    lineChart($('#loc-history', view), {
      title: `${hist.length} scores`, percent: true, yMax: 1,
      series: [{ name: 'desirability', points: hist.map((h) => [Date.parse(h.at), h.desirability]), color: '#d8dee6', width: 2 },
        ...parts.map((p) => ({ name: p, points: hist.map((h) => [Date.parse(h.at), h.parts[p]]), color: colours[p], dashed: true }))],
    });
  };

  const loadForecasts = async () => {
    const hosts = hostsUnder(id);
    const status = fleet.status;
    const to = Date.parse(status.now) / 1000;
    const out = $('#charts', view);
    if (l.kind !== 'host') {
      out.innerHTML = `<div class="muted">Forecasts are per host: open one of the ${hosts.length} hosts below ${esc(id)}.</div>`;
      return;
    }
    const boxes = [];
    for (const [m, title] of HOST_METRICS) {
      const sel = encodeURIComponent(`${m}{host="${id}"}`);
      const forecasts = await api(`/api/v1/forecasts?match=${sel}`);
      // 12 h of actuals before the forecast was issued, through its last step: the bands against what happened.
      const f = forecasts[0];
      const last = f ? Date.parse(f.points.at(-1)?.at ?? f.issuedAt) / 1000 : to;
      const from = (f ? Date.parse(f.issuedAt) / 1000 : to) - 12 * 3600;
      const actual = await api(`/api/v1/series/query?match=${sel}&from=${from}&to=${Math.min(to, last + 3600)}&resolution=raw`);
      if (actual.length || forecasts.length) boxes.push({ m, title, actual: actual[0], forecast: forecasts[0] });
    }
    disposeIn($('#charts', view));
    out.innerHTML = boxes.length ? boxes.map((b, i) => `<div class="echart fan" id="fan-${i}" data-metric="${esc(b.m)}" data-has-forecast="${b.forecast ? 'true' : 'false'}"></div>`).join('') : '<div class="muted">No series for this host.</div>';
    boxes.forEach((b, i) => fanChart($(`#fan-${i}`, view), { title: b.title, metric: b.m, actual: b.actual, forecast: b.forecast }));
  };

  const loadComponents = async () => {
    const hosts = new Set(hostsUnder(id));
    try {
      const comps = await api('/api/v1/components');
      const here = comps.filter((c) => (c.placement || c.hosts || []).some((h) => hosts.has(typeof h === 'string' ? h : h.host)));
      $('#loc-components', view).innerHTML = here.length
        ? table(here, [
          { h: 'component', f: (c) => esc(c.id) },
          { h: 'service', f: (c) => esc(c.service ?? '') },
          { h: 'replicas', f: (c) => esc(c.replicas ?? ''), cls: 'n' },
          { h: 'placed on', f: (c) => (c.placement || c.hosts || []).map((h) => { const hid = typeof h === 'string' ? h : h.host; return `<a href="#/locality/${encodeURIComponent(hid)}">${esc(hid)}</a>`; }).join(' ') },
          { h: 'Health Projection Score', f: (c) => { const v = hpsOf(c); return v == null ? '—' : `<span class="pill" style="background:${heat(v)}" data-hps="${c.hps}">${Math.round(c.hps)}</span>`; }, cls: 'n' },
          { h: 'P(failure)', f: (c) => (c.probability == null ? '—' : pct(c.probability)), cls: 'n' },
          { h: 'why', f: (c) => `<span class="muted small">${(c.reasons || []).map(esc).join('<br>')}</span>` },
        ], 'id="components-table"')
        : `<span class="muted">No component is placed under ${esc(id)}.</span>`;
    } catch (e) {
      $('#loc-components', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('The components API', e) : failure('the components', e);
    }
  };

  const guard = (f, where) => f().catch((e) => { $(where, view).innerHTML = failure(where.slice(1), e); });
  await Promise.all([guard(loadHistory, '#loc-history'), guard(loadForecasts, '#charts'), loadComponents()]);
  view.dataset.ready = 'true';

  const refresh = throttled(async () => {
    try { await loadFleet(); } catch { return; }
    paintScore();
  }, 1500);
  const off = onTick(refresh);
  return () => { off(); disposeCharts(); };
}

function disposeIn(root) {
  if (!root) return;
  for (const el of [root, ...root.querySelectorAll('[_echarts_instance_]')]) {
    // eslint-disable-next-line no-undef
    const c = echarts.getInstanceByDom(el);
    if (c) c.dispose();
  }
}
