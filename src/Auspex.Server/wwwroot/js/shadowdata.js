// The shadow infrastructure as the pages draw it: per locality the live and the predicted utilisation of its tightest
// resource, its alert level, and the pre-provisioning queue. From GET /api/v1/shadow when the server has it; otherwise
// computed here from the same real inputs (localities, the latest samples, the forecasts' q0.9 peak), and labelled so.
import { api, ApiError, loadFleet, fleet } from './core.js';

const METRICS = { cpu: 'auspex_host_cpu_used_cores', memory: 'auspex_host_memory_used_bytes' };

/** Normalises a server snapshot: { source, at, quantile, warning, critical, nodes: Map, queue, alerts, diffs }. */
function fromServer(s) {
  const nodes = new Map();
  for (const n of s.nodes) {
    nodes.set(n.id, { id: n.id, kind: n.kind, parent: n.parent, tier: n.tier, live: n.liveUtilisation, predicted: n.predictedUtilisation,
      level: String(n.level || 'ok').toLowerCase(), desirability: n.desirability, capacity: n.capacity, liveValues: n.live, predictedValues: n.predicted });
  }
  return { source: 'server', at: s.at, horizonSeconds: s.horizonSeconds, quantile: s.quantile, warning: s.warningUtilisation, critical: s.criticalUtilisation,
    nodes, queue: s.queue || [], alerts: s.alerts || [], diffs: s.diffs || [] };
}

/** Computes the host-level shadow from the forecasts (q0.9 peak over the next hour) and the latest samples. */
async function computed() {
  await loadFleet();
  const to = Date.parse(fleet.status.now) / 1000;
  const per = {};
  for (const [res, m] of Object.entries(METRICS)) {
    const [actual, forecasts] = await Promise.all([
      api(`/api/v1/series/query?match=${encodeURIComponent(m)}&from=${to - 3600}&to=${to}&resolution=raw`),
      api(`/api/v1/forecasts?match=${encodeURIComponent(m)}`)]);
    per[res] = { actual, forecasts };
  }
  const hostOf = (labels) => labels?.host;
  const live = {}, pred = {};
  for (const [res, { actual, forecasts }] of Object.entries(per)) {
    for (const a of actual) { const h = hostOf(a.labels); if (h && a.points.length) (live[h] ??= {})[res] = a.points[a.points.length - 1][1]; }
    for (const f of forecasts) {
      const h = hostOf(f.labels) ?? /host="([^"]+)"/.exec(f.series)?.[1];
      if (!h || !f.points.length) continue;
      const horizon = Date.parse(f.issuedAt) + 3600_000;
      const pts = f.points.filter((p) => Date.parse(p.at) <= horizon);
      (pred[h] ??= {})[res] = Math.max(...(pts.length ? pts : f.points).map((p) => p.quantiles['0.9'] ?? p.mean));
    }
  }
  const nodes = new Map();
  const util = (vals, cap) => {
    let best = null;
    for (const res of Object.keys(METRICS)) {
      const c = cap?.[res];
      if (vals?.[res] != null && c > 0) best = Math.max(best ?? 0, vals[res] / c);
    }
    return best;
  };
  for (const l of fleet.localities) {
    nodes.set(l.id, { id: l.id, kind: l.kind, parent: l.parent, tier: l.tier, live: null, predicted: null, level: 'ok', desirability: l.score?.desirability ?? null, capacity: l.capacity });
  }
  const warning = 0.8, critical = 0.95;
  for (const n of nodes.values()) {
    if (n.kind !== 'host') continue;
    n.live = util(live[n.id], n.capacity);
    n.predicted = util(pred[n.id], n.capacity);
    n.level = n.predicted == null ? 'ok' : n.predicted >= critical ? 'critical' : n.predicted >= warning ? 'warning' : 'ok';
  }
  // Racks, zones, regions: the mean of their hosts (the server's /shadow sums resources instead).
  const order = ['rack', 'zone', 'region'];
  for (const kind of order) {
    for (const n of nodes.values()) {
      if (n.kind !== kind) continue;
      const kids = [...nodes.values()].filter((k) => k.parent === n.id);
      const mean = (f) => { const v = kids.map(f).filter((x) => x != null); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
      n.live = mean((k) => k.live);
      n.predicted = mean((k) => k.predicted);
      n.level = n.predicted == null ? 'ok' : n.predicted >= critical ? 'critical' : n.predicted >= warning ? 'warning' : 'ok';
    }
  }
  return { source: 'computed', at: fleet.status.lastTickAt ?? fleet.status.now, horizonSeconds: 3600, quantile: 0.9, warning, critical, nodes, queue: null, alerts: [], diffs: [] };
}

/** The shadow: the server's when it has /api/v1/shadow, else computed from forecasts. */
export async function loadShadow() {
  try {
    return fromServer(await api('/api/v1/shadow'));
  } catch (e) {
    if (e instanceof ApiError && e.missing) return computed();
    throw e;
  }
}
