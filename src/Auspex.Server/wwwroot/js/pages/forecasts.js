// Forecasts: pick a series; see its chosen model, the cross-validation table the choice came from, and the forecast's
// intervals against the actuals (with the share of actuals that fell inside each band).
import { $, api, esc, num, pct, time, onTick, throttled, failure, unavailable, table, fleet, loadFleet, ApiError } from '../core.js';
import { fanChart, disposeCharts } from '../charts.js';
import { HOST_METRICS } from './locality.js';

/** Where the forecasting engine publishes a series' model choice and CV table. */
export const MODEL_API = (series) => `/api/v1/forecasts/model?series=${encodeURIComponent(series)}`;

/** Share of actual points inside [lo, hi] of the forecast step they fall in. */
export function coverage(actual, forecast, lo, hi) {
  if (!actual || !forecast?.points?.length) return null;
  const step = forecast.stepSeconds * 1000;
  let inside = 0, n = 0;
  for (const p of forecast.points) {
    const t = Date.parse(p.at);
    const a = actual.points.find((x) => Math.abs(x[0] - t) <= step / 2);
    if (!a) continue;
    n++;
    if (a[1] >= (p.quantiles[lo] ?? p.mean) && a[1] <= (p.quantiles[hi] ?? p.mean)) inside++;
  }
  return n ? { inside, n } : null;
}

export default async function forecastsPage(view, { params }) {
  await loadFleet();
  const hosts = fleet.localities.filter((l) => l.kind === 'host').map((l) => l.id).sort();
  const metric = params.get('metric') || HOST_METRICS[0][0];
  const host = params.get('host') || hosts[0];
  view.innerHTML = `<section class="page-head"><h2>Forecasts</h2>
      <div class="actions">
        <label>metric <select id="fc-metric">${HOST_METRICS.map(([m, t]) => `<option value="${m}" ${m === metric ? 'selected' : ''}>${esc(t)} (${esc(m)})</option>`).join('')}</select></label>
        <label>host <select id="fc-host">${hosts.map((h) => `<option ${h === host ? 'selected' : ''}>${esc(h)}</option>`).join('')}</select></label>
      </div></section>
    <div class="cols">
      <section class="card wide"><h3 id="fc-title">Forecast against actuals</h3><div id="fc-chart" class="echart" style="height:340px"></div><div id="fc-cover" class="muted"></div></section>
      <section class="card"><h3>Chosen model</h3><div id="fc-model" class="muted">loading…</div></section>
    </div>
    <section class="card"><h3>Cross-validation</h3><div id="fc-cv" class="muted">loading…</div></section>`;
  const go = () => { location.hash = `#/forecasts?metric=${encodeURIComponent($('#fc-metric', view).value)}&host=${encodeURIComponent($('#fc-host', view).value)}`; };
  $('#fc-metric', view).addEventListener('change', go);
  $('#fc-host', view).addEventListener('change', go);

  const selector = `${metric}{host="${host}"}`;
  const draw = async () => {
    try {
      const [forecasts, status] = await Promise.all([api(`/api/v1/forecasts?match=${encodeURIComponent(selector)}`), api('/api/v1/status')]);
      const f = forecasts[0];
      // The window: 12 h of history before the forecast was issued, through its last step (plus a little after).
      const last = f ? Date.parse(f.points.at(-1)?.at ?? f.issuedAt) : Date.parse(status.now);
      const end = Math.min(Date.parse(status.now), last + 3600_000) / 1000;
      const from = (f ? Date.parse(f.issuedAt) / 1000 : end) - 12 * 3600;
      const actual = (await api(`/api/v1/series/query?match=${encodeURIComponent(selector)}&from=${from}&to=${end}&resolution=raw`))[0];
      disposeCharts();
      fanChart($('#fc-chart', view), { title: `${metric} on ${host}`, metric, actual, forecast: f });
      const c80 = coverage(actual, f, '0.1', '0.9'), c95 = coverage(actual, f, '0.025', '0.975');
      $('#fc-cover', view).innerHTML = f
        ? (c80 ? `Actuals inside the 80% interval: <b>${c80.inside}/${c80.n}</b> (${pct(c80.inside / c80.n)}); inside the 95% interval: <b>${c95.inside}/${c95.n}</b> (${pct(c95.inside / c95.n)}) — of the forecast steps that have happened.`
          : `No actuals yet for the forecast's ${f.points.length} steps (issued ${esc(time(f.issuedAt))}); they appear as the loop's clock passes them.`)
        : 'No forecast for this series yet.';
      $('#fc-chart', view).dataset.model = f?.model ?? '';
      return f;
    } catch (e) {
      $('#fc-cover', view).innerHTML = failure('the forecast', e);
      return null;
    }
  };
  const model = async (f) => {
    const sid = f?.series;
    if (!sid) { $('#fc-model', view).textContent = 'No forecast yet.'; $('#fc-cv', view).textContent = ''; return; }
    try {
      const m = await api(MODEL_API(sid));
      const rows = m.candidates ?? m.cv ?? m.table ?? [];
      const chosen = m.model ?? m.chosen ?? f.model;
      $('#fc-model', view).innerHTML = `<div class="big" style="font-size:22px;color:var(--text)" id="fc-chosen">${esc(chosen)}</div>
        <div class="muted">${esc(m.reason ?? m.why ?? '')}</div>
        <table class="grid">${Object.entries(m).filter(([k, v]) => v != null && typeof v !== 'object' && !['model', 'chosen', 'reason', 'why'].includes(k)).map(([k, v]) => `<tr><td class="muted">${esc(k)}</td><td>${esc(typeof v === 'number' ? num(v) : v)}</td></tr>`).join('')}</table>`;
      const metrics = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'number')))];
      $('#fc-cv', view).innerHTML = rows.length ? table(rows, [
        { h: 'model', f: (r) => `${esc(r.model ?? r.name)}${(r.model ?? r.name) === chosen ? ' ✓' : ''}` },
        ...metrics.map((k) => ({ h: k, f: (r) => esc(r[k] == null ? '—' : num(r[k])), cls: 'n' })),
        { h: 'note', f: (r) => `<span class="muted">${esc(r.error ?? r.note ?? '')}</span>` },
      ], 'id="cv-table"') : '<span class="muted">The engine kept no cross-validation table for this series.</span>';
      for (const tr of $('#fc-cv', view).querySelectorAll('tbody tr')) if (tr.firstElementChild.textContent.endsWith('✓')) tr.classList.add('best');
    } catch (e) {
      const msg = e instanceof ApiError && e.missing ? unavailable('The model-selection report', e) : failure('the model selection', e);
      $('#fc-model', view).innerHTML = `<div class="big" style="font-size:22px;color:var(--text)" id="fc-chosen">${esc(f.model)}</div><div class="muted">the model of the latest forecast (GET /api/v1/forecasts)</div>`;
      $('#fc-cv', view).innerHTML = msg;
    }
  };
  const refresh = throttled(async () => { const f = await draw(); await model(f); view.dataset.ready = 'true'; }, 3000);
  await refresh();
  const off = onTick(refresh);
  return () => { off(); disposeCharts(); };
}
