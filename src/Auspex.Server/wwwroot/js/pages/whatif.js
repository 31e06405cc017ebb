// What-if: scale the traffic and the fleet, fail a host or a rack, open a maintenance window; see the predicted effect
// on the live and the shadow infrastructure (POST /api/v1/whatif: evaluates on a copy, changes nothing); evaluated
// again after every loop tick, so the effect follows the fleet.
import { $, api, esc, pct, num, table, badge, failure, unavailable, fleet, heatmap, loadHeatmap, onTick, throttled, ApiError } from '../core.js';
import { renderShadowScene, keyHtml, pickHtml } from './shadow.js';

const level = (u, warning, critical) => (u == null ? 'ok' : u >= critical ? 'critical' : u >= warning ? 'warning' : 'ok');

/** The scenario as a shadow the 3D view draws: live and predicted utilisation per locality, failed hosts marked. */
export function scenarioShadow(r, thresholds) {
  const nodes = new Map();
  for (const l of r.localities) {
    const base = heatmap.byId.get(l.id);
    const s = l.scenario || {};
    nodes.set(l.id, { id: l.id, kind: l.kind, parent: base?.parent ?? null, failed: !!l.failed, live: s.liveUtilisation, predicted: s.shadowUtilisation,
      level: l.failed ? 'ok' : level(s.shadowUtilisation, thresholds.warning, thresholds.critical), desirability: s.desirability });
  }
  // Keep the topology's shape even if the answer lists only some localities.
  for (const l of heatmap.localities) if (!nodes.has(l.id)) nodes.set(l.id, { id: l.id, kind: l.kind, parent: l.parent, live: null, predicted: null, level: 'ok', desirability: l.score?.desirability ?? null });
  return { nodes, queue: [], quantile: thresholds.quantile, horizonSeconds: thresholds.horizonSeconds, warning: thresholds.warning, critical: thresholds.critical, at: r.at };
}

const SUMMARY_ROWS = [
  ['meanDesirability', 'mean desirability', pct], ['minDesirability', 'lowest desirability', pct], ['peakUtilisation', 'peak utilisation', pct],
  ['warning', 'hosts at warning', (v) => esc(v)], ['critical', 'hosts critical', (v) => esc(v)], ['costPerHour', 'cost per hour', (v) => num(v)],
  ['sloViolations', 'SLOs violated', (v) => esc(v)],
];

export default async function whatifPage(view) {
  await loadHeatmap().catch(() => {});
  const hosts = heatmap.localities.filter((l) => l.kind === 'host').map((l) => l.id).sort();
  const racks = heatmap.localities.filter((l) => l.kind === 'rack').map((l) => l.id).sort();
  // Thresholds, quantile and horizon of the loop's shadow (defaults when the server has none).
  const thresholds = { warning: 0.8, critical: 0.95, quantile: 0.9, horizonSeconds: 3600 };
  try {
    const sh = await api('/api/v1/shadow');
    Object.assign(thresholds, { warning: sh.warningUtilisation, critical: sh.criticalUtilisation, quantile: sh.quantile, horizonSeconds: sh.horizonSeconds });
  } catch { /* defaults */ }
  view.innerHTML = `<section class="page-head"><h2>What-if</h2><div class="muted">Move a control and the live and shadow infrastructure are re-predicted on a copy; nothing in the fleet changes.</div></section>
    <div class="cols">
      <section class="card"><h3>Scenario</h3><form id="wi-form" class="form">
        <label for="wi-traffic">traffic load</label><div class="slider"><input id="wi-traffic" type="range" min="0.5" max="3" step="0.05" value="1"><output id="wi-traffic-v">×1.00</output></div>
        <label for="wi-scale">scaling factor</label><div class="slider"><input id="wi-scale" type="range" min="0.5" max="3" step="0.05" value="1"><output id="wi-scale-v">×1.00</output></div>
        <label><input id="wi-fail-host-on" type="checkbox"> fail a host</label><select id="wi-fail-host">${hosts.map((h) => `<option>${esc(h)}</option>`).join('')}</select>
        <label><input id="wi-fail-rack-on" type="checkbox"> fail a rack</label><select id="wi-fail-rack">${racks.map((h) => `<option>${esc(h)}</option>`).join('')}</select>
        <label><input id="wi-maint-on" type="checkbox"> maintenance window</label><div class="slider"><select id="wi-maint">${racks.concat(hosts).map((h) => `<option>${esc(h)}</option>`).join('')}</select><input id="wi-maint-h" type="number" min="0.25" max="48" step="0.25" value="2" style="width:70px"> h from now</div>
      </form>
      <h3>Effect</h3><div id="wi-summary" class="muted">…</div><div id="wi-notes" class="muted small"></div></section>
      <section class="card wide"><h3>The scenario in 3D</h3><div id="wi-key"></div>
        <div class="stage" id="wi-stage" style="height:440px"><div class="pick" id="wi-pick" hidden></div></div></section>
    </div>
    <section class="card"><h3>Localities that change</h3><div id="wi-changes" class="muted">…</div></section>`;
  let scene = null, current = null, seq = 0, timer = null;
  const body = () => {
    const now = Date.parse(fleet.status?.now ?? new Date(0).toISOString());
    const fail = [];
    if ($('#wi-fail-host-on', view).checked) fail.push($('#wi-fail-host', view).value);
    if ($('#wi-fail-rack-on', view).checked) fail.push($('#wi-fail-rack', view).value);
    return {
      trafficMultiplier: +$('#wi-traffic', view).value, scalingFactor: +$('#wi-scale', view).value, fail,
      maintenance: $('#wi-maint-on', view).checked
        ? [{ locality: $('#wi-maint', view).value, from: new Date(now).toISOString(), to: new Date(now + $('#wi-maint-h', view).value * 3600_000).toISOString() }] : [],
    };
  };
  const run = async () => {
    const mine = ++seq;
    // The scenario as sent: the page reports the one its answer is for, not whatever the form holds when it lands.
    const sent = body();
    $('#wi-traffic-v', view).textContent = `×${(+$('#wi-traffic', view).value).toFixed(2)}`;
    $('#wi-scale-v', view).textContent = `×${(+$('#wi-scale', view).value).toFixed(2)}`;
    let r;
    try {
      await loadHeatmap();
      r = await api('/api/v1/whatif', { method: 'POST', body: sent });
    } catch (e) {
      if (mine !== seq) return;
      const html = e instanceof ApiError && e.missing ? unavailable('What-if analysis', e) : failure('the what-if', e);
      $('#wi-changes', view).innerHTML = html;
      $('#wi-stage', view).innerHTML = html;
      $('#wi-summary', view).innerHTML = '';
      view.dataset.ready = 'true';
      return;
    }
    if (mine !== seq) return;
    current = scenarioShadow(r, thresholds);
    $('#wi-summary', view).classList.remove('muted');
    $('#wi-summary', view).innerHTML = `<table class="grid" id="wi-summary-table"><thead><tr><th></th><th class="n">live now</th><th class="n">live, scenario</th><th class="n">shadow now</th><th class="n">shadow, scenario</th></tr></thead><tbody>
      ${SUMMARY_ROWS.map(([k, name, f]) => `<tr data-row="${k}"><td>${esc(name)}</td><td class="n">${f(r.baseline.live[k])}</td><td class="n">${f(r.scenario.live[k])}</td><td class="n">${f(r.baseline.shadow[k])}</td><td class="n"><b>${f(r.scenario.shadow[k])}</b></td></tr>`).join('')}</tbody></table>`;
    $('#wi-notes', view).innerHTML = (r.notes || []).map(esc).join('<br>') + `<div>evaluated in ${Math.round(r.elapsedMilliseconds)} ms</div>`;
    $('#wi-key', view).innerHTML = keyHtml(current) + '<div class="key"><span><i style="background:#222;outline:1px solid #e5484d"></i>failed or down for maintenance</span></div>';
    if (scene) scene.dispose();
    scene = renderShadowScene($('#wi-stage', view), current, (h, click) => {
      const el = $('#wi-pick', view);
      if (!h) { el.hidden = true; return; }
      if (click) { location.hash = `#/locality/${encodeURIComponent(h.id)}`; return; }
      el.hidden = false; el.innerHTML = pickHtml(current, h.id);
    });
    const moved = (l) => l.failed || ['liveUtilisation', 'shadowUtilisation', 'desirability'].some((k) => Math.abs((l.scenario?.[k] ?? 0) - (l.baseline?.[k] ?? 0)) > 0.005);
    const rows = r.localities.filter(moved).sort((a, b) => (b.scenario?.shadowUtilisation ?? 0) - (a.scenario?.shadowUtilisation ?? 0));
    $('#wi-changes', view).classList.remove('muted');
    $('#wi-changes', view).innerHTML = rows.length ? table(rows, [
      { h: 'locality', f: (l) => `${esc(l.kind)} <a href="#/locality/${encodeURIComponent(l.id)}">${esc(l.id)}</a>${l.failed ? ' ' + badge('down', 'bad') : ''}` },
      { h: 'live now', f: (l) => pct(l.baseline?.liveUtilisation), cls: 'n' },
      { h: 'live, scenario', f: (l) => pct(l.scenario?.liveUtilisation), cls: 'n' },
      { h: 'shadow now', f: (l) => pct(l.baseline?.shadowUtilisation), cls: 'n' },
      { h: 'shadow, scenario', f: (l) => `<b>${pct(l.scenario?.shadowUtilisation)}</b>`, cls: 'n' },
      { h: 'desirability', f: (l) => `${pct(l.baseline?.desirability)} → ${pct(l.scenario?.desirability)}`, cls: 'n' },
      { h: 'level', f: (l) => { const v = level(l.scenario?.shadowUtilisation, thresholds.warning, thresholds.critical); return l.failed ? '' : badge(v, v === 'critical' ? 'bad' : v === 'warning' ? 'warn' : 'good'); } },
    ], 'id="wi-table"') : '<span class="muted">Nothing changes in this scenario.</span>';
    view.dataset.ready = 'true';
    view.dataset.scenario = JSON.stringify(sent);
    view.dataset.critical = String(r.scenario.shadow.critical);
  };
  // An edit makes any answer still in flight stale at once (a tick's re-run may have started before it).
  $('#wi-form', view).addEventListener('input', () => { seq++; clearTimeout(timer); timer = setTimeout(run, 350); });
  await run();
  // Live: the scenario is evaluated again on the fleet as it is after every loop tick (at most every 4 s).
  const off = onTick(throttled(async () => { await run(); view.dataset.runs = String((+view.dataset.runs || 1) + 1); }, 4000));
  return () => { off(); clearTimeout(timer); seq++; scene?.dispose(); };
}
