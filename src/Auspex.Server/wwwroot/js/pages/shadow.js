// Shadow view in 3D: racks and hosts as boxes. The live infrastructure is solid and coloured by its live utilisation;
// beside each rack stands its shadow — translucent, violet-edged — coloured by the predicted utilisation. Hosts past
// the alert threshold pulse; pre-provisioning items float over their rack with their progress.
import * as THREE from '../../lib/three/three.min.js';
import { $, esc, pct, time, utilRgb, onTick, throttled, failure, table, badge } from '../core.js';
import { loadShadow } from '../shadowdata.js';

const HOST = { w: 1.6, h: 0.45, d: 1.2, gap: 0.12 };
const SHADOW_EDGE = 0xb48cff;

/** Lays out the scene: zones along x, racks along z inside a zone, hosts stacked in their rack; shadow rack at +x. */
export function layout(nodes) {
  const kids = (id) => [...nodes.values()].filter((n) => n.parent === id);
  const pos = new Map();
  let x = 0;
  for (const region of [...nodes.values()].filter((n) => !n.parent)) {
    for (const zone of kids(region.id)) {
      let z = 0;
      for (const rack of kids(zone.id)) {
        const hosts = kids(rack.id);
        pos.set(rack.id, { x, z, hosts: hosts.map((h) => h.id), zone: zone.id });
        hosts.forEach((h, i) => pos.set(h.id, { x, z, y: HOST.h / 2 + i * (HOST.h + HOST.gap), rack: rack.id }));
        z += 3.2;
      }
      pos.set(zone.id, { x, depth: z });
      x += 5.2;
    }
  }
  return pos;
}

export function renderShadowScene(stage, shadow, onPick) {
  const W = stage.clientWidth, H = stage.clientHeight;
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
  renderer.setSize(W, H);
  renderer.setClearColor(0x0b0f13);
  stage.prepend(renderer.domElement);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(45, W / H, 0.1, 500);
  scene.add(new THREE.AmbientLight(0xffffff, 0.75));
  const sun = new THREE.DirectionalLight(0xffffff, 1.1);
  sun.position.set(10, 20, 14);
  scene.add(sun);

  const pos = layout(shadow.nodes);
  const hostGeo = new THREE.BoxGeometry(HOST.w, HOST.h, HOST.d);
  const edgeGeo = new THREE.EdgesGeometry(hostGeo);
  const pickables = [];
  const pulsing = [];
  const meshes = new Map(); // id → { live, shadow }
  let maxX = 0, maxZ = 0;
  for (const n of shadow.nodes.values()) {
    if (n.kind !== 'host') continue;
    const p = pos.get(n.id);
    if (!p) continue;
    const liveMat = n.failed
      ? new THREE.MeshStandardMaterial({ color: 0x1a1d21, roughness: 0.9 })
      : new THREE.MeshStandardMaterial({ color: new THREE.Color(...(n.live == null ? [0.23, 0.26, 0.3] : utilRgb(n.live))), roughness: 0.6 });
    const live = new THREE.Mesh(hostGeo, liveMat);
    live.position.set(p.x, p.y, p.z);
    live.userData = { id: n.id, which: 'live' };
    scene.add(live);
    if (n.failed) live.add(new THREE.LineSegments(edgeGeo, new THREE.LineBasicMaterial({ color: 0xe5484d })));
    const shMat = new THREE.MeshStandardMaterial({ color: new THREE.Color(...(n.failed ? [0.1, 0.1, 0.12] : n.predicted == null ? [0.3, 0.3, 0.4] : utilRgb(n.predicted))), transparent: true, opacity: n.failed ? 0.15 : 0.45, depthWrite: false, emissive: 0x000000 });
    const sh = new THREE.Mesh(hostGeo, shMat);
    sh.position.set(p.x + HOST.w + 0.35, p.y, p.z);
    sh.userData = { id: n.id, which: 'shadow' };
    const edges = new THREE.LineSegments(edgeGeo, new THREE.LineBasicMaterial({ color: SHADOW_EDGE, transparent: true, opacity: 0.9 }));
    sh.add(edges);
    scene.add(sh);
    pickables.push(live, sh);
    meshes.set(n.id, { live, shadow: sh });
    if (n.level === 'warning' || n.level === 'critical') pulsing.push({ mesh: sh, edges, critical: n.level === 'critical' });
    maxX = Math.max(maxX, p.x + 2 * HOST.w + 0.35);
    maxZ = Math.max(maxZ, p.z);
  }
  // Rack plinths and labels (sprites), zone floor plates.
  for (const [id, p] of pos) {
    const n = shadow.nodes.get(id);
    if (n?.kind === 'rack') {
      const plinth = new THREE.Mesh(new THREE.BoxGeometry(2 * HOST.w + 0.75, 0.08, HOST.d + 0.4), new THREE.MeshStandardMaterial({ color: 0x2a323c }));
      plinth.position.set(p.x + (HOST.w + 0.35) / 2, -0.05, p.z);
      scene.add(plinth);
      scene.add(label(id, p.x + (HOST.w + 0.35) / 2, -0.02, p.z + HOST.d / 2 + 0.35, 0.42));
    } else if (n?.kind === 'zone') {
      scene.add(label(id, p.x + 1, 0, -1.8, 0.8, '#d8dee6'));
    }
  }
  // Pre-provisioning: a dashed ghost box per item over its rack (or over the host's rack), with a progress bar.
  for (const item of shadow.queue || []) {
    const target = pos.get(item.locality);
    const rackPos = target?.hosts ? target : target?.rack ? pos.get(target.rack) : null;
    if (!rackPos) continue;
    const top = rackPos.hosts.length * (HOST.h + HOST.gap) + 0.5;
    const box = new THREE.LineSegments(new THREE.EdgesGeometry(new THREE.BoxGeometry(HOST.w, HOST.h * Math.max(1, item.units), HOST.d)),
      new THREE.LineDashedMaterial({ color: 0x5cc8ff, dashSize: 0.12, gapSize: 0.08 }));
    box.computeLineDistances();
    box.position.set(rackPos.x + HOST.w + 0.35, top + (HOST.h * Math.max(1, item.units)) / 2, rackPos.z);
    scene.add(box);
    const bar = new THREE.Mesh(new THREE.BoxGeometry(HOST.w * Math.max(0.02, item.progress), 0.1, 0.1), new THREE.MeshBasicMaterial({ color: 0x5cc8ff }));
    bar.position.set(rackPos.x + HOST.w + 0.35 - HOST.w / 2 + (HOST.w * Math.max(0.02, item.progress)) / 2, top - 0.2, rackPos.z + HOST.d / 2);
    scene.add(bar);
    scene.add(label(`${item.id} ${Math.round(item.progress * 100)}%`, rackPos.x + HOST.w + 0.35, top + HOST.h * Math.max(1, item.units) + 0.4, rackPos.z, 0.7, '#5cc8ff'));
  }
  const grid = new THREE.GridHelper(Math.max(maxX, maxZ) + 12, Math.round(Math.max(maxX, maxZ) + 12), 0x1e252d, 0x161c22);
  grid.position.set(maxX / 2, -0.1, maxZ / 2);
  scene.add(grid);

  camera.position.set(maxX / 2 - 4, 11, maxZ + 13);
  const controls = new THREE.OrbitControls(camera, renderer.domElement);
  controls.target.set(maxX / 2, 1.5, maxZ / 2);
  controls.enableDamping = true;
  controls.update();

  const ray = new THREE.Raycaster();
  const mouse = new THREE.Vector2();
  let hover = null;
  const pick = (e) => {
    const r = renderer.domElement.getBoundingClientRect();
    mouse.set(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1);
    ray.setFromCamera(mouse, camera);
    const hit = ray.intersectObjects(pickables, false)[0];
    return hit ? hit.object.userData : null;
  };
  const onMove = (e) => { const h = pick(e); if (h?.id !== hover?.id || h?.which !== hover?.which) { hover = h; onPick(h, false); } };
  const onClick = (e) => { const h = pick(e); if (h) onPick(h, true); };
  renderer.domElement.addEventListener('mousemove', onMove);
  renderer.domElement.addEventListener('click', onClick);

  let raf = 0;
  const start = performance.now();
  const loop = () => {
    const t = (performance.now() - start) / 1000;
    for (const p of pulsing) {
      const k = 0.5 + 0.5 * Math.sin(t * (p.critical ? 6 : 3.5));
      p.mesh.material.opacity = 0.3 + 0.5 * k;
      p.mesh.material.emissive.setRGB(p.critical ? 0.6 * k : 0.45 * k, p.critical ? 0.05 : 0.3 * k, 0);
    }
    controls.update();
    renderer.render(scene, camera);
    raf = requestAnimationFrame(loop);
  };
  loop();
  const onResize = () => { const w = stage.clientWidth, h = stage.clientHeight; renderer.setSize(w, h); camera.aspect = w / h; camera.updateProjectionMatrix(); };
  window.addEventListener('resize', onResize);
  return {
    meshes, pulsing: pulsing.length,
    dispose() {
      cancelAnimationFrame(raf);
      window.removeEventListener('resize', onResize);
      controls.dispose();
      scene.traverse((o) => { o.geometry?.dispose?.(); if (o.material) { o.material.map?.dispose?.(); o.material.dispose?.(); } });
      renderer.dispose();
      renderer.domElement.remove();
    },
  };
}

function label(text, x, y, z, size = 1, color = '#8a96a3') {
  const c = document.createElement('canvas');
  const ctx = c.getContext('2d');
  ctx.font = '600 36px system-ui, sans-serif';
  c.width = Math.ceil(ctx.measureText(text).width) + 16; c.height = 48;
  ctx.font = '600 36px system-ui, sans-serif';
  ctx.fillStyle = color; ctx.textBaseline = 'middle'; ctx.fillText(text, 8, 24);
  const tex = new THREE.CanvasTexture(c);
  const s = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, transparent: true, depthWrite: false }));
  s.scale.set(size * c.width / 48, size, 1);
  s.position.set(x, y + size / 2, z);
  return s;
}

export function keyHtml(shadow) {
  return `<div class="key"><span><i style="background:linear-gradient(90deg,hsl(120,60%,45%),hsl(60,70%,45%),hsl(0,70%,45%))"></i>utilisation low → high</span>
    <span><i style="background:#4caf50"></i>live (solid, left box)</span>
    <span><i style="background:#4caf5055;outline:1px solid #b48cff"></i>shadow: predicted q${shadow.quantile} peak over ${Math.round(shadow.horizonSeconds / 60)} min (translucent, violet edges, right box)</span>
    <span><i style="background:#e5484d"></i>pulsing: predicted ≥ ${pct(shadow.warning)} (warning) / ${pct(shadow.critical)} (critical)</span>
    <span><i style="outline:1px dashed #5cc8ff"></i>pre-provisioning with progress</span></div>`;
}

export function pickHtml(shadow, id) {
  const n = shadow.nodes.get(id);
  if (!n) return '';
  return `<b>${esc(n.kind)} ${esc(n.id)}</b> ${n.level !== 'ok' ? badge(n.level, n.level === 'critical' ? 'bad' : 'warn') : ''}
    <div>live utilisation <b>${pct(n.live)}</b></div><div>predicted (shadow) <b>${pct(n.predicted)}</b></div>
    <div>desirability ${pct(n.desirability)}</div>${n.failed ? '<div class="error">down in this scenario</div>' : ''}<div class="muted">click to open ${esc(n.id)}</div>`;
}

export default async function shadowPage(view) {
  view.innerHTML = `<section class="page-head"><h2>Shadow infrastructure</h2>
      <div class="muted" id="sh-sub"></div><div id="sh-key"></div></section>
    <div class="stage" id="stage"><div class="overlay muted">drag to rotate · scroll to zoom · right-drag to pan</div><div class="pick" id="pick" hidden></div></div>
    <div class="cols" style="margin-top:12px">
      <section class="card"><h3>Hosts past a threshold on the shadow</h3><div id="sh-alerts"></div></section>
      <section class="card"><h3>Pre-provisioning queue</h3><div id="sh-queue"></div></section>
    </div>`;
  let scene = null, shadow = null;
  const onPick = (h, click) => {
    const el = $('#pick', view);
    if (!h) { el.hidden = true; return; }
    if (click) { location.hash = `#/locality/${encodeURIComponent(h.id)}`; return; }
    el.hidden = false;
    el.innerHTML = pickHtml(shadow, h.id) + `<div class="muted">(${h.which === 'live' ? 'live box' : 'shadow box'})</div>`;
  };
  const draw = async () => {
    try {
      shadow = await loadShadow();
    } catch (e) {
      $('#sh-sub', view).innerHTML = failure('the shadow', e);
      return;
    }
    $('#sh-sub', view).innerHTML = `${shadow.source === 'server' ? 'From the loop\'s shadow (GET /api/v1/shadow)' : 'Computed in the page from the latest samples and forecasts (this server has no /api/v1/shadow)'} · as of ${esc(time(shadow.at))}`;
    $('#sh-key', view).innerHTML = keyHtml(shadow);
    if (scene) scene.dispose();
    try {
      scene = renderShadowScene($('#stage', view), shadow, onPick);
    } catch (e) {
      $('#stage', view).innerHTML = failure('the 3D view (WebGL)', e);
    }
    const hot = [...shadow.nodes.values()].filter((n) => n.kind === 'host' && n.level !== 'ok').sort((a, b) => b.predicted - a.predicted);
    $('#sh-alerts', view).innerHTML = hot.length
      ? table(hot, [{ h: 'host', f: (n) => `<a href="#/locality/${encodeURIComponent(n.id)}">${esc(n.id)}</a>` }, { h: 'level', f: (n) => badge(n.level, n.level === 'critical' ? 'bad' : 'warn') },
        { h: 'live', f: (n) => pct(n.live), cls: 'n' }, { h: 'predicted', f: (n) => pct(n.predicted), cls: 'n' }], 'id="sh-hot"')
      : `<span class="ok">No host is predicted past ${pct(shadow.warning)}.</span>`;
    $('#sh-queue', view).innerHTML = shadow.queue == null
      ? '<div class="muted">The pre-provisioning queue comes with the server\'s shadow (GET /api/v1/shadow), which this server does not have.</div>'
      : shadow.queue.length
        ? table(shadow.queue, [{ h: 'item', f: (q) => esc(q.id) }, { h: 'where', f: (q) => esc(q.locality) }, { h: 'units', f: (q) => esc(q.units), cls: 'n' },
          { h: 'state', f: (q) => badge(q.state, q.state === 'ready' ? 'good' : 'info') },
          { h: 'progress', f: (q) => `<div class="progress" title="${pct(q.progress)}"><i style="width:${(q.progress * 100).toFixed(0)}%"></i></div>` },
          { h: 'why', f: (q) => `<span class="muted">${esc(q.reason)}</span>` }], 'id="sh-queue-table"')
        : '<span class="muted">Nothing queued.</span>';
    view.dataset.ready = 'true';
    view.dataset.pulsing = String(scene?.pulsing ?? 0);
  };
  await draw();
  const refresh = throttled(draw, 4000);
  const off = onTick(refresh);
  return () => { off(); scene?.dispose(); };
}
