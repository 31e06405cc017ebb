// Alerts: rules in force, current alerts and their states, history of state changes, silences (create/expire by operators).
import { targetLink } from './overview.js';
import { $, api, esc, time, ago, onTick, throttled, failure, unavailable, table, badge, can, fleet, loadHeatmap, ApiError } from '../core.js';

const stateKind = (s) => ({ firing: 'bad', pending: 'warn', resolved: 'good' }[String(s).toLowerCase()] || '');
const secs = (s) => (s == null ? '—' : s >= 3600 ? `${+(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`);

export default async function alertsPage(view) {
  view.innerHTML = `<section class="page-head"><h2>Alerts</h2><div class="muted">Rules evaluated on every loop tick; silences stop delivery, not evaluation.</div></section>
    <section class="card"><h3>Current alerts</h3><div id="al-current" class="muted">loading…</div></section>
    <div class="cols">
      <section class="card"><h3>Rules</h3><div id="al-rules" class="muted">loading…</div></section>
      <section class="card"><h3>Silences</h3><div id="al-silences" class="muted">loading…</div>
        <form id="silence-form" class="form" data-needs-role="operator" style="margin-top:10px">
          <label for="sl-alert">alert name</label><input id="sl-alert" placeholder="any (e.g. LocalityUndesirable)">
          <label for="sl-target">locality</label><input id="sl-target" placeholder="any (e.g. rack-1-02)">
          <label for="sl-dur">duration</label><input id="sl-dur" value="2h">
          <label for="sl-comment">comment</label><input id="sl-comment" placeholder="why">
          <span></span><div class="actions"><button type="submit" class="primary" id="sl-create">Create silence</button><span id="sl-msg"></span></div>
        </form>
        <div class="role-note" data-for="operator">Log in with an operator key to create or expire silences.</div></section>
    </div>
    <section class="card"><h3>History</h3><div id="al-history" class="muted">loading…</div></section>`;

  const load = async (sel, path, render, what) => {
    try { $(sel, view).innerHTML = render(await api(path)); $(sel, view).classList.remove('muted'); return true; } catch (e) {
      $(sel, view).innerHTML = e instanceof ApiError && e.missing ? unavailable(what, e) : failure(what, e); return false;
    }
  };
  const refresh = throttled(async () => {
    if (!fleet.status) { try { await loadHeatmap(); } catch { /* shown below */ } }
    const now = fleet.status?.now;
    await Promise.all([
      load('#al-current', '/api/v1/alerts', (alerts) => (alerts.length ? table(alerts, [
        { h: 'alert', f: (a) => `<b>${esc(a.name)}</b>${a.annotations?.summary ? `<div class="muted small">${esc(a.annotations.summary)}</div>` : ''}` },
        { h: 'target', f: (a) => targetLink(a.target) },
        { h: 'state', f: (a) => badge(a.state, stateKind(a.state)) + (a.silenced ? ' ' + badge('silenced', 'info') : '') },
        { h: 'severity', f: (a) => esc(a.severity ?? '') },
        { h: 'value', f: (a) => esc(a.value == null ? '' : Number(a.value).toPrecision(3)), cls: 'n' },
        { h: 'since', f: (a) => `<span title="${esc(time(a.since))}">${esc(ago(a.since, now))}</span>` },
      ], 'id="alerts-table"') : '<span class="ok">No alert is pending or firing.</span>'), 'Alerting'),
      load('#al-rules', '/api/v1/alerts/rules', (rules) => table(rules, [
        { h: 'rule', f: (r) => `<b>${esc(r.name)}</b>` },
        { h: 'condition', f: (r) => `${esc(r.condition)} ${r.condition === 'exhaustionWithin' ? secs(r.withinSeconds) : esc(r.threshold)}${r.resolveThreshold != null ? ` <span class="muted">(resolves at ${esc(r.resolveThreshold)})</span>` : ''}` },
        { h: 'for', f: (r) => secs(r.forSeconds) },
        { h: 'severity', f: (r) => esc(r.severity) },
        { h: 'pending', f: (r) => esc(r.pending), cls: 'n' },
        { h: 'firing', f: (r) => (r.firing ? badge(r.firing, 'bad') : '0'), cls: 'n' },
      ], 'id="rules-table"'), 'Alert rules'),
      load('#al-silences', '/api/v1/silences', (sil) => (sil.length ? table(sil, [
        { h: 'matchers', f: (s) => Object.entries(s.matchers || {}).map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`).join(' ') },
        { h: 'from', f: (s) => esc(time(s.startsAt)) },
        { h: 'until', f: (s) => esc(time(s.endsAt)) + (now && Date.parse(s.endsAt) < Date.parse(now) ? ' ' + badge('expired') : '') },
        { h: 'by', f: (s) => esc(s.createdBy ?? '') },
        { h: 'comment', f: (s) => `<span class="muted">${esc(s.comment ?? '')}</span>` },
        { h: '', f: (s) => `<button class="danger small" data-needs-role="operator" data-delete-silence="${esc(s.id)}">Expire</button>` },
      ], 'id="silences-table"') : '<span class="muted">No silences.</span>'), 'Silences'),
      load('#al-history', '/api/v1/alerts/history?limit=50', (h) => (h.length ? table(h, [
        { h: 'at', f: (t) => esc(time(t.at)) },
        { h: 'alert', f: (t) => esc(t.name) },
        { h: 'target', f: (t) => esc(t.target) },
        { h: 'change', f: (t) => `${badge(t.from, stateKind(t.from))} → ${badge(t.to, stateKind(t.to))}` },
        { h: 'value', f: (t) => esc(t.value == null ? '' : Number(t.value).toPrecision(3)), cls: 'n' },
        { h: 'summary', f: (t) => `<span class="muted">${esc(t.summary ?? '')}</span>` },
      ], 'id="history-table"') : '<span class="muted">No state changes yet.</span>'), 'Alert history'),
    ]);
    view.dataset.ready = 'true';
  }, 1500);

  $('#silence-form', view).addEventListener('submit', async (e) => {
    e.preventDefault();
    const matchers = {};
    if ($('#sl-alert', view).value.trim()) matchers.alertname = $('#sl-alert', view).value.trim();
    if ($('#sl-target', view).value.trim()) matchers.locality = $('#sl-target', view).value.trim();
    const msg = $('#sl-msg', view);
    try {
      await api('/api/v1/silences', { method: 'POST', body: { matchers, duration: $('#sl-dur', view).value.trim(), comment: $('#sl-comment', view).value } });
      msg.innerHTML = '<span class="ok">created</span>';
      refresh();
    } catch (err) { msg.innerHTML = `<span class="error">${esc(err.message)}</span>`; }
  });
  view.addEventListener('click', async (e) => {
    const id = e.target.closest('[data-delete-silence]')?.dataset.deleteSilence;
    if (!id || !can('operator')) return;
    try { await api(`/api/v1/silences/${encodeURIComponent(id)}`, { method: 'DELETE' }); refresh(); } catch (err) { $('#sl-msg', view).innerHTML = `<span class="error">${esc(err.message)}</span>`; }
  });
  await refresh();
  return onTick(refresh);
}
