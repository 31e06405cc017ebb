// Placement: ask where a deployment would go (POST /api/v1/placements, nothing is changed) and see why.
import { $, api, esc, pct, num, heat, table, failure, unavailable, fleet, loadFleet, ApiError } from '../core.js';

export default async function placementPage(view) {
  await loadFleet().catch(() => {});
  view.innerHTML = `<section class="page-head"><h2>Placement</h2><div class="muted">Where would a deployment go now, and why? Asking changes nothing.</div></section>
    <div class="cols">
      <section class="card"><h3>Deployment</h3>
        <form id="pl-form" class="form">
          <label for="pl-name">name</label><input id="pl-name" value="checkout" required>
          <label for="pl-cpu">CPU per replica (cores)</label><input id="pl-cpu" type="number" min="0.01" step="0.01" value="0.5" required>
          <label for="pl-mem">memory per replica</label><input id="pl-mem" value="1Gi" required>
          <label for="pl-rep">replicas</label><input id="pl-rep" type="number" min="1" max="1000" value="3" required>
          <label for="pl-spread">spread over</label><select id="pl-spread"><option value="">no constraint</option><option>zone</option><option>rack</option><option>host</option></select>
          <span></span><button type="submit" class="primary" id="pl-ask">Where would it go?</button>
        </form></section>
      <section class="card wide"><h3>Answer</h3><div id="pl-out" class="muted">Fill in the deployment and ask.</div></section>
    </div>`;
  $('#pl-form', view).addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: $('#pl-name', view).value.trim(), replicas: +$('#pl-rep', view).value,
      requests: { cpu: +$('#pl-cpu', view).value, memory: $('#pl-mem', view).value.trim() },
      ...($('#pl-spread', view).value ? { spread: $('#pl-spread', view).value } : {}),
    };
    const out = $('#pl-out', view);
    out.innerHTML = '<span class="muted">asking…</span>';
    try {
      const r = await api('/api/v1/placements', { method: 'POST', body });
      out.classList.remove('muted');
      out.innerHTML = renderAnswer(r);
    } catch (err) {
      out.innerHTML = err instanceof ApiError && err.missing ? unavailable('Placement', err) : failure('a placement', err);
    }
    view.dataset.answered = 'true';
  });
  view.dataset.ready = 'true';
  return undefined;
}

function renderAnswer(r) {
  const chosen = r.placements ?? r.assignments ?? r.hosts ?? r.chosen ?? [];
  const cands = r.candidates ?? r.ranking ?? r.scores ?? [];
  const hostOf = (x) => (typeof x === 'string' ? x : x.host ?? x.locality ?? x.node ?? x.id);
  const why = r.explanation ?? r.reason ?? r.why ?? '';
  return `${r.feasible === false || r.infeasible ? `<div class="error">Not placeable: ${esc(r.reason ?? r.error ?? '')}</div>` : ''}
    ${why ? `<p>${esc(why)}</p>` : ''}
    ${chosen.length ? `<h3>Chosen</h3><div class="chips" id="pl-chosen">${chosen.map((c) => { const h = hostOf(c); const l = fleet.byId.get(h); return `<a class="chip" href="#/locality/${encodeURIComponent(h)}" style="background:${heat(l?.score?.desirability)}">${esc(h)}${c.replicas ? ` ×${esc(c.replicas)}` : ''}</a>`; }).join('')}</div>` : ''}
    ${cands.length ? `<h3>Candidates</h3>${table(cands.slice(0, 20), [
    { h: 'locality', f: (c) => esc(hostOf(c)) },
    { h: 'score', f: (c) => (c.score == null ? '—' : esc(num(c.score))), cls: 'n' },
    { h: 'desirability', f: (c) => pct(c.desirability ?? fleet.byId.get(hostOf(c))?.score?.desirability) , cls: 'n' },
    { h: 'why', f: (c) => `<span class="muted">${esc(c.reason ?? c.why ?? (c.reasons || []).join('; ') ?? '')}</span>` },
  ], 'id="pl-candidates"')}` : ''}
    ${r.objective != null ? `<div class="muted">objective ${esc(num(r.objective))}${r.solver ? ` · ${esc(r.solver)}` : ''}</div>` : ''}`;
}
