// What-if: scale the traffic and the scaling factor, fail a host or a rack, open a maintenance window; see the predicted
// effect on the live and the shadow infrastructure (POST /api/v1/whatif — evaluates, changes nothing).
import { $, api, esc, pct, table, badge, failure, unavailable, fleet, loadFleet, ApiError } from '../core.js';
import { renderShadowScene, keyHtml, pickHtml } from './shadow.js';

/** Normalises a what-if answer to { baseline, scenario } shadows keyed by locality. */
export function normalise(r) {
  const norm = (s) => {
    if (!s?.nodes) return null;
    const nodes = new Map();
    for (const n of s.nodes) nodes.set(n.id, { id: n.id, kind: n.kind, parent: n.parent, live: n.liveUtilisation ?? n.live, predicted: n.predictedUtilisation ?? n.predicted, level: String(n.level ?? 'ok').toLowerCase(), desirability: n.desirability });
    return { nodes, queue: s.queue ?? [], quantile: s.quantile ?? 0.9, horizonSeconds: s.horizonSeconds ?? 3600, warning: s.warningUtilisation ?? 0.8, critical: s.criticalUtilisation ?? 0.95, at: s.at };
  };
  return { baseline: norm(r.baseline ?? r.live ?? r.before), scenario: norm(r.scenario ?? r.shadow ?? r.after ?? r), summary: r.summary ?? r.explanation ?? null };
}

export default async function whatifPage(view) {
  await loadFleet().catch(() => {});
  const hosts = fleet.localities.filter((l) => l.kind === 'host').map((l) => l.id).sort();
  const racks = fleet.localities.filter((l) => l.kind === 'rack').map((l) => l.id).sort();
  view.innerHTML = `<section class="page-head"><h2>What-if</h2><div class="muted">Move a control and the shadow is re-predicted; nothing in the fleet changes.</div></section>
    <div class="cols">
      <section class="card"><h3>Scenario</h3><form id="wi-form" class="form">
        <label for="wi-traffic">traffic load</label><div class="slider"><input id="wi-traffic" type="range" min="0.5" max="3" step="0.05" value="1"><output id="wi-traffic-v">×1.00</output></div>
        <label for="wi-scale">scaling factor</label><div class="slider"><input id="wi-scale" type="range" min="0.5" max="3" step="0.05" value="1"><output id="wi-scale-v">×1.00</output></div>
        <label><input id="wi-fail-host-on" type="checkbox"> fail a host</label><select id="wi-fail-host">${hosts.map((h) => `<option>${esc(h)}</option>`).join('')}</select>
        <label><input id="wi-fail-rack-on" type="checkbox"> fail a rack</label><select id="wi-fail-rack">${racks.map((h) => `<option>${esc(h)}</option>`).join('')}</select>
        <label><input id="wi-maint-on" type="checkbox"> maintenance window</label><div class="slider"><select id="wi-maint">${racks.concat(hosts).map((h) => `<option>${esc(h)}</option>`).join('')}</select><input id="wi-maint-h" type="number" min="0.25" max="48" step="0.25" value="2" style="width:70px"> h</div>
      </form><div id="wi-summary" class="muted" style="margin-top:10px"></div></section>
      <section class="card wide"><h3>Predicted effect</h3><div id="wi-key"></div>
        <div class="stage" id="wi-stage" style="height:420px"><div class="pick" id="wi-pick" hidden></div></div></section>
    </div>
    <section class="card"><h3>Changes against today's prediction</h3><div id="wi-changes" class="muted">…</div></section>`;
  let scene = null, current = null, seq = 0, timer = null;
  const body = () => ({
    traffic: +$('#wi-traffic', view).value, scaling: +$('#wi-scale', view).value,
    failHosts: $('#wi-fail-host-on', view).checked ? [$('#wi-fail-host', view).value] : [],
    failRacks: $('#wi-fail-rack-on', view).checked ? [$('#wi-fail-rack', view).value] : [],
    maintenance: $('#wi-maint-on', view).checked ? [{ locality: $('#wi-maint', view).value, hours: +$('#wi-maint-h', view).value }] : [],
  });
  const run = async () => {
    const mine = ++seq;
    $('#wi-traffic-v', view).textContent = `×${(+$('#wi-traffic', view).value).toFixed(2)}`;
    $('#wi-scale-v', view).textContent = `×${(+$('#wi-scale', view).value).toFixed(2)}`;
    let r;
    try { r = await api('/api/v1/whatif', { method: 'POST', body: body() }); } catch (e) {
      if (mine !== seq) return;
      const html = e instanceof ApiError && e.missing ? unavailable('What-if analysis', e) : failure('the what-if', e);
      $('#wi-changes', view).innerHTML = html;
      $('#wi-stage', view).innerHTML = html;
      view.dataset.ready = 'true';
      return;
    }
    if (mine !== seq) return;
    const { baseline, scenario, summary } = normalise(r);
    current = scenario;
    $('#wi-summary', view).textContent = typeof summary === 'string' ? summary : '';
    $('#wi-key', view).innerHTML = keyHtml(scenario);
    if (scene) scene.dispose();
    scene = renderShadowScene($('#wi-stage', view), scenario, (h, click) => {
      const el = $('#wi-pick', view);
      if (!h) { el.hidden = true; return; }
      if (click) { location.hash = `#/locality/${encodeURIComponent(h.id)}`; return; }
      el.hidden = false; el.innerHTML = pickHtml(current, h.id);
    });
    const rows = [...scenario.nodes.values()].filter((n) => n.kind === 'host').map((n) => ({ n, b: baseline?.nodes.get(n.id) }))
      .filter(({ n, b }) => !b || Math.abs((n.predicted ?? 0) - (b.predicted ?? 0)) > 0.005 || n.level !== b.level)
      .sort((x, y) => (y.n.predicted ?? 0) - (x.n.predicted ?? 0));
    $('#wi-changes', view).classList.remove('muted');
    $('#wi-changes', view).innerHTML = rows.length ? table(rows, [
      { h: 'host', f: ({ n }) => esc(n.id) },
      { h: 'live', f: ({ n }) => pct(n.live), cls: 'n' },
      { h: 'shadow now', f: ({ b }) => pct(b?.predicted), cls: 'n' },
      { h: 'shadow in this scenario', f: ({ n }) => pct(n.predicted), cls: 'n' },
      { h: 'level', f: ({ n, b }) => `${b ? badge(b.level) + ' → ' : ''}${badge(n.level, n.level === 'critical' ? 'bad' : n.level === 'warning' ? 'warn' : 'good')}` },
    ], 'id="wi-table"') : '<span class="muted">No host changes in this scenario.</span>';
    view.dataset.ready = 'true';
    view.dataset.scenario = JSON.stringify(body());
  };
  $('#wi-form', view).addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 350); });
  await run();
  return () => { clearTimeout(timer); seq++; scene?.dispose(); };
}
