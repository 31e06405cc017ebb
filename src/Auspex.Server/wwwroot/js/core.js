// Auspex console: what every page shares — the API client (session cookie + CSRF header), the live event stream,
// formatting and colours. The pages use only the versioned REST API under /api/v1.
'use strict';

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/** An API answer that was not 2xx: status plus the problem's detail. */
export class ApiError extends Error {
  constructor(path, status, title, detail) {
    super(`${title || 'HTTP ' + status}${detail ? ': ' + detail : ''}`);
    this.path = path; this.status = status; this.title = title; this.detail = detail;
  }
  /** True when the server does not have this API at all (another part of Auspex not deployed yet). */
  get missing() { return this.status === 404 || this.status === 405 || this.status === 501; }
}

export const session = { authenticated: false, role: null, name: null, csrfToken: null, tenant: '', anonymousReads: true, via: 'anonymous' };
const ROLES = ['viewer', 'operator', 'admin'];
/** Whether the caller holds at least this role. */
export const can = (role) => session.role != null && ROLES.indexOf(session.role) >= ROLES.indexOf(role);

/** Calls the API; JSON in and out; throws ApiError on a non-2xx answer. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrfToken) headers['X-Auspex-Csrf'] = session.csrfToken;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  if (!r.ok) {
    let title = '', detail = '';
    try { const p = await r.json(); title = p.title || ''; detail = p.detail || p.message || ''; } catch { /* not JSON */ }
    if (r.status === 401) window.dispatchEvent(new CustomEvent('auspex:unauthorized', { detail: path }));
    throw new ApiError(path, r.status, title, detail);
  }
  if (r.status === 204) return null;
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

export async function loadSession() {
  Object.assign(session, await api('/api/v1/session'));
  document.body.dataset.role = session.role || 'none';
  return session;
}

// ---- live updates: one EventSource for the whole console --------------------------------------------------------
const tickListeners = new Set();
let source = null;
export const live = { connected: false, lastTick: null };
export function startEvents(onState) {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => { live.connected = true; onState?.(); });
  source.addEventListener('tick', (e) => {
    live.connected = true;
    try { live.lastTick = JSON.parse(e.data); } catch { live.lastTick = null; }
    onState?.();
    for (const f of tickListeners) { try { f(live.lastTick); } catch (err) { console.warn(err); } }
  });
  source.onerror = () => { live.connected = false; onState?.(); };
}
/** Calls fn on every loop tick (throttled by the caller if it is heavy); returns the unsubscribe function. */
export function onTick(fn) { tickListeners.add(fn); return () => tickListeners.delete(fn); }

/** Wraps an async refresher so that overlapping calls collapse into one follow-up run, at most every minGapMs. */
export function throttled(fn, minGapMs = 700) {
  let running = false, again = false, last = 0, timer = null;
  const run = async () => {
    if (running) { again = true; return; }
    const wait = last + minGapMs - Date.now();
    if (wait > 0) { if (!timer) timer = setTimeout(() => { timer = null; run(); }, wait); return; }
    running = true; last = Date.now();
    try { await fn(); } finally { running = false; if (again) { again = false; run(); } }
  };
  return run;
}

// ---- formatting ---------------------------------------------------------------------------------------------------
/** A 0..1 fraction as a percentage that never shows a tiny non-zero value as "0%". */
export function pct(v) {
  if (v == null || Number.isNaN(v)) return '—';
  const p = v * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.001) return p > 0 ? '<0.001%' : '>−0.001%';
  if (Math.abs(p) < 1) return `${Number(p.toPrecision(2))}%`;
  if (Math.abs(p) > 99 && Math.abs(p) < 100) return `${Number(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}
/** A number with SI-ish suffixes for bytes or plain values. */
export function num(v, unit = '') {
  if (v == null || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  if (unit === 'B' || unit === 'B/s') {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0, x = v;
    while (Math.abs(x) >= 1024 && i < u.length - 1) { x /= 1024; i++; }
    return `${x.toFixed(x >= 100 || i === 0 ? 0 : 1)} ${u[i]}${unit === 'B/s' ? '/s' : ''}`;
  }
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}G${unit}`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M${unit}`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k${unit}`;
  if (a >= 100) return `${Math.round(v)}${unit}`;
  if (a >= 1) return `${Number(v.toFixed(2))}${unit}`;
  if (a === 0) return `0${unit}`;
  return `${Number(v.toPrecision(2))}${unit}`;
}
export const time = (t) => (t ? new Date(t).toISOString().replace('T', ' ').slice(0, 16) + 'Z' : '—');
export function ago(t, now) {
  if (!t) return '—';
  const s = Math.round((Date.parse(now) - Date.parse(t)) / 1000);
  if (Math.abs(s) < 90) return `${s}s ago`;
  if (Math.abs(s) < 5400) return `${Math.round(s / 60)} min ago`;
  if (Math.abs(s) < 36 * 3600) return `${(s / 3600).toFixed(1)} h ago`;
  return `${(s / 86400).toFixed(1)} d ago`;
}

// ---- colours ------------------------------------------------------------------------------------------------------
export const NO_DATA = '#3a434e';
/** Desirability 0 (red) → 1 (green). */
export function heat(d) {
  if (d == null || Number.isNaN(d)) return NO_DATA;
  const x = Math.max(0, Math.min(1, d));
  return `hsl(${Math.round(x * 120)}, ${Math.round(70 - 10 * x)}%, ${Math.round(45 - 7 * x)}%)`;
}
/** Utilisation 0 (green) → 1 (red), as an [r,g,b] 0..1 triple for three.js. */
export function utilRgb(u) {
  const x = Math.max(0, Math.min(1, u ?? 0));
  const h = (1 - x) * 120 / 360, s = 0.7, l = 0.45;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;
  const f = (t) => { t = (t + 1) % 1; return t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (2 / 3 - t) * 6 : p; };
  return [f(h + 1 / 3), f(h), f(h - 1 / 3)];
}

// ---- small view helpers -------------------------------------------------------------------------------------------
/** The standard "this server has no such API" panel, driven by a 404 from the API (never fake data). */
export function unavailable(what, err) {
  return `<div class="unavailable" data-unavailable="true"><b>${esc(what)} is not available on this server.</b>
    <div class="muted">${esc(err.path)} answered ${err.status}${err.detail ? ': ' + esc(err.detail) : ''}. This part of Auspex is not enabled in this build or deployment.</div></div>`;
}
export function failure(what, err) {
  return `<div class="error" data-error="true"><b>Could not load ${esc(what)}.</b> <span class="muted">${esc(err.message)}</span></div>`;
}
/** Renders a table from rows and column specs [{h, f, cls}]. */
export function table(rows, cols, attrs = '') {
  return `<table class="grid" ${attrs}><thead><tr>${cols.map((c) => `<th class="${c.cls || ''}">${esc(c.h)}</th>`).join('')}</tr></thead>
    <tbody>${rows.map((r) => `<tr>${cols.map((c) => `<td class="${c.cls || ''}">${c.f(r)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
export function badge(text, kind = '') { return `<span class="badge ${esc(kind)}">${esc(text)}</span>`; }

/** Shared state of the fleet: localities by id, refreshed by the pages that need it. */
export const fleet = { localities: [], byId: new Map(), status: null };
export async function loadFleet() {
  const [locs, status] = await Promise.all([api('/api/v1/localities'), api('/api/v1/status')]);
  fleet.localities = locs;
  fleet.byId = new Map(locs.map((l) => [l.id, l]));
  fleet.status = status;
  return fleet;
}
export const childrenOf = (id) => fleet.localities.filter((l) => l.parent === id);

/**
 * What the heatmaps draw, from the compact columnar GET /api/v1/heatmap (a few hundred KB for 10,000 localities instead
 * of the full /api/v1/localities): light localities { id, kind, parent, score } in topology order, whose score holds
 * the desirability and the parts' values only. Weights and explanations come per locality from detail(id).
 */
export const heatmap = { localities: [], byId: new Map(), at: null, status: null };
let prefetched = null;
/** Starts loading the heatmap now (main.js does, while the session and the page's script load); the next loadHeatmap() takes it. */
export function prefetchHeatmap() { prefetched = { at: Date.now(), p: fetchHeatmap() }; prefetched.p.catch(() => {}); }
/** The heatmap's data: a prefetched answer of the last 5 s when there is one (if it failed, asks again), else a fresh GET. */
export function loadHeatmap() {
  const pre = prefetched;
  prefetched = null;
  return pre && Date.now() - pre.at < 5000 ? pre.p.catch(() => fetchHeatmap()) : fetchHeatmap();
}
async function fetchHeatmap() {
  const [h, status] = await Promise.all([api('/api/v1/heatmap'), api('/api/v1/status')]);
  const names = Object.keys(h.parts), cols = names.map((n) => h.parts[n]);
  const locs = new Array(h.count);
  for (let i = 0; i < h.count; i++) {
    const d = h.desirability[i];
    let score = null;
    if (d != null) {
      const parts = {};
      for (let k = 0; k < names.length; k++) { const v = cols[k][i]; if (v != null) parts[names[k]] = v; }
      score = { desirability: d, parts };
    }
    const p = h.parent[i];
    locs[i] = { id: h.ids[i], kind: h.kindNames[h.kind[i]], parent: p >= 0 ? h.ids[p] : null, score };
  }
  if (heatmap.at !== h.at) details.clear();
  heatmap.localities = locs;
  heatmap.byId = new Map(locs.map((l) => [l.id, l]));
  heatmap.at = h.at;
  heatmap.status = status;
  fleet.status = status;
  return heatmap;
}

// One locality with its full score (weights, explanations), fetched once per scoring round when first needed.
const details = new Map();
/** GET /api/v1/localities/{id}, remembered until the scores change. */
export function detail(id) {
  if (!details.has(id)) {
    const p = api(`/api/v1/localities/${encodeURIComponent(id)}`);
    p.catch(() => details.delete(id));
    details.set(id, p);
  }
  return details.get(id);
}
