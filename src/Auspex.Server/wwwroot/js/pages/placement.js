// Placement: ask where a deployment would go (POST /api/v1/placements, dry run: nothing is recorded) and see why —
// every score plugin's score and reason for the best candidates, and the filters that ruled hosts out. The answer is
// asked again after every loop tick.
import { $, api, esc, pct, heat, table, badge, failure, unavailable, heatmap, loadHeatmap, onTick, throttled, time, ApiError } from '../core.js';

const UNITS = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4 };
/** "1Gi", "512Mi", "2G", "1073741824" → bytes; NaN when unreadable. */
export function bytes(text) {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([kmgt]i?)?b?\s*$/i.exec(text);
  return m ? Number(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()] : 1) : NaN;
}

export default async function placementPage(view) {
  await loadHeatmap().catch(() => {});
  let components = [];
  try { components = await api('/api/v1/components'); } catch { /* the form works without it */ }
  view.innerHTML = `<section class="page-head"><h2>Placement</h2><div class="muted">Where would a deployment go now, and why? A dry run: asking records nothing.</div></section>
    <div class="cols">
      <section class="card"><h3>Deployment</h3>
        <form id="pl-form" class="form">
          <label for="pl-comp">like component</label><select id="pl-comp"><option value="">(a new one)</option>${components.map((c) => `<option>${esc(c.id)}</option>`).join('')}</select>
          <label for="pl-cpu">CPU per replica (cores)</label><input id="pl-cpu" type="number" min="0.01" step="0.01" value="0.5">
          <label for="pl-mem">memory per replica</label><input id="pl-mem" value="1Gi">
          <label for="pl-rep">replicas</label><input id="pl-rep" type="number" min="1" max="100" value="3" required>
          <label for="pl-spread">spread over</label><select id="pl-spread"><option value="">no constraint</option><option>zone</option><option>rack</option><option>host</option></select>
          <label for="pl-life">runs for (hours)</label><input id="pl-life" type="number" min="0.1" step="0.1" value="1">
          <span></span><button type="submit" class="primary" id="pl-ask">Where would it go?</button>
        </form>
        <div class="muted small">With a component chosen, its requests are used unless you change CPU or memory.</div></section>
      <section class="card wide"><h3>Answer</h3><div id="pl-out" class="muted">Fill in the deployment and ask.</div></section>
    </div>
    <section class="card"><h3>Candidates for the first replica</h3><div id="pl-cands" class="muted">—</div></section>`;
  let touched = false;
  $('#pl-cpu', view).addEventListener('input', () => { touched = true; });
  $('#pl-mem', view).addEventListener('input', () => { touched = true; });
  $('#pl-form', view).addEventListener('submit', async (e) => {
    e.preventDefault();
    const comp = $('#pl-comp', view).value;
    const mem = bytes($('#pl-mem', view).value);
    const out = $('#pl-out', view);
    if (!comp || touched) {
      if (!(mem > 0)) { out.innerHTML = `<div class="error">memory: '${esc($('#pl-mem', view).value)}' is not a size such as 512Mi or 2Gi</div>`; return; }
    }
    const body = {
      ...(comp ? { component: comp } : { service: 'dashboard-ask' }),
      ...(!comp || touched ? { requests: { cpu: +$('#pl-cpu', view).value, memory: mem } } : {}),
      replicas: +$('#pl-rep', view).value, lifetimeHours: +$('#pl-life', view).value, candidates: 10, dryRun: true,
      ...($('#pl-spread', view).value ? { spreadOver: $('#pl-spread', view).value } : {}),
    };
    out.innerHTML = '<span class="muted">asking…</span>';
    asked = body;
    await ask(body);
  });
  // Live: the last question is asked again after every loop tick (at most every 5 s), as the fleet's scores move.
  let asked = null, seq = 0;
  const ask = async (body) => {
    const mine = ++seq;
    const out = $('#pl-out', view);
    try {
      const [r] = await Promise.all([api('/api/v1/placements', { method: 'POST', body }), loadHeatmap().catch(() => {})]);
      if (mine !== seq) return;
      out.classList.remove('muted');
      out.innerHTML = answerHtml(r) + `<div class="muted small" id="pl-asof">as of the loop's clock ${esc(time(heatmap.status?.now))} · asked again after every tick</div>`;
      $('#pl-cands', view).classList.remove('muted');
      $('#pl-cands', view).innerHTML = candidatesHtml(r);
    } catch (err) {
      if (mine !== seq) return;
      out.innerHTML = err instanceof ApiError && err.missing ? unavailable('Placement', err) : failure('a placement', err);
    }
    view.dataset.answered = String((+view.dataset.answered || 0) + 1);
  };
  const off = onTick(throttled(async () => { if (asked) await ask(asked); }, 5000));
  view.dataset.ready = 'true';
  return () => { off(); seq++; };
}

function hostChip(h) {
  const l = heatmap.byId.get(h);
  return `<a class="chip" href="#/locality/${encodeURIComponent(h)}" style="background:${heat(l?.score?.desirability)}">${esc(h)}</a>`;
}

function answerHtml(r) {
  return `<div>${r.feasible ? badge('feasible', 'good') : badge('not placeable', 'bad')} ${r.dryRun ? badge('dry run', 'info') : ''}
      <span class="muted">decision ${esc(r.id)} · ${r.feasibleHosts} hosts fit, ${r.rejectedHosts} ruled out</span></div>
    ${table(r.replicas, [
    { h: 'replica', f: (x) => esc(x.replica), cls: 'n' },
    { h: 'host', f: (x) => (x.host ? hostChip(x.host) : badge('none', 'bad')) },
    { h: 'score', f: (x) => (x.score == null ? '—' : x.score.toFixed(1)), cls: 'n' },
    { h: 'why', f: (x) => `${esc(x.explanation)}${x.reasons?.length ? `<div class="muted small">${x.reasons.map(esc).join('<br>')}</div>` : ''}` },
  ], 'id="pl-replicas"')}
    ${r.rejections?.length ? `<h3>Ruled out</h3><div class="muted small">${r.rejections.slice(0, 12).map(esc).join('<br>')}${r.rejections.length > 12 ? `<br>… and ${r.rejections.length - 12} more` : ''}</div>` : ''}`;
}

function candidatesHtml(r) {
  const plugins = Object.keys(r.weights || {});
  if (!r.candidates?.length) return '<span class="muted">No feasible candidate.</span>';
  return table(r.candidates, [
    { h: '#', f: (c) => esc(c.rank), cls: 'n' },
    { h: 'host', f: (c) => hostChip(c.host) },
    { h: 'total', f: (c) => `<b>${c.total.toFixed(1)}</b>`, cls: 'n' },
    ...plugins.map((p) => ({ h: `${p} ×${r.weights[p]}`, f: (c) => { const s = c.plugins.find((x) => x.plugin === p); return s ? `<span title="${esc(s.reason)}">${s.normalized.toFixed(0)}</span>` : '—'; }, cls: 'n' })),
    { h: 'reasons', f: (c) => `<span class="muted small">${c.plugins.map((s) => `${esc(s.plugin)}: ${esc(s.reason)}`).join('<br>')}</span>` },
  ], 'id="pl-candidates"');
}
