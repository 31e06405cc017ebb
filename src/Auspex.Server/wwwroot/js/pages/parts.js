// A score's parts as bars with their weights and the scorer's own explanation (when the score carries them: the
// heatmap's compact scores have the values only until the locality's detail has been fetched).
import { esc, pct, heat } from '../core.js';

export function partsHtml(score) {
  if (!score) return '<div class="muted">No score yet: the loop has not forecast this locality.</div>';
  return Object.keys(score.parts).map((p) => `
    <div class="part" data-part="${esc(p)}"><span>${esc(p)}${score.weights ? ` <span class="muted">×${(score.weights[p] ?? 0).toFixed(2)}</span>` : ''}</span>
      <span class="bar"><i style="width:${Math.max(0, Math.min(100, score.parts[p] * 100)).toFixed(1)}%;background:${heat(score.parts[p])}"></i></span>
      <span class="pv">${pct(score.parts[p])}</span></div>
    ${score.explanations ? `<div class="why">${esc(score.explanations[p] ?? '')}</div>` : ''}`).join('');
}
