#!/usr/bin/env python3
"""Cut samples/fleet/ (metrics.csv.gz + topology.yaml) from the shared real traces.

Python 3.11 standard library only. Deterministic: same inputs -> byte-identical outputs
(gzip mtime is fixed to 0).

Usage (from the repository root):
    python3 samples/tools/cut_fleet.py --data /work/shared/data --out samples/fleet

Inputs (read-only):
    traces/bitbrains_rnd/vms/vm_<id>.csv.gz           per-VM usage, 5-min samples
    traces/alibaba_v2018_sample/machine_meta.csv      machine failure domains
    traces/alibaba_microservice_callgraphs/ms_dependency_edges.csv, ms_nodes.csv

See samples/fleet/README.md for what every choice means.
"""
from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import gzip
import io
import math
import os
import statistics

# ---------------------------------------------------------------- parameters
WINDOW_START = dt.datetime(2013, 8, 6, tzinfo=dt.timezone.utc)  # Tue 2013-08-06 00:00 UTC
WINDOW_DAYS = 7
STEP = 300                      # native Bitbrains step, seconds
SNAP_TOLERANCE = 150            # a grid point takes the nearest sample within +-150 s
N_VMS = 40
MIN_CPU_P99_PCT = 5.0           # "non-idle": 99th percentile CPU >= 5 % of provisioned

ZONE_FD2 = None                 # chosen by rule below (4 largest failure_domain_2 groups)
N_ZONES = 4
RACKS_PER_ZONE = 3

SERVICE = "S_25464072"          # Alibaba microservices-v2022 service (via DGG), 17 microservices
ENTRY_RATE_RPS = 100.0          # NOMINAL external request rate into the service (choice, see README)
BYTES_PER_CALL = 1024.0         # NOMINAL payload per call (choice; the trace has no sizes)
REQUESTS = {                    # NOMINAL per-replica requests by microservice label (choice)
    "normal": ("0.5", 0.5, "1Gi", 1 << 30),
    "Memcached": ("0.25", 0.25, "2Gi", 2 << 30),
    "database": ("1", 1.0, "4Gi", 4 << 30),
}
REPLICA_SHARE = 0.10            # >= 10 % of the service's traces touch it -> 2 replicas, else 1

NET_CAP = "125M"                # NOMINAL 1 GbE per direction = 125e6 bytes/s
NET_CAP_BYTES = 125e6
STORAGE_CAP = "250M"            # NOMINAL 250e6 bytes/s read+write
STORAGE_CAP_BYTES = 250e6

METRICS = [
    "auspex_host_cpu_used_cores",
    "auspex_host_memory_used_bytes",
    "auspex_host_network_receive_bytes_per_second",
    "auspex_host_network_transmit_bytes_per_second",
    "auspex_host_storage_throughput_bytes_per_second",
]


def iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt(x: float, nd: int) -> str:
    s = f"{x:.{nd}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------- Bitbrains
def load_vm(path: str, t0: int, t1: int):
    """Rows with timestamp in [t0 - 1 h, t1 + 1 h] (enough to snap the grid)."""
    out = []
    with gzip.open(path, "rt", newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            t = int(row[0])
            if t < t0 - 3600:
                continue
            if t > t1 + 3600:
                break
            out.append(row)
    return out


def snap(rows, t0: int, n: int):
    """Grid point g_k = t0 + 300 k takes the sample whose timestamp is nearest (ties -> earlier).
    Returns (rows on the grid, max |shift| s) or None if any grid point has no sample within tolerance."""
    ts = [int(r[0]) for r in rows]
    if not ts:
        return None
    out, j, worst = [], 0, 0
    for k in range(n):
        g = t0 + STEP * k
        while j + 1 < len(ts) and abs(ts[j + 1] - g) < abs(ts[j] - g):
            j += 1
        d = abs(ts[j] - g)
        if d > SNAP_TOLERANCE:
            return None
        worst = max(worst, d)
        out.append(rows[j])
    return out, worst


def pct(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def select_vms(vmdir: str, t0: int, n: int):
    t1 = t0 + STEP * (n - 1)
    cands, stats = [], collections.Counter()
    for name in sorted(os.listdir(vmdir)):
        if not name.endswith(".csv.gz"):
            continue
        vid = int(name[3:-7])
        stats["scanned"] += 1
        got = snap(load_vm(os.path.join(vmdir, name), t0, t1), t0, n)
        if got is None:
            stats["gap"] += 1
            continue
        g, worst = got
        prov = {(r[1], r[2], r[5]) for r in g}
        if len(prov) != 1:
            stats["provisioning_changes"] += 1
            continue
        cap_mhz, mem_kb = float(g[0][2]), float(g[0][5])
        cpu = [float(r[3]) / cap_mhz * 100 for r in g]
        mem = [float(r[6]) / mem_kb * 100 for r in g]
        if max(mem) > 100:
            stats["memory_above_capacity"] += 1
            continue
        p99 = pct(cpu, 0.99)
        if p99 < MIN_CPU_P99_PCT:
            stats["idle"] += 1
            continue
        cands.append(dict(vid=vid, rows=g, shift=worst, cpu_p99=p99, cpu_mean=statistics.fmean(cpu),
                          cpu_max=max(cpu), mem_max=max(mem)))
    cands.sort(key=lambda c: (-c["cpu_p99"], c["vid"]))
    stats["eligible"] = len(cands)
    return cands[:N_VMS], stats


def acf(x, lag):
    m = statistics.fmean(x)
    v = sum((a - m) ** 2 for a in x)
    return sum((x[i] - m) * (x[i + lag] - m) for i in range(len(x) - lag)) / v if v > 0 else 0.0


# ---------------------------------------------------------------- Alibaba machines
def choose_racks(meta_path: str):
    dom = collections.defaultdict(set)
    with open(meta_path, newline="") as f:
        for r in csv.DictReader(f):
            dom[r["machine_id"]].add((r["failure_domain_1"], r["failure_domain_2"]))
    cells = collections.defaultdict(list)
    for m, v in dom.items():
        if len(v) == 1:                     # machines whose domains never change across status rows
            fd1, fd2 = next(iter(v))
            if fd1 and fd2:                 # both domains present
                cells[(fd1, fd2)].append(m)
    per_fd2 = collections.Counter()
    for (fd1, fd2), ms in cells.items():
        per_fd2[fd2] += len(ms)
    zones = sorted(per_fd2, key=lambda z: (-per_fd2[z], int(z)))[:N_ZONES]
    out = []
    for zi, z in enumerate(zones, 1):
        cs = sorted([c for c in cells if c[1] == z], key=lambda c: (-len(cells[c]), int(c[0])))[:RACKS_PER_ZONE]
        racks = []
        for ri, c in enumerate(cs, 1):
            ms = sorted(cells[c], key=lambda m: int(m[2:]))
            racks.append(dict(id=f"rack-{zi}-{ri:02d}", fd1=c[0], fd2=c[1], machines=ms))
        out.append(dict(id=f"zone-{zi}", fd2=z, machines=per_fd2[z], racks=racks))
    return out


# ---------------------------------------------------------------- call graph
def load_service(cg_dir: str):
    edges, nodes = [], {}
    with open(os.path.join(cg_dir, "ms_dependency_edges.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["service"] == SERVICE:
                edges.append(r)
    with open(os.path.join(cg_dir, "ms_nodes.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["service"] == SERVICE:
                nodes[r["microservice"]] = (r["label"], int(r["traces_touching"]))
    with open(os.path.join(cg_dir, "services.csv"), newline="") as f:
        total = next(int(r["trace_count"]) for r in csv.DictReader(f) if r["service"].endswith(SERVICE))
    return edges, nodes, total


def comp_id(ms: str) -> str:
    # MS_normal+3.1 -> normal-3-1 ; MS_Memcached.2 -> memcached-2 ; MS_database.1 -> database-1
    s = ms[3:] if ms.startswith("MS_") else ms
    return s.replace("+", "-").replace(".", "-").lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default="samples/fleet")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    t0 = int(WINDOW_START.timestamp())
    n = WINDOW_DAYS * 86400 // STEP
    vms, stats = select_vms(os.path.join(a.data, "traces/bitbrains_rnd/vms"), t0, n)
    print("VM selection:", dict(stats))
    if len(vms) < N_VMS:
        raise SystemExit(f"only {len(vms)} eligible VMs")

    # ---- metrics
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unique_id", "ds", "y", "metric", "host"])
    hosts = []
    for c in sorted(vms, key=lambda c: c["vid"]):
        host = f"vm-{c['vid']:03d}"
        g = c["rows"]
        cores = int(g[0][1])
        core_mhz = float(g[0][2]) / cores
        series = {m: [] for m in METRICS}
        for r in g:
            series[METRICS[0]].append(fmt(float(r[3]) / core_mhz, 4))
            series[METRICS[1]].append(str(int(r[6]) * 1024))
            series[METRICS[2]].append(fmt(float(r[9]) * 1024, 2))
            series[METRICS[3]].append(fmt(float(r[10]) * 1024, 2))
            series[METRICS[4]].append(fmt((float(r[7]) + float(r[8])) * 1024, 2))
        for m in METRICS:
            uid = f"{host}/{m}"
            for k, y in enumerate(series[m]):
                w.writerow([uid, iso(t0 + STEP * k), y, m, host])
        used = [float(r[3]) / core_mhz for r in g]
        memb = [int(r[6]) * 1024 for r in g]
        c.update(host=host, cores=cores, mem_kb=int(g[0][5]),
                 cpu_peak=max(used), mem_peak=max(memb),
                 acf_day=acf([float(r[3]) for r in g], 288),
                 net_max=max(max(float(r[9]), float(r[10])) for r in g) * 1024,
                 disk_max=max(float(r[7]) + float(r[8]) for r in g) * 1024)
        hosts.append(c)
    raw = buf.getvalue().encode()
    with open(os.path.join(a.out, "metrics.csv.gz"), "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as z:
            z.write(raw)

    # ---- racks: deal hosts (ordered by CPU p99 desc) round-robin over the 12 racks
    zones = choose_racks(os.path.join(a.data, "traces/alibaba_v2018_sample/machine_meta.csv"))
    racks = [r for z in zones for r in z["racks"]]
    for r in racks:
        r["hosts"] = []
    for i, c in enumerate(sorted(hosts, key=lambda c: (-c["cpu_p99"], c["vid"]))):
        rack = racks[i % len(racks)]
        c["rack"] = rack["id"]
        c["machine"] = rack["machines"][len(rack["hosts"])]
        rack["hosts"].append(c)
    for r in racks:
        r["hosts"].sort(key=lambda c: c["vid"])

    # ---- components and dependencies
    edges, nodes, total_traces = load_service(os.path.join(a.data, "traces/alibaba_microservice_callgraphs"))
    comps = []
    for ms, (label, touching) in nodes.items():
        if ms == "USER":
            continue
        cpu_s, cpu_v, mem_s, mem_v = REQUESTS[label]
        comps.append(dict(ms=ms, id=comp_id(ms), label=label, touching=touching, cpu_s=cpu_s, cpu=cpu_v,
                          mem_s=mem_s, mem=mem_v, replicas=2 if touching >= REPLICA_SHARE * total_traces else 1))
    # greedy placement against spare = capacity - peak observed usage (7 days) - already placed requests
    spare = {c["host"]: [c["cores"] - c["cpu_peak"], c["mem_kb"] * 1024 - c["mem_peak"]] for c in hosts}
    rack_of = {c["host"]: c["rack"] for c in hosts}
    for comp in sorted(comps, key=lambda c: (-c["mem"], -c["cpu"], -c["touching"], c["id"])):
        comp["placement"] = []
        for _ in range(comp["replicas"]):
            used_racks = {rack_of[h] for h in comp["placement"]}
            fits = [h for h, (sc, sm) in spare.items()
                    if sc >= comp["cpu"] and sm >= comp["mem"] and h not in comp["placement"]]
            if not fits:
                raise SystemExit(f"no room for {comp['id']}")
            fits.sort(key=lambda h: (rack_of[h] in used_racks, -spare[h][0] / next(
                c["cores"] for c in hosts if c["host"] == h), h))
            h = fits[0]
            spare[h][0] -= comp["cpu"]
            spare[h][1] -= comp["mem"]
            comp["placement"].append(h)
    comps.sort(key=lambda c: c["id"])
    deps, dropped = [], []
    entry = None
    for e in sorted(edges, key=lambda e: (-float(e["calls_per_trace"]), e["caller"], e["callee"])):
        if e["caller"] == "USER":
            entry = e
            continue
        if e["caller"] == e["callee"]:
            dropped.append(e)
            continue
        cps = float(e["calls_per_trace"]) * ENTRY_RATE_RPS
        deps.append(dict(frm=comp_id(e["caller"]), to=comp_id(e["callee"]), cps=cps, bps=cps * BYTES_PER_CALL,
                         rpctype=e["rpctype"], calls=e["calls"]))

    # ---- YAML
    L = []
    L.append("# Auspex topology file, format version 1. Quantities take Kubernetes suffixes (Ki Mi Gi Ti, k M G T); durations like 250ms 10m 2h 1d.")
    L.append("# Generated by samples/tools/cut_fleet.py -- see samples/fleet/README.md for origin and every choice.")
    L.append("# Real: host cpu/memory (Bitbrains Rnd), zone/rack failure domains (Alibaba v2018 machine_meta),")
    L.append(f"# components and call-graph edges ({SERVICE}, Alibaba microservices-v2022 via DGG).")
    L.append(f"# Nominal (chosen, not data): network/storage capacities, tier price, requests, entry rate {ENTRY_RATE_RPS:g} req/s,")
    L.append(f"# {BYTES_PER_CALL:g} bytes/call, SLOs, maintenance window, policy.")
    L.append("version: 1")
    L.append("tenant: demo")
    L.append("tiers:")
    L.append("  - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}")
    L.append("regions:")
    L.append("  - id: region-1")
    L.append("    labels: {provider: onprem}")
    L.append("    zones:")
    for z in zones:
        L.append(f"      - id: {z['id']}")
        L.append(f"        labels: {{failure_domain_2: \"{z['fd2']}\"}}")
        L.append("        racks:")
        for r in z["racks"]:
            L.append(f"          - id: {r['id']}")
            L.append(f"            labels: {{failure_domain_1: \"{r['fd1']}\", failure_domain_2: \"{r['fd2']}\"}}")
            L.append("            hosts:")
            for c in r["hosts"]:
                kb = c["mem_kb"]
                mem = f"{kb // 1048576}Gi" if kb % 1048576 == 0 else f"{kb // 1024}Mi" if kb % 1024 == 0 else f"{kb}Ki"
                L.append(f"              - id: {c['host']}")
                L.append("                tier: standard")
                L.append(f"                capacity: {{cpu: {c['cores']}, memory: {mem}, network_in: {NET_CAP}, network_out: {NET_CAP}, storage_throughput: {STORAGE_CAP}}}")
                L.append(f"                labels: {{source_vm: \"{c['vid']}\", alibaba_machine: \"{c['machine']}\"}}")
    L.append("components:")
    svc = "s-" + SERVICE[2:]
    for c in comps:
        pl = ", ".join(c["placement"])
        L.append(f"  - {{id: {c['id']}, service: {svc}, requests: {{cpu: {c['cpu_s']}, memory: {c['mem_s']}}}, replicas: {c['replicas']}, placement: [{pl}], tiers: []}}")
    L.append("dependencies:")
    for d in deps:
        L.append(f"  - {{from: {d['frm']}, to: {d['to']}, calls_per_second: {fmt(d['cps'], 4)}, bytes_per_second: {fmt(d['bps'], 1)}}}")
    entry_comp = comp_id(entry["callee"])
    L.append("slos:")
    L.append(f"  - {{target: {entry_comp}, availability: 0.999, latency_p99: 250ms, forecast_quantile: 0.95}}")
    L.append("  - {target: database-1, availability: 0.9995, latency_p99: 50ms, forecast_quantile: 0.95}")
    mrack = racks[0]["id"]
    L.append("maintenance:")
    L.append(f"  - {{locality: {mrack}, from: \"2013-08-10T02:00:00Z\", to: \"2013-08-10T04:00:00Z\", reason: firmware upgrade (illustrative)}}")
    L.append("failures: []")
    L.append("policy:")
    L.append("  weights: {capacity: 0.4, risk: 0.3, cost: 0.15, network: 0.15}")
    L.append("  schedule:")
    L.append("    - {from_hour: 22, to_hour: 6, weights: {capacity: 0.35, risk: 0.25, cost: 0.3, network: 0.1}}")
    L.append("  overrides: []")
    L.append("  risk_tolerance: 0.5")
    L.append("  alert_below_desirability: 0.3")
    with open(os.path.join(a.out, "topology.yaml"), "w", newline="\n") as f:
        f.write("\n".join(L) + "\n")

    # ---- summary for the README (printed, and written as a small CSV)
    with open(os.path.join(a.out, "hosts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["host", "source_vm", "rack", "zone", "alibaba_machine", "failure_domain_1", "failure_domain_2",
                    "cores", "memory_bytes", "cpu_pct_mean", "cpu_pct_p99", "cpu_pct_max", "memory_pct_max",
                    "cpu_daily_autocorr", "network_max_bytes_per_second", "storage_max_bytes_per_second",
                    "max_snap_shift_s"])
        zone_of = {r["id"]: (z["id"], r) for z in zones for r in z["racks"]}
        for c in sorted(hosts, key=lambda c: c["vid"]):
            z, r = zone_of[c["rack"]]
            w.writerow([c["host"], c["vid"], c["rack"], z, c["machine"], r["fd1"], r["fd2"], c["cores"],
                        c["mem_kb"] * 1024, fmt(c["cpu_mean"], 2), fmt(c["cpu_p99"], 2), fmt(c["cpu_max"], 2),
                        fmt(c["mem_max"], 2), fmt(c["acf_day"], 2), fmt(c["net_max"], 0), fmt(c["disk_max"], 0),
                        c["shift"]])
    print("window:", iso(t0), "->", iso(t0 + STEP * (n - 1)), n, "points")
    print("zones:", [(z["id"], z["fd2"], [(r["id"], r["fd1"], len(r["hosts"])) for r in z["racks"]]) for z in zones])
    print("components:", len(comps), "replicas:", sum(c["replicas"] for c in comps), "deps:", len(deps),
          "dropped self-loops:", [(e["caller"], e["callee"]) for e in dropped], "entry:", entry["callee"])
    print("max snap shift s:", max(c["shift"] for c in hosts))
    print("rows:", raw.count(b"\n") - 1)


if __name__ == "__main__":
    main()
