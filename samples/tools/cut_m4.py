#!/usr/bin/env python3
"""Cut samples/m4/: 20 M4 Hourly series (train + 48-step test) in long format.

Python 3.11 standard library only. Usage (from the repository root):
    python3 samples/tools/cut_m4.py --data /work/shared/data --out samples/m4

Series: H1, H21, H41, ..., H381 (every 20th id, starting at H1). Values are copied as written in the M4 files.
ds is the integer time step: 1..n for train, n+1..n+48 for test (n = that series' train length).
"""
import argparse
import csv
import os

IDS = [f"H{i}" for i in range(1, 400, 20)]   # H1, H21, ..., H381: 20 ids
HORIZON = 48


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        return {row[0]: [v for v in row[1:] if v != ""] for row in r}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default="samples/m4")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    train = read(os.path.join(a.data, "m4/Hourly-train.csv"))
    test = read(os.path.join(a.data, "m4/Hourly-test.csv"))
    with open(os.path.join(a.out, "hourly_train.csv"), "w", newline="") as ft, \
            open(os.path.join(a.out, "hourly_test.csv"), "w", newline="") as fs, \
            open(os.path.join(a.out, "hourly_info.csv"), "w", newline="") as fi:
        wt, ws, wi = (csv.writer(x, lineterminator="\n") for x in (ft, fs, fi))
        wt.writerow(["unique_id", "ds", "y"])
        ws.writerow(["unique_id", "ds", "y"])
        wi.writerow(["unique_id", "train_length", "horizon", "frequency", "first_test_ds"])
        for sid in IDS:
            tr, te = train[sid], test[sid]
            assert len(te) == HORIZON
            for k, v in enumerate(tr, 1):
                wt.writerow([sid, k, v])
            for k, v in enumerate(te, len(tr) + 1):
                ws.writerow([sid, k, v])
            wi.writerow([sid, len(tr), HORIZON, 24, len(tr) + 1])
            print(sid, len(tr))


if __name__ == "__main__":
    main()
