// Heatmap: localities grouped region → zone → rack → host, coloured red (risky) → green (desirable).
// Drawn from the compact GET /api/v1/heatmap; hover shows the score's parts at once and their weights and explanations
// once GET /api/v1/localities/{id} has answered (fetched on first hover); click opens the locality.
import { $, esc, pct, heat, NO_DATA, heatmap, loadHeatmap, detail, onTick, throttled, failure } from '../core.js';
import { partsHtml } from './parts.js';

/** Colour, data-desirability text and label text of a locality's cell. */
const look = (l) => {
  const d = l?.score?.desirability;
  return l?.score ? { bg: heat(d), text: d.toFixed(3), label: pct(d) } : { bg: NO_DATA, text: '', label: pct(undefined) };
};

/**
 * Builds the nested heatmap DOM for the given localities into root, coloured in the same pass (one string, one
 * innerHTML; one delegated listener set); paintHeatmap recolours it later. Fast for 10k cells.
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
  root._cells = null; // indexed by the first paintHeatmap, not here: a fresh build is already coloured
}

/** Colours every cell from its locality's score, touching only the cells whose score changed. */
export function paintHeatmap(root, byId) {
  if (!root._cells) {
    root._cells = new Map();
    for (const el of root.getElementsByClassName('cell')) root._cells.set(el.dataset.localityId, el);
  }
  const cells = root._cells;
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
  let hovered = null;
  const tipHtml = (l, score, note) =>
    `<h4>${esc(l.kind)} ${esc(l.id)} · ${pct(score?.desirability)}</h4>${partsHtml(score)}<div class="muted hint">${note}click to open</div>`;
  const showTip = (el, e) => {
    const l = heatmap.byId.get(el.dataset.localityId);
    if (!l) return;
    hovered = l.id;
    tip.innerHTML = tipHtml(l, l.score, l.score ? 'loading weights and explanations… · ' : '');
    tip.dataset.localityId = l.id;
    tip.hidden = false;
    moveTip(e);
    if (!l.score) return;
    detail(l.id).then((full) => {
      if (hovered !== l.id || tip.hidden) return;
      tip.innerHTML = tipHtml(l, full.score ?? l.score, '');
      tip.dataset.detail = 'loaded';
    }, () => {
      if (hovered === l.id && !tip.hidden) tip.querySelector('.hint').textContent = 'weights and explanations unavailable · click to open';
    });
  };
  const moveTip = (e) => {
    // Keep the tooltip inside the window and off the pointer: left of it when there is no room on the right.
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const x = e.clientX + 16 + w > window.innerWidth ? Math.max(4, e.clientX - 16 - w) : e.clientX + 16;
    const y = Math.max(4, Math.min(e.clientY + 16, window.innerHeight - h - 4));
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  };
  const over = (e) => {
    const el = e.target.closest('.cell[data-locality-id]');
    if (!el) { tip.hidden = true; hovered = null; return; }
    if (el.dataset.localityId !== hovered || tip.hidden) { delete tip.dataset.detail; showTip(el, e); }
  };
  const move = (e) => { if (!tip.hidden) moveTip(e); };
  const leave = () => { tip.hidden = true; hovered = null; };
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
      await loadHeatmap();
    } catch (e) {
      $('#summary', view).innerHTML = failure('the heatmap', e);
      return;
    }
    const now = heatmap.localities.map((l) => l.id).join('|');
    if (now !== ids) { buildHeatmap(root, heatmap.localities); ids = now; } else paintHeatmap(root, heatmap.byId);
    const hosts = heatmap.localities.filter((l) => l.kind === 'host');
    const scored = hosts.filter((h) => h.score);
    const risky = scored.filter((h) => h.score.desirability < 0.3).length;
    const mean = scored.length ? scored.reduce((a, h) => a + h.score.desirability, 0) / scored.length : null;
    $('#summary', view).innerHTML = `
      <div class="stat"><b>${hosts.length}</b>hosts</div>
      <div class="stat"><b>${scored.length}</b>scored</div>
      <div class="stat"><b>${pct(mean)}</b>mean host desirability</div>
      <div class="stat"><b>${risky}</b>hosts below 30%</div>`;
    view.dataset.ready = heatmap.localities.some((l) => l.score) ? 'scored' : 'waiting';
  });
  await refresh();
  const off = onTick(refresh);
  return () => { off(); tip.hidden = true; };
}
