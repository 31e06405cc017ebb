#!/usr/bin/env python3
"""Cut samples/failures/: whole original lines (byte-for-byte) filtered from the shared failure records.

Python 3.11 standard library only. Usage (from the repository root):
    python3 samples/tools/cut_failures.py --data /work/shared/data --out samples/failures

- lanl_system3_failures.csv: header + every record of LANL system 3 (first CSV field == "3").
- olcf_alpine_disk_failures_2022.csv: header + every Alpine disk-failure event whose Timestamp is in 2022 (local time as written).
"""
import argparse
import csv
import gzip
import io
import os


def cut(lines, keep):
    out = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader(io.StringIO(line)))
        if keep(row):
            out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default="samples/failures")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with gzip.open(os.path.join(a.data, "traces/lanl_failures_1996_2005/failures.csv.gz"), "rt", newline="") as f:
        lanl = f.read().splitlines(keepends=True)
    with open(os.path.join(a.data, "traces/hpc_disk_failures/alpine_olcf_summit_disk_failures.csv"), newline="") as f:
        olcf = f.read().splitlines(keepends=True)
    for name, lines, keep in [
        ("lanl_system3_failures.csv", lanl, lambda r: r[0] == "3"),
        ("olcf_alpine_disk_failures_2022.csv", olcf, lambda r: r[1].startswith("2022-")),
    ]:
        out = cut(lines, keep)
        with open(os.path.join(a.out, name), "w", newline="") as g:
            g.writelines(out)
        print(name, len(out) - 1, "records")


if __name__ == "__main__":
    main()
