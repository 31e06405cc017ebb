// Heatmap: localities grouped region → zone → rack → host, coloured red (risky) → green (desirable).
// Hover shows the score's parts; click opens the locality.
import { $, api, esc, pct, heat, NO_DATA, fleet, loadFleet, onTick, throttled, failure } from '../core.js';
import { partsHtml } from './parts.js';

/** Colour, data-desirability text and label text of a locality's cell. */
const look = (l) => {
  const d = l?.score?.desirability;
  return l?.score ? { bg: heat(d), text: d.toFixed(3), label: pct(d) } : { bg: NO_DATA, text: '', label: pct(undefined) };
};

/**
 * Builds the nested heatmap DOM for the given localities into root, coloured in the same pass (one string, one
 * innerHTML; one delegated listener set), and indexes the cells by locality id for paintHeatmap. Fast for 10k cells.
 */
export function buildHeatmap(root, locs) {
  const kids = new Map();
  for (const l of locs) {
    const k = l.parent ?? '';
    if (!kids.has(k)) kids.set(k, []);
    kids.get(k).push(l);
  }
  const cell = (l, label) => {
    const v = look(l);
    return `<div class="cell ${label ? 'label' : 'host'}" style="background-color:${v.bg}" data-locality-id="${esc(l.id)}" data-kind="${esc(l.kind)}" data-desirability="${v.text}" role="button" tabindex="0" aria-label="${esc(l.kind)} ${esc(l.id)}">${label ? `<span>${esc(l.id)}</span><span class="v">${v.label}</span>` : ''}</div>`;
  };
  const html = [];
  const hostsOf = (rack) => (kids.get(rack.id) || []).map((h) => cell(h, false)).join('');
  const racksOf = (zone) => (kids.get(zone.id) || []).map((r) => `<div class="rack">${cell(r, true)}<div class="hosts">${hostsOf(r)}</div></div>`).join('');
  const zonesOf = (region) => (kids.get(region.id) || []).map((z) => `<div class="zone">${cell(z, true)}<div class="racks">${racksOf(z)}</div></div>`).join('');
  for (const region of kids.get('') || []) html.push(`<div class="region">${cell(region, true)}<div class="zones">${zonesOf(region)}</div></div>`);
  root.innerHTML = html.join('');
  const cells = new Map();
  for (const el of root.getElementsByClassName('cell')) cells.set(el.dataset.localityId, el);
  root._cells = cells;
}

/** Colours every cell from its locality's score, touching only the cells whose score changed. */
export function paintHeatmap(root, byId) {
  const cells = root._cells ?? new Map([...root.querySelectorAll('.cell[data-locality-id]')].map((el) => [el.dataset.localityId, el]));
  for (const [id, el] of cells) {
    const v = look(byId.get(id));
    if (el.dataset.desirability === v.text && el.style.backgroundColor) continue;
    el.style.backgroundColor = v.bg;
    el.dataset.desirability = v.text;
    const t = el.firstElementChild?.nextElementSibling;
    if (t) t.textContent = v.label;
  }
}

export default async function heatmapPage(view) {
  view.innerHTML = `<section class="page-head"><h2>Heatmap</h2>
      <div class="legend"><span>risky</span><span class="ramp"></span><span>desirable</span>
        <span class="nodata-swatch"></span><span>no score yet</span>
        <span class="muted">· hover a cell for its score's parts, click to open it</span></div></section>
    <div id="summary" class="summary"></div>
    <section id="heatmap" aria-label="Locality heatmap" class="heatmap"></section>`;
  const root = $('#heatmap', view);
  const tip = $('#tooltip');
  let ids = '';
  const showTip = (el, e) => {
    const l = fleet.byId.get(el.dataset.localityId);
    if (!l) return;
    tip.innerHTML = `<h4>${esc(l.kind)} ${esc(l.id)} · ${pct(l.score?.desirability)}</h4>${partsHtml(l.score)}<div class="muted hint">click to open</div>`;
    tip.hidden = false;
    moveTip(e);
  };
  const moveTip = (e) => {
    // Keep the tooltip inside the window and off the pointer: left of it when there is no room on the right.
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const x = e.clientX + 16 + w > window.innerWidth ? Math.max(4, e.clientX - 16 - w) : e.clientX + 16;
    const y = Math.max(4, Math.min(e.clientY + 16, window.innerHeight - h - 4));
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  };
  const over = (e) => { const el = e.target.closest('.cell[data-locality-id]'); if (el) showTip(el, e); else tip.hidden = true; };
  const move = (e) => { if (!tip.hidden) moveTip(e); };
  const leave = () => { tip.hidden = true; };
  const open = (e) => {
    const el = e.target.closest('.cell[data-locality-id]');
    if (!el) return;
    if (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ') return;
    tip.hidden = true;
    location.hash = `#/locality/${encodeURIComponent(el.dataset.localityId)}`;
  };
  root.addEventListener('mouseover', over);
  root.addEventListener('mousemove', move);
  root.addEventListener('mouseleave', leave);
  root.addEventListener('click', open);
  root.addEventListener('keydown', open);

  const refresh = throttled(async () => {
    try {
      await loadFleet();
    } catch (e) {
      $('#summary', view).innerHTML = failure('the localities', e);
      return;
    }
    const now = fleet.localities.map((l) => l.id).join('|');
    if (now !== ids) { buildHeatmap(root, fleet.localities); ids = now; }
    paintHeatmap(root, fleet.byId);
    const hosts = fleet.localities.filter((l) => l.kind === 'host');
    const scored = hosts.filter((h) => h.score);
    const risky = scored.filter((h) => h.score.desirability < 0.3).length;
    const mean = scored.length ? scored.reduce((a, h) => a + h.score.desirability, 0) / scored.length : null;
    $('#summary', view).innerHTML = `
      <div class="stat"><b>${hosts.length}</b>hosts</div>
      <div class="stat"><b>${scored.length}</b>scored</div>
      <div class="stat"><b>${pct(mean)}</b>mean host desirability</div>
      <div class="stat"><b>${risky}</b>hosts below 30%</div>`;
    view.dataset.ready = fleet.localities.some((l) => l.score) ? 'scored' : 'waiting';
  });
  await refresh();
  const off = onTick(refresh);
  return () => { off(); tip.hidden = true; };
}
