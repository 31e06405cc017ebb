// Overview: fleet health, firing alerts, pending and running actions; all live.
import { $, api, esc, pct, heat, fleet, heatmap, loadHeatmap, onTick, throttled, failure, unavailable, table, badge, ago, time, ApiError } from '../core.js';
import { buildHeatmap, paintHeatmap } from './heatmap.js';

/** An alert's target (locality, component, or locality/resource) linked to its locality when it is one. */
export function targetLink(t) {
  const id = String(t ?? '').split('/')[0];
  return fleet.byId.has(id) || heatmap.byId.has(id) ? `<a href="#/locality/${encodeURIComponent(id)}">${esc(t)}</a>` : esc(t ?? '');
}

const list = (x) => (Array.isArray(x) ? x : x?.items ?? x?.alerts ?? x?.plans ?? []);

export default async function overviewPage(view) {
  view.innerHTML = `<section class="page-head"><h2>Overview</h2><div class="muted">The fleet now and what Auspex is about to do.</div></section>
    <div id="kpis" class="kpis"></div>
    <div class="cols">
      <section class="card"><h3>Fleet health</h3><div id="ov-bands"></div><div id="ov-mini" class="heatmap mini"></div></section>
      <section class="card"><h3>Worst hosts</h3><div id="ov-worst"></div></section>
    </div>
    <div class="cols">
      <section class="card"><h3>Firing alerts <a class="more" href="#/alerts">all alerts ›</a></h3><div id="ov-alerts" class="muted">loading…</div></section>
      <section class="card"><h3>Pending and running actions <a class="more" href="#/plans">all plans ›</a></h3><div id="ov-actions" class="muted">loading…</div></section>
    </div>
    <section class="card"><h3>Scaling ahead <span class="muted small" id="ov-scaling-mode"></span></h3><div id="ov-scaling" class="muted">loading…</div></section>`;
  let ids = '';

  const fleetPart = async () => {
    await loadHeatmap();
    const s = heatmap.status;
    const hosts = heatmap.localities.filter((l) => l.kind === 'host');
    const scored = hosts.filter((h) => h.score);
    const mean = scored.length ? scored.reduce((a, h) => a + h.score.desirability, 0) / scored.length : null;
    const bands = [['below 30%', (d) => d < 0.3, 0.15], ['30–60%', (d) => d >= 0.3 && d < 0.6, 0.45], ['60% and up', (d) => d >= 0.6, 0.85]]
      .map(([n, f, c]) => ({ n, c, k: scored.filter((h) => f(h.score.desirability)).length }));
    $('#kpis', view).innerHTML = `
      <div class="kpi"><b style="color:${heat(mean)}">${pct(mean)}</b><span>mean host desirability</span></div>
      <div class="kpi"><b>${hosts.length}</b><span>hosts (${scored.length} scored)</span></div>
      <div class="kpi"><b>${bands[0].k}</b><span>hosts below 30%</span></div>
      <div class="kpi"><b>${s.ticks}</b><span>loop ticks · ${s.failures} failed</span></div>
      <div class="kpi"><b>${s.lastTickMilliseconds == null ? '—' : Math.round(s.lastTickMilliseconds) + ' ms'}</b><span>last tick · ${s.lastForecasts} forecasts</span></div>`;
    $('#ov-bands', view).innerHTML = `<div class="bands">${bands.map((b) => `<div class="band" style="flex:${Math.max(b.k, 0.001)};background:${heat(b.c)}" title="${b.k} hosts ${b.n}">${b.k || ''}</div>`).join('')}</div>
      <div class="key">${bands.map((b) => `<span><i style="background:${heat(b.c)}"></i>${b.k} host${b.k === 1 ? '' : 's'} ${esc(b.n)}</span>`).join('')}</div>
      ${s.lastError ? `<div class="error">last tick failed: ${esc(s.lastError)}</div>` : ''}`;
    const now = heatmap.localities.map((l) => l.id).join('|');
    if (now !== ids) { buildHeatmap($('#ov-mini', view), heatmap.localities); ids = now; } else paintHeatmap($('#ov-mini', view), heatmap.byId);
    const worst = scored.slice().sort((a, b) => a.score.desirability - b.score.desirability).slice(0, 8);
    $('#ov-worst', view).innerHTML = table(worst, [
      { h: 'host', f: (h) => `<a href="#/locality/${encodeURIComponent(h.id)}">${esc(h.id)}</a>` },
      { h: 'rack', f: (h) => esc(h.parent) },
      { h: 'score', f: (h) => `<span class="pill" style="background:${heat(h.score.desirability)}">${pct(h.score.desirability)}</span>`, cls: 'n' },
      { h: 'weakest part', f: (h) => { const [p, v] = Object.entries(h.score.parts).sort((a, b) => a[1] - b[1])[0] || []; return p ? `${esc(p)} ${pct(v)}` : '—'; } },
    ]);
  };

  const alertsPart = async () => {
    try {
      const alerts = list(await api('/api/v1/alerts'));
      const firing = alerts.filter((a) => (a.state || '').toLowerCase() === 'firing');
      $('#ov-alerts', view).innerHTML = firing.length
        ? table(firing, [
          { h: 'alert', f: (a) => `<b>${esc(a.name)}</b>${a.silenced ? ' ' + badge('silenced', 'info') : ''}<div class="muted small">${esc(a.annotations?.summary ?? '')}</div>` },
          { h: 'on', f: (a) => targetLink(a.target) },
          { h: 'since', f: (a) => esc(ago(a.since, fleet.status?.now)) },
          { h: '', f: (a) => badge(a.severity ?? 'firing', a.severity === 'critical' ? 'bad' : 'warn') },
        ], 'id="ov-firing"')
        : `<span class="ok">No alert is firing</span> <span class="muted">(${alerts.length} alert${alerts.length === 1 ? '' : 's'} known)</span>`;
    } catch (e) {
      $('#ov-alerts', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('Alerting', e) : failure('the alerts', e);
    }
  };

  const actionsPart = async () => {
    try {
      const plans = list(await api('/api/v1/plans'));
      const open = plans.filter((p) => ['awaitingApproval', 'approved', 'running', 'rollingBack'].includes(p.status));
      $('#ov-actions', view).innerHTML = open.length
        ? table(open, [
          { h: 'plan', f: (p) => `<a href="#/plans/${encodeURIComponent(p.id)}">${esc(p.title ?? p.id)}</a>` },
          { h: 'kind', f: (p) => esc(p.kind ?? '') },
          { h: 'state', f: (p) => badge(String(p.status).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), /running|rollingBack/.test(p.status) ? 'warn' : 'info') },
          { h: 'steps', f: (p) => `${p.completed}/${p.total}`, cls: 'n' },
          { h: 'submitted', f: (p) => esc(time(p.submittedAt)) },
        ], 'id="ov-plans"')
        : `<span class="ok">Nothing pending or running</span> <span class="muted">(${plans.length} plan${plans.length === 1 ? '' : 's'} in history)</span>`;
    } catch (e) {
      $('#ov-actions', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('Plans', e) : failure('the plans', e);
    }
  };

  // The loop's scaling stage: the latest decision per component (tier mix, demand covered, lead time, why).
  const mix = (m) => Object.entries(m ?? {}).filter(([, n]) => n > 0).map(([t, n]) => `${esc(t)} ×${n}`).join(', ') || '—';
  const scalingPart = async () => {
    try {
      const r = await api('/api/v1/scaling/decisions?limit=500');
      $('#ov-scaling-mode', view).textContent = `mode ${r.mode} · executor ${r.executor} · tiers ${(r.tiers ?? []).join(', ')}`;
      const latest = new Map();
      for (const d of r.decisions ?? []) if (!latest.has(d.component)) latest.set(d.component, d);
      const rows = [...latest.values()].sort((a, b) => a.component.localeCompare(b.component));
      const kind = (o) => (o === 'scaleOut' ? 'warn' : o === 'scaleIn' ? 'info' : /infeasible|invalid/.test(o) ? 'bad' : 'ok');
      $('#ov-scaling', view).innerHTML = rows.length
        ? table(rows, [
          { h: 'component', f: (d) => esc(d.component) },
          { h: 'decision', f: (d) => badge(String(d.outcome).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), kind(d.outcome)) + (d.executed ? '' : ' <span class="muted small">not executed</span>') },
          { h: 'now', f: (d) => mix(d.current) },
          { h: 'target tier mix', f: (d) => mix(d.tierMix) },
          { h: `demand covered`, f: (d) => `${(d.requiredCapacity ?? 0).toFixed(1)} replicas at q${d.quantile}`, cls: 'n' },
          { h: 'demand from', f: (d) => d.demandKind === 'component' ? `<span class="small">${esc(d.demandSeries)}</span>` : d.demandKind === 'hostShare' ? `<span class="small" title="${esc(d.demandFallback ?? '')}">host CPU share</span>` : '<span class="muted small">none</span>' },
          { h: 'peak at', f: (d) => esc(time(d.peakAt)) },
          { h: 'cost / h', f: (d) => `${(d.currentCostPerHour ?? 0).toFixed(2)} → ${(d.targetCostPerHour ?? 0).toFixed(2)}`, cls: 'n' },
          { h: 'why', f: (d) => `<span class="small">${esc(d.reason ?? '')}${d.demandFallback ? ` <span class="muted">Demand: ${esc(d.demandFallback)}.</span>` : ''}</span>` },
        ], 'id="ov-scaling-table"')
        : `<span class="muted">No scaling decision yet${r.mode === 'off' ? ': the scaling stage is off (orchestration.scaling.mode in the configuration)' : ''}.</span>`;
    } catch (e) {
      $('#ov-scaling', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('Scaling', e) : failure('the scaling decisions', e);
    }
  };

  const refresh = throttled(async () => {
    try { await fleetPart(); } catch (e) { $('#kpis', view).innerHTML = failure('the fleet', e); }
    await Promise.all([alertsPart(), actionsPart(), scalingPart()]);
    view.dataset.ready = 'true';
  }, 1000);
  await refresh();
  const off = onTick(refresh);
  return off;
}
