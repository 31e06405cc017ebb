#!/usr/bin/env python3
"""Copy a small NAB subset into samples/nab/ (byte-for-byte CSVs, labels filtered to the same keys).

Python 3.11 standard library only. Usage (from the repository root):
    python3 samples/tools/cut_nab.py --data /work/shared/data --out samples/nab
"""
import argparse
import json
import os
import shutil

FILES = [
    "artificialNoAnomaly/art_daily_no_noise.csv",
    "artificialWithAnomaly/art_daily_jumpsup.csv",
    "realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv",
    "realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv",
    "realKnownCause/ec2_request_latency_system_failure.csv",
    "realKnownCause/machine_temperature_system_failure.csv",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default="samples/nab")
    a = ap.parse_args()
    src = os.path.join(a.data, "nab")
    for f in FILES:
        os.makedirs(os.path.join(a.out, os.path.dirname(f)), exist_ok=True)
        shutil.copyfile(os.path.join(src, f), os.path.join(a.out, f))
    os.makedirs(os.path.join(a.out, "labels"), exist_ok=True)
    for name in ("combined_windows.json", "combined_labels.json"):
        with open(os.path.join(src, "labels", name)) as fh:
            d = json.load(fh)
        sub = {k: d[k] for k in FILES}
        with open(os.path.join(a.out, "labels", name), "w", newline="\n") as fh:
            fh.write(json.dumps(sub, indent=4, sort_keys=True) + "\n")   # NAB's own formatting
        print(name, {k: len(v) for k, v in sub.items()})


if __name__ == "__main__":
    main()
