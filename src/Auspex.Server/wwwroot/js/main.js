// Auspex console: hash router, header (clock, live state, who is logged in), login page.
import { $, $$, api, esc, session, loadSession, startEvents, live, onTick, ApiError, prefetchHeatmap } from './core.js';

const pages = {
  overview: () => import('./pages/overview.js'),
  heatmap: () => import('./pages/heatmap.js'),
  locality: () => import('./pages/locality.js'),
  shadow: () => import('./pages/shadow.js'),
  whatif: () => import('./pages/whatif.js'),
  placement: () => import('./pages/placement.js'),
  plans: () => import('./pages/plans.js'),
  forecasts: () => import('./pages/forecasts.js'),
  alerts: () => import('./pages/alerts.js'),
  login: async () => ({ default: loginPage }),
};

let current = null; // { name, cleanup }
let generation = 0;

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = h.split('?');
  const [name, ...rest] = pathPart.split('/');
  return { name: pages[name] ? name : 'overview', arg: rest.map(decodeURIComponent).join('/'), params: new URLSearchParams(query) };
}

async function route() {
  const r = parseHash();
  const gen = ++generation;
  if (current?.cleanup) { try { current.cleanup(); } catch (e) { console.warn(e); } }
  current = null;
  $('#tooltip').hidden = true;
  for (const a of $$('#nav a')) a.classList.toggle('active', a.dataset.page === r.name || (r.name === 'locality' && a.dataset.page === 'heatmap'));
  // A fresh element per page: a previous page's late async writes land on its detached element, never on this one.
  const view = document.createElement('div');
  view.id = 'view';
  view.setAttribute('aria-live', 'polite');
  view.innerHTML = '<div class="muted loading">loading…</div>';
  view.dataset.page = r.name;
  $('#view').replaceWith(view);
  document.title = `Auspex · ${r.name}`;
  try {
    const mod = await pages[r.name]();
    if (gen !== generation) return;
    view.innerHTML = '';
    const cleanup = await mod.default(view, r);
    if (gen !== generation) { if (cleanup) cleanup(); return; }
    current = { name: r.name, cleanup };
  } catch (e) {
    if (gen !== generation) return;
    view.innerHTML = `<div class="error"><b>This page failed to load.</b> <span class="muted">${esc(e.message)}</span></div>`;
    console.warn(e);
  }
}

function renderWho() {
  const who = $('#who');
  if (session.authenticated) {
    who.innerHTML = `<span class="muted">${esc(session.name)}</span> ${roleBadge()} ${session.via === 'session' ? '<button id="logout" class="link">log out</button>' : ''}`;
    $('#logout')?.addEventListener('click', logout);
  } else {
    who.innerHTML = `${session.role ? `<span class="muted">anonymous</span> ${roleBadge()}` : ''} <a href="#/login" id="login-link">log in</a>`;
  }
}
const roleBadge = () => `<span class="badge role" data-session-role="${esc(session.role || 'none')}">${esc(session.role || 'no access')}</span>`;

async function logout() {
  try { await api('/api/v1/session', { method: 'DELETE' }); } catch (e) { console.warn(e); }
  await loadSession();
  renderWho();
  location.hash = '#/login';
}

async function loginPage(view) {
  view.innerHTML = `<section class="login card">
    <h2>Log in</h2>
    <p class="muted">Paste an API key. It is exchanged for a session cookie that this page cannot read
      (HttpOnly, SameSite=Strict); the key itself is not kept in the browser.</p>
    <form id="login-form" autocomplete="off">
      <label>API key <input id="login-key" type="password" required autofocus spellcheck="false"></label>
      <button type="submit" class="primary">Log in</button>
    </form>
    <div id="login-msg" role="alert"></div>
    ${session.authenticated ? `<p>You are logged in as <b>${esc(session.name)}</b> (${esc(session.role)}).</p>` : ''}
    ${session.anonymousReads ? '<p class="muted">This server lets anonymous visitors read as viewers; log in to act on plans, silences and placements.</p>' : ''}
  </section>`;
  $('#login-form', view).addEventListener('submit', async (e) => {
    e.preventDefault();
    const msg = $('#login-msg', view);
    msg.textContent = '';
    try {
      await api('/api/v1/session', { method: 'POST', body: { key: $('#login-key', view).value } });
      $('#login-key', view).value = '';
      await loadSession();
      renderWho();
      location.hash = sessionStorage.getItem('auspex.after-login') || '#/overview';
      sessionStorage.removeItem('auspex.after-login');
    } catch (err) {
      msg.innerHTML = `<div class="error">${esc(err instanceof ApiError ? (err.detail || err.title) : err.message)}</div>`;
    }
  });
  view.dataset.ready = 'true';
}

function renderLive() {
  const el = $('#live');
  el.classList.toggle('on', live.connected);
  el.title = live.connected ? 'Live: updates with every loop tick' : 'Live updates interrupted; retrying…';
  if (live.lastTick?.at) $('#clock').textContent = new Date(live.lastTick.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

async function refreshClock() {
  try {
    const s = await api('/api/v1/status');
    $('#clock').textContent = new Date(s.now).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
    $('#clock').dataset.ticks = s.ticks;
  } catch { /* shown by the live dot */ }
}

window.addEventListener('auspex:unauthorized', () => {
  if (parseHash().name !== 'login' && !session.authenticated && !session.anonymousReads) {
    sessionStorage.setItem('auspex.after-login', location.hash);
    location.hash = '#/login';
  }
});

async function start() {
  // The heatmap and the overview draw from GET /api/v1/heatmap: ask for it while the session and the page's script load.
  const first = parseHash().name;
  if (location.hash && (first === 'heatmap' || first === 'overview')) prefetchHeatmap();
  // The page's module too (fetched and parsed once; route() below finds it in the module map).
  pages[first]().catch(() => {});
  try { await loadSession(); } catch (e) { console.warn(e); }
  renderWho();
  startEvents(renderLive);
  onTick(refreshClock);
  refreshClock();
  window.addEventListener('hashchange', route);
  if (!location.hash) history.replaceState(null, '', '#/overview');
  route();
}
start();
