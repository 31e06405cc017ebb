#!/usr/bin/env python3
"""How much of the superposed NASA trace's minute-to-minute growth comes from the local level (session 10, lead).

Replays samples/traces/nasa_http_1995-08-01_9d.csv as the simulator's superposition rescaling does
(Simulator.Rates: level = centred mean of 2w+1 minutes, rate = level*k + (raw - level)*sqrt(k), k so the peak needs
40 replicas of 80 req/s) and prints, over the reported part (after the first 40 %), the sd and the 0.999 quantile of
the 2-minute log growth of the rescaled rate, beside the sd of the level term's own 2-minute log growth.
Usage (repository root, Python 3 with numpy): python3 bench/Auspex.Bench.Simulation/tools/superposition_noise.py
"""
import csv
import math
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "samples/traces/nasa_http_1995-08-01_9d.csv"
raw = np.array([float(r["value"]) for r in csv.DictReader(open(path))]) / 60
k = 40 * 80 / raw.max()
n = len(raw)
start = int(0.4 * n)


def level(w):
    return np.array([raw[max(0, i - w):min(n, i + w + 1)].mean() for i in range(n)])


def growth(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(x[2:] / x[:-2])
    return g[np.isfinite(g)]


for w in (5, 15, 30, 60):
    lv = level(w)
    rate = np.maximum(0, lv * k + (raw - lv) * math.sqrt(k))
    g = growth(rate[start:])
    print(f"level ±{w} min: 2-min log growth sd {g.std():.4f}, 0.999 quantile x{math.exp(np.quantile(g, 0.999)):.3f}; "
          f"level term alone sd {growth(lv[start:]).std():.4f}")
