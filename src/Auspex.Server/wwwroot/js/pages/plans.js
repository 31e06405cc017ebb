// Plans: migration and scaling plans with their diff; approve or reject (operator), progress, rollback.
import { $, api, esc, time, onTick, throttled, failure, unavailable, table, badge, can, ApiError } from '../core.js';

const list = (x) => (Array.isArray(x) ? x : x?.items ?? x?.plans ?? []);
const st = (p) => String(p.state ?? p.status ?? '').toLowerCase();
const kindOf = (s) => ({ succeeded: 'good', completed: 'good', done: 'good', applied: 'good', failed: 'bad', rejected: 'bad', rolledback: 'warn', running: 'warn', executing: 'warn', pending: 'info', proposed: 'info' }[s] || '');

function stepText(s) {
  if (typeof s === 'string') return esc(s);
  if (s.description || s.summary) return esc(s.description ?? s.summary);
  const k = s.kind ?? s.type ?? '';
  if (s.from && s.to) return `<span class="mv">${esc(k || 'move')} ${esc(s.component ?? '')} ${esc(s.from)} → ${esc(s.to)}</span>`;
  return esc([k, ...Object.entries(s).filter(([key, v]) => !['kind', 'type', 'state', 'status', 'detail'].includes(key) && typeof v !== 'object').map(([key, v]) => `${key}=${v}`)].join(' '));
}

export function diffHtml(p) {
  const d = p.diff;
  if (!d) return '';
  if (typeof d === 'string') return `<pre class="diff">${esc(d).split('\n').map((l) => (l.startsWith('+') ? `<span class="add">${l}</span>` : l.startsWith('-') ? `<span class="del">${l}</span>` : l)).join('\n')}</pre>`;
  const rows = Array.isArray(d) ? d : Object.entries(d).map(([k, v]) => ({ key: k, ...(typeof v === 'object' ? v : { value: v }) }));
  return `<table class="grid diff">${rows.map((r) => `<tr><td>${esc(r.key ?? r.component ?? r.target ?? r.tier ?? '')}</td><td class="del">${esc(r.from ?? r.before ?? '')}</td><td>→</td><td class="add">${esc(r.to ?? r.after ?? '')}</td></tr>`).join('')}</table>`;
}

export default async function plansPage(view, { arg }) {
  view.innerHTML = `<section class="page-head"><h2>Plans</h2><div class="muted">Migration and scaling plans: what would change, approval, progress, rollback.</div>
    <div class="role-note" data-for="operator">Log in with an operator key to approve, reject or roll back.</div></section>
    <div id="plans" class="muted">loading…</div>`;
  const refresh = throttled(async () => {
    let plans;
    try { plans = list(await api('/api/v1/plans')); } catch (e) {
      $('#plans', view).innerHTML = e instanceof ApiError && e.missing ? unavailable('Plans', e) : failure('the plans', e);
      view.dataset.ready = 'true';
      return;
    }
    $('#plans', view).classList.remove('muted');
    $('#plans', view).innerHTML = plans.length ? plans.map((p) => {
      const s = st(p);
      const steps = p.steps ?? [];
      const done = steps.filter((x) => /done|succeeded|completed|applied/i.test(x.state ?? x.status ?? '')).length;
      const progress = p.progress ?? (steps.length ? done / steps.length : s === 'succeeded' || s === 'completed' ? 1 : 0);
      return `<section class="card plan" data-plan-id="${esc(p.id)}" ${arg === p.id ? 'style="outline:1px solid var(--accent)"' : ''}>
        <h3>${esc(p.kind ?? p.type ?? 'plan')} ${esc(p.id)} ${badge(s || 'unknown', kindOf(s))} <span class="muted small">${esc(time(p.createdAt ?? p.created))}</span></h3>
        <div class="muted">${esc(p.reason ?? p.summary ?? p.description ?? '')}</div>
        <div class="slider"><div class="progress" style="flex:1"><i style="width:${(progress * 100).toFixed(0)}%"></i></div><output>${Math.round(progress * 100)}%</output></div>
        ${diffHtml(p)}
        ${steps.length ? `<ol class="steps">${steps.map((x) => `<li>${stepText(x)} ${x.state || x.status ? badge(x.state ?? x.status, kindOf(String(x.state ?? x.status).toLowerCase())) : ''}${x.detail ? ` <span class="muted">${esc(x.detail)}</span>` : ''}</li>`).join('')}</ol>` : ''}
        <div class="actions" data-needs-role="operator">
          ${/pending|proposed|awaiting/.test(s) ? `<button class="primary" data-act="approve">Approve</button><button class="danger" data-act="reject">Reject</button>` : ''}
          ${/succeeded|completed|applied|failed|running|executing/.test(s) ? '<button data-act="rollback">Roll back</button>' : ''}
        </div><div class="plan-msg"></div></section>`;
    }).join('') : '<span class="muted">No plans yet: the planner proposes one when a move or a scaling step pays off.</span>';
    view.dataset.ready = 'true';
  }, 1200);
  view.addEventListener('click', async (e) => {
    const b = e.target.closest('button[data-act]');
    if (!b || !can('operator')) return;
    const card = b.closest('[data-plan-id]');
    b.disabled = true;
    try {
      await api(`/api/v1/plans/${encodeURIComponent(card.dataset.planId)}/${b.dataset.act}`, { method: 'POST', body: {} });
      refresh();
    } catch (err) {
      card.querySelector('.plan-msg').innerHTML = `<div class="error">${esc(err.message)}</div>`;
      b.disabled = false;
    }
  });
  await refresh();
  return onTick(refresh);
}
