// Auspex dashboard: the locality heatmap. Uses only the versioned REST API (/api/v1) and its SSE stream.
'use strict';

const $ = (sel) => document.querySelector(sel);
const state = { localities: [], byId: new Map(), selected: null, refreshing: false, pending: false };

function colour(score) {
  if (!score) return '#3a434e';
  const d = Math.max(0, Math.min(1, score.desirability));
  return `hsl(${Math.round(d * 120)}, ${Math.round(70 - 10 * d)}%, ${Math.round(45 - 7 * d)}%)`;
}

const pct = (v) => (v == null ? '—' : `${Math.round(v * 100)}%`);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function children(id) { return state.localities.filter((l) => l.parent === id); }

function cell(l, cls, label) {
  const el = document.createElement('div');
  el.className = `cell ${cls}`;
  el.dataset.localityId = l.id;
  el.dataset.kind = l.kind;
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', `${l.kind} ${l.id}`);
  if (label) el.innerHTML = `<span>${esc(l.id)}</span><span class="v"></span>`;
  el.addEventListener('mouseenter', (e) => showTip(l.id, e));
  el.addEventListener('mousemove', moveTip);
  el.addEventListener('mouseleave', () => { $('#tooltip').hidden = true; });
  el.addEventListener('click', () => openDetail(l.id));
  return el;
}

function build() {
  const root = $('#heatmap');
  root.textContent = '';
  for (const region of state.localities.filter((l) => l.kind === 'region')) {
    const r = document.createElement('div');
    r.className = 'region';
    r.appendChild(cell(region, 'label', true));
    const zones = document.createElement('div');
    zones.className = 'zones';
    for (const zone of children(region.id)) {
      const z = document.createElement('div');
      z.className = 'zone';
      z.appendChild(cell(zone, 'label', true));
      const racks = document.createElement('div');
      racks.className = 'racks';
      for (const rack of children(zone.id)) {
        const k = document.createElement('div');
        k.className = 'rack';
        k.appendChild(cell(rack, 'label', true));
        const hosts = document.createElement('div');
        hosts.className = 'hosts';
        for (const host of children(rack.id)) hosts.appendChild(cell(host, 'host', false));
        k.appendChild(hosts);
        racks.appendChild(k);
      }
      z.appendChild(racks);
      zones.appendChild(z);
    }
    r.appendChild(zones);
    root.appendChild(r);
  }
}

function paint() {
  for (const el of document.querySelectorAll('.cell[data-locality-id]')) {
    const l = state.byId.get(el.dataset.localityId);
    if (!l) continue;
    el.style.backgroundColor = colour(l.score);
    el.dataset.desirability = l.score ? l.score.desirability.toFixed(3) : '';
    const v = el.querySelector('.v');
    if (v) v.textContent = pct(l.score && l.score.desirability);
    el.classList.toggle('selected', state.selected === l.id);
  }
  const hosts = state.localities.filter((l) => l.kind === 'host');
  const scored = hosts.filter((h) => h.score);
  const risky = scored.filter((h) => h.score.desirability < 0.3).length;
  const mean = scored.length ? scored.reduce((a, h) => a + h.score.desirability, 0) / scored.length : null;
  $('#summary').innerHTML = `
    <div class="stat"><b>${hosts.length}</b>hosts</div>
    <div class="stat"><b>${scored.length}</b>scored</div>
    <div class="stat"><b>${pct(mean)}</b>mean host desirability</div>
    <div class="stat"><b>${risky}</b>hosts below 30%</div>`;
}

function partsHtml(score) {
  if (!score) return '<div class="muted">No score yet: the loop has not forecast this locality.</div>';
  return Object.keys(score.parts).map((p) => `
    <div class="part"><span>${esc(p)} <span class="muted">×${(score.weights[p] ?? 0).toFixed(2)}</span></span>
      <span class="bar"><i style="width:${pct(score.parts[p])};background:${colour({ desirability: score.parts[p] })}"></i></span>
      <span>${pct(score.parts[p])}</span></div>
    <div class="why">${esc(score.explanations[p] ?? '')}</div>`).join('');
}

function showTip(id, e) {
  const l = state.byId.get(id);
  if (!l) return;
  const t = $('#tooltip');
  t.innerHTML = `<h4>${esc(l.kind)} ${esc(l.id)} · ${pct(l.score && l.score.desirability)}</h4>${partsHtml(l.score)}`;
  t.hidden = false;
  moveTip(e);
}

function moveTip(e) {
  const t = $('#tooltip');
  t.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 430)}px`;
  t.style.top = `${Math.min(e.clientY + 14, window.innerHeight - t.offsetHeight - 8)}px`;
}

// Fan chart: recent actuals as a line, the forecast mean with its 80% and 95% bands.
function fanChart(actual, forecast, title) {
  const W = 520, H = 200, L = 44, R = 8, T = 16, B = 20;
  const pts = actual.points;
  const f = forecast ? forecast.points : [];
  const xs = pts.map((p) => p[0]).concat(f.map((p) => Date.parse(p.at)));
  const q = (p, k) => p.quantiles[k] ?? p.mean;
  const ys = pts.map((p) => p[1]).concat(f.flatMap((p) => [q(p, '0.025'), q(p, '0.975')]));
  if (!xs.length) return `<div class="muted">${esc(title)}: no data</div>`;
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(0, ...ys), y1 = Math.max(...ys) * 1.05 || 1;
  const X = (x) => L + ((x - x0) / Math.max(1, x1 - x0)) * (W - L - R);
  const Y = (y) => H - B - ((y - y0) / Math.max(1e-9, y1 - y0)) * (H - T - B);
  const band = (lo, hi) => f.length ? `M${f.map((p) => `${X(Date.parse(p.at))},${Y(q(p, hi))}`).join('L')}L${f.slice().reverse().map((p) => `${X(Date.parse(p.at))},${Y(q(p, lo))}`).join('L')}Z` : '';
  const line = pts.length ? `M${pts.map((p) => `${X(p[0])},${Y(p[1])}`).join('L')}` : '';
  const mean = f.length ? `M${f.map((p) => `${X(Date.parse(p.at))},${Y(p.mean)}`).join('L')}` : '';
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    <text x="${L}" y="11">${esc(title)}${forecast ? ` · ${esc(forecast.model)}` : ''}</text>
    <text x="2" y="${Y(y1) + 8}">${y1.toPrecision(3)}</text><text x="2" y="${Y(y0)}">${y0.toPrecision(3)}</text>
    <path d="${band('0.025', '0.975')}" fill="#5cc8ff22"/><path d="${band('0.1', '0.9')}" fill="#5cc8ff44"/>
    <path d="${line}" fill="none" stroke="#d8dee6" stroke-width="1.2"/>
    <path d="${mean}" fill="none" stroke="#5cc8ff" stroke-width="1.5" stroke-dasharray="4 2"/>
  </svg>`;
}

async function openDetail(id) {
  state.selected = id;
  paint();
  const l = state.byId.get(id);
  const body = $('#detail-body');
  $('#detail').hidden = false;
  const cap = Object.entries(l.capacity || {}).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v.toLocaleString()}</td></tr>`).join('');
  body.innerHTML = `<h2>${esc(l.kind)} ${esc(l.id)}</h2>
    <div class="muted">${l.parent ? `in ${esc(l.parent)}` : 'top level'}${l.tier ? ` · tier ${esc(l.tier)}` : ''}</div>
    <h3>Desirability ${pct(l.score && l.score.desirability)}</h3>${partsHtml(l.score)}
    ${cap ? `<h3>Capacity</h3><table class="kv">${cap}</table>` : ''}
    <div id="charts"><div class="muted">loading forecasts…</div></div>`;
  if (l.kind !== 'host') { $('#charts').innerHTML = '<div class="muted">Open a host to see its forecasts.</div>'; return; }
  try {
    const status = await api('/api/v1/status');
    const to = Date.parse(status.now) / 1000, from = to - 12 * 3600;
    const metrics = ['auspex_host_cpu_used_cores', 'auspex_host_memory_used_bytes', 'auspex_host_network_receive_bytes_per_second'];
    const html = [];
    for (const m of metrics) {
      const sel = encodeURIComponent(`${m}{host="${id}"}`);
      const [actual, forecasts] = await Promise.all([
        api(`/api/v1/series/query?match=${sel}&from=${from}&to=${to}&resolution=raw`),
        api(`/api/v1/forecasts?match=${sel}`)]);
      if (actual.length) html.push(fanChart(actual[0], forecasts[0], m.replace('auspex_host_', '')));
    }
    if (state.selected === id) $('#charts').innerHTML = html.join('') || '<div class="muted">No series for this host.</div>';
  } catch (e) {
    $('#charts').innerHTML = `<div class="muted">Could not load forecasts: ${esc(e.message)}</div>`;
  }
}

async function refresh() {
  if (state.refreshing) { state.pending = true; return; }
  state.refreshing = true;
  try {
    const [locs, status] = await Promise.all([api('/api/v1/localities'), api('/api/v1/status')]);
    const rebuild = locs.length !== state.localities.length || locs.some((l, i) => state.localities[i]?.id !== l.id);
    state.localities = locs;
    state.byId = new Map(locs.map((l) => [l.id, l]));
    if (rebuild) build();
    paint();
    $('#clock').textContent = new Date(status.now).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
    $('#status').textContent = `${status.ticks} ticks${status.lastError ? ' · last error: ' + status.lastError : ''}`;
    document.body.dataset.ready = locs.some((l) => l.score) ? 'scored' : 'waiting';
  } catch (e) {
    $('#status').textContent = `API unreachable: ${e.message}`;
  } finally {
    state.refreshing = false;
    if (state.pending) { state.pending = false; setTimeout(refresh, 250); }
  }
}

$('#close').addEventListener('click', () => { $('#detail').hidden = true; state.selected = null; paint(); });
refresh();
const events = new EventSource('/api/v1/events');
let last = 0;
events.addEventListener('tick', () => {
  const now = Date.now();
  if (now - last > 500) { last = now; refresh(); } else { state.pending = true; }
});
events.onerror = () => { $('#status').textContent = 'live updates interrupted; retrying…'; };
setInterval(refresh, 5000);
