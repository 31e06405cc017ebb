// Forecasts: pick a series; see its chosen model, the cross-validation table the choice came from, and the forecast's
// intervals against the actuals (with the share of actuals that fell inside each band).
import { $, api, esc, num, pct, time, onTick, throttled, failure, unavailable, table, fleet, loadFleet, ApiError } from '../core.js';
import { fanChart, disposeCharts } from '../charts.js';
import { HOST_METRICS } from './locality.js';

/** Where the forecasting engine publishes a series' model choice and its cross-validation table. */
export const MODEL_API = (selector) => `/api/v1/forecasts/models?match=${encodeURIComponent(selector)}`;

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
    try {
      const all = await api(MODEL_API(selector));
      const m = all[0];
      if (!m) { $('#fc-model', view).textContent = 'The engine has not chosen a model for this series yet.'; $('#fc-cv', view).textContent = ''; return; }
      const kv = [
        ['status', m.status], ['why', m.reason], ['selected', (m.selected || []).join(', ')], ['seasons (steps)', (m.seasons || []).join(', ') || 'none'],
        ['step', `${m.stepSeconds} s`], ['horizon', `${m.horizon} steps`], ['back-test MAE', m.backtestMae == null ? '—' : num(m.backtestMae)],
        ['live MAE', m.liveMae == null ? '—' : `${num(m.liveMae)} over ${m.liveForecastsScored} forecasts`],
        ['last retrain', m.lastRetrain ? `${time(m.lastRetrain)} (${m.retrainReason ?? ''})` : '—'], ['retrains', m.retrains],
      ];
      $('#fc-model', view).classList.remove('muted');
      $('#fc-model', view).innerHTML = `<div class="big" style="font-size:22px;color:var(--text)" id="fc-chosen">${esc(m.model)}</div>
        <table class="grid">${kv.map(([k, v]) => `<tr><td class="muted">${esc(k)}</td><td>${esc(v ?? '')}</td></tr>`).join('')}</table>`;
      const cands = (m.candidates || []).slice().sort((a, b) => a.rank - b.rank);
      const origins = [...new Set(cands.flatMap((c) => (c.windows || []).map((w) => w.origin)))].sort((a, b) => a - b);
      $('#fc-cv', view).classList.remove('muted');
      $('#fc-cv', view).innerHTML = cands.length ? table(cands, [
        { h: 'rank', f: (c) => esc(c.rank), cls: 'n' },
        { h: 'model', f: (c) => `${esc(c.model)}${c.model === m.model ? ' ✓' : ''}` },
        { h: 'mean MAE', f: (c) => (c.meanMae == null ? '—' : num(c.meanMae)), cls: 'n' },
        { h: 'mean sMAPE', f: (c) => (c.meanSmape == null ? '—' : `${num(c.meanSmape)}`), cls: 'n' },
        ...origins.map((o, i) => ({ h: `window ${i + 1} MAE`, f: (c) => { const w = (c.windows || []).find((x) => x.origin === o); return w ? (w.mae == null ? `<span class="muted" title="${esc(w.failure ?? '')}">failed</span>` : num(w.mae)) : '—'; }, cls: 'n' })),
        { h: 'note', f: (c) => `<span class="muted">${esc(c.failure ?? '')}</span>` },
      ], 'id="cv-table"') + '<div class="muted small">Rolling-origin cross-validation on the series\' history: each window fits on the data before its origin and scores the next horizon; lower is better.</div>'
        : '<span class="muted">The engine kept no cross-validation table for this series.</span>';
      for (const tr of $('#fc-cv', view).querySelectorAll('tbody tr')) if (tr.children[1].textContent.endsWith('✓')) tr.classList.add('best');
    } catch (e) {
      const msg = e instanceof ApiError && e.missing ? unavailable('The model-selection report', e) : failure('the model selection', e);
      $('#fc-model', view).innerHTML = f ? `<div class="big" style="font-size:22px;color:var(--text)" id="fc-chosen">${esc(f.model)}</div><div class="muted">the model of the latest forecast (GET /api/v1/forecasts)</div>` : 'No forecast yet.';
      $('#fc-cv', view).innerHTML = msg;
    }
  };
  const refresh = throttled(async () => { const f = await draw(); await model(f); view.dataset.ready = 'true'; }, 3000);
  await refresh();
  const off = onTick(refresh);
  return () => { off(); disposeCharts(); };
}
