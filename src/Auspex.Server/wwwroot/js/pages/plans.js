// Plans: migration and scaling plans with their diff; approve or reject (operator), progress, rollback.
import { $, api, esc, num, time, onTick, throttled, failure, unavailable, badge, can, ApiError } from '../core.js';

export const STATUS_KIND = {
  awaitingApproval: 'info', approved: 'info', running: 'warn', rollingBack: 'warn', succeeded: 'good', rolledBack: 'warn', rejected: 'bad', failed: 'bad',
  pending: '', waiting: 'info', done: 'good', undone: 'warn',
};
const words = (s) => String(s ?? '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function diffHtml(d) {
  if (!d) return '';
  // Classify each raw line first, then escape it: escaping first would turn '->' into '-&gt;'.
  const cls = (l) => (/^\s*\+/.test(l) ? 'add' : /^\s*-/.test(l) ? 'del' : /→|->/.test(l) ? 'mv' : '');
  return `<pre class="diff">${String(d).split('\n').map((l) => (cls(l) ? `<span class="${cls(l)}">${esc(l)}</span>` : esc(l))).join('\n')}</pre>`;
}

function planHtml(detail, focus) {
  const s = detail.summary;
  const progress = s.total ? s.completed / s.total : 0;
  return `<section class="card plan" data-plan-id="${esc(s.id)}" data-status="${esc(s.status)}" ${focus ? 'style="outline:1px solid var(--accent)"' : ''}>
    <h3>${badge(s.kind, 'info')} ${esc(s.title)} ${badge(words(s.status), STATUS_KIND[s.status] ?? '')}
      <span class="muted small">${esc(s.id)} · by ${esc(s.createdBy)}${s.approvedBy ? ` · approved by ${esc(s.approvedBy)}` : ''} · ${esc(time(s.submittedAt))} · on ${esc(s.executor)}</span></h3>
    ${s.reason ? `<div class="muted">${esc(s.reason)}</div>` : ''}
    <div class="slider"><div class="progress" style="flex:1"><i style="width:${(progress * 100).toFixed(0)}%"></i></div><output>${s.completed}/${s.total}</output></div>
    ${(detail.phases || []).map((p) => `<div class="phase"><b>${esc(p.name)}</b>${p.isCanary ? ' ' + badge('canary', 'warn') : ''}
      <ol class="steps">${p.steps.map((x) => `<li>${badge(x.kind)} ${esc(x.description)} ${badge(words(x.state), STATUS_KIND[x.state] ?? '')}${x.detail ? ` <span class="muted small">${esc(x.detail)}</span>` : ''}${diffHtml(x.diff)}</li>`).join('')}</ol></div>`).join('')}
    <div class="actions" data-needs-role="operator">
      ${s.status === 'awaitingApproval' ? '<button class="primary" data-act="approve">Approve</button><button class="danger" data-act="reject">Reject</button>' : ''}
      ${['running', 'succeeded', 'failed'].includes(s.status) ? '<button data-act="rollback">Roll back</button>' : ''}
    </div><div class="plan-msg"></div></section>`;
}

export default async function plansPage(view, { arg }) {
  view.innerHTML = `<section class="page-head"><h2>Plans</h2><div class="muted">Migration and scaling plans: what each step changes, approval, progress, rollback.</div>
    <div class="role-note" data-for="operator">Log in with an operator key to approve, reject or roll back.</div></section>
    <section class="card"><h3>Footprint assessment <span class="muted small">(the placement planner, GET /api/v1/placements/plan)</span></h3><div id="pl-assess" class="muted">loading…</div></section>
    <section class="card" id="pl-global"><h3>Global placement <span class="muted small">(the whole fleet re-packed within a time limit, POST /api/v1/placements/global)</span></h3>
      <div class="actions"><button id="pl-global-run">Plan (dry run, 5 s)</button><button id="pl-global-submit" data-needs-role="operator" hidden>Submit for approval</button></div>
      <div id="pl-global-out" class="muted">Not computed yet: a dry run changes nothing.</div></section>
    <div id="plans" class="muted">loading…</div>`;
  const assess = async () => {
    try {
      const a = await api('/api/v1/placements/plan');
      $('#pl-assess', view).classList.remove('muted');
      $('#pl-assess', view).innerHTML = `${a.actionRequired ? badge('migration advised', 'warn') : badge('no move needed', 'good')}
        discrepancy <b>${num(a.discrepancy)}</b> (a plan is made above ${num(a.threshold)})${a.id ? ` · plan ${esc(a.id)}` : ''}
        ${(a.notes || []).length ? `<div class="muted small">${a.notes.map(esc).join('<br>')}</div>` : ''}`;
    } catch (e) {
      $('#pl-assess', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('The placement planner', e) : failure('the footprint assessment', e);
    }
  };
  const globalPlan = async (submit) => {
    const out = $('#pl-global-out', view);
    out.innerHTML = 'planning… (up to 5 s)';
    try {
      const g = await api('/api/v1/placements/global', { method: 'POST', body: { timeLimitSeconds: 5, submit } });
      const p = g.planned;
      const head = p
        ? `${g.changes ? badge(`${g.diff.length} change(s)`, 'warn') : badge('no change', 'good')} hosts <b>${g.current.hostsUsed} → ${p.hostsUsed}</b>
          · objective ${num(g.current.objective)} → ${num(p.objective)} · <b>${num(g.gap * 100)}%</b> above the lower bound ${num(g.lowerBound)}
          · overloaded host-slots ${g.current.overloadedHostSlots} → ${p.overloadedHostSlots} · ${esc(g.solver)} in ${num(g.elapsedSeconds)} s${g.submitted ? ` · ${badge('submitted', 'info')} ${esc(g.id)}` : ''}`
        : `${badge(g.status, 'bad')} ${(g.notes || []).map(esc).join('; ')}`;
      const lines = (g.diff || []).slice(0, 30).map((d) => (d.kind === 'move' ? `~ ${d.component}: ${d.from} → ${d.to}` : d.kind === 'add' ? `+ ${d.component}: ${d.to}` : `- ${d.component}: ${d.from}`));
      out.classList.remove('muted');
      out.dataset.planId = g.id;
      const dem = g.demand || [];
      const fromForecast = dem.filter((d) => d.source === 'forecast');
      const rising = fromForecast.filter((d) => d.slotsAboveRequest > 0);
      const note = g.boundNote ? `<div class="small" id="pl-global-bound-note">${badge('weak bound', 'info')} ${esc(g.boundNote)}</div>` : '';
      const demandLine = `<div class="muted small" id="pl-global-demand">demand: ${fromForecast.length} component(s) from forecasts, ${dem.length - fromForecast.length} from requests${rising.length ? ` · above requests: ${rising.slice(0, 8).map((d) => `${esc(d.component)} (peak ${num(d.peakCpuPerReplica)} > ${num(d.requestCpu)} cpu)`).join(', ')}` : ''}</div>`;
      out.innerHTML = `${head}${note}${demandLine}<div class="muted small">progress: ${(g.progress || []).map((x) => `${num(x.elapsedSeconds)} s ${x.hostsUsed} hosts`).join(' · ')}</div>`
        + (lines.length ? diffHtml(lines.join('\n') + ((g.diff.length > 30) ? `\n… ${g.diff.length - 30} more` : '')) : '');
      $('#pl-global-submit', view).hidden = !(g.changes && can('operator'));
      if (g.submitted) refresh();
    } catch (e) {
      out.innerHTML = failure('the global plan', e);
    }
  };
  $('#pl-global-run', view).addEventListener('click', () => globalPlan(false));
  $('#pl-global-submit', view).addEventListener('click', () => globalPlan(true));
  const refresh = throttled(async () => {
    await assess();
    let list;
    try { list = await api('/api/v1/plans'); } catch (e) {
      $('#plans', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('Plans', e) : failure('the plans', e);
      view.dataset.ready = 'true';
      return;
    }
    const recent = list.slice().sort((a, b) => Date.parse(b.submittedAt) - Date.parse(a.submittedAt)).slice(0, 20);
    const details = await Promise.all(recent.map((p) => api(`/api/v1/plans/${encodeURIComponent(p.id)}`).catch(() => ({ summary: p, phases: [] }))));
    $('#plans', view).classList.remove('muted');
    $('#plans', view).innerHTML = details.length ? details.map((d) => planHtml(d, d.summary.id === arg)).join('')
      + (list.length > recent.length ? `<div class="muted">${list.length - recent.length} older plans not shown.</div>` : '')
      : '<div class="card muted">No plans yet: one is proposed when a migration or a scaling step pays off, or submitted with POST /api/v1/plans.</div>';
    view.dataset.ready = 'true';
  }, 1200);
  view.addEventListener('click', async (e) => {
    const b = e.target.closest('button[data-act]');
    if (!b || !can('operator')) return;
    const card = b.closest('[data-plan-id]');
    b.disabled = true;
    try {
      const body = b.dataset.act === 'reject' ? { reason: 'rejected in the console' } : {};
      await api(`/api/v1/plans/${encodeURIComponent(card.dataset.planId)}/${b.dataset.act}`, { method: 'POST', body });
      refresh();
    } catch (err) {
      card.querySelector('.plan-msg').innerHTML = `<div class="error">${esc(err.message)}</div>`;
      b.disabled = false;
    }
  });
  await refresh();
  return onTick(refresh);
}
