#!/usr/bin/env python3
"""Cut samples/traces/ (per-minute request counts for the simulator) from the shared real traces.

Python 3.11 standard library only. Usage (from the repository root):
    python3 samples/tools/cut_traces.py --data /work/shared/data --out samples/traces

Output CSV columns: timestamp (UTC ISO-8601, start of the minute), value (requests in that minute).
Rows are copied unchanged from the shared per-minute files; only the time range is cut.
"""
import argparse
import csv
import gzip
import os

CUTS = [
    # (output file, shared file, first minute inclusive, last minute exclusive)
    ("worldcup98_1998-07-02_7d.csv", "traces/worldcup98/requests_per_minute.csv.gz",
     "1998-07-02T22:00:00Z", "1998-07-09T22:00:00Z"),
    ("nasa_http_1995-08-01_9d.csv", "traces/nasa_http_1995/requests_per_minute.csv.gz",
     "1995-08-01T04:00:00Z", "1995-08-10T04:00:00Z"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default="samples/traces")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for out, src, lo, hi in CUTS:
        n = 0
        prev = None
        with gzip.open(os.path.join(a.data, src), "rt", newline="") as f, \
                open(os.path.join(a.out, out), "w", newline="") as g:
            w = csv.writer(g, lineterminator="\n")
            w.writerow(["timestamp", "value"])
            for r in csv.DictReader(f):
                t = r["timestamp_utc"]
                if lo <= t < hi:        # ISO strings of one fixed format compare like times
                    ts = int(r["unix_ts"])
                    if prev is not None and ts - prev != 60:
                        raise SystemExit(f"{out}: gap before {t}")
                    prev = ts
                    w.writerow([t, r["requests"]])
                    n += 1
        print(out, n, "rows")


if __name__ == "__main__":
    main()
