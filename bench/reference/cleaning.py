#!/usr/bin/python3
"""pandas reference for `npm run bench -- cleaning`: the flights pipeline on a CSV.

usage: /usr/bin/python3 bench/reference/cleaning.py FLIGHTS.csv
Steps (each timed): read_csv, dropna, min-max of delay/distance/hour, get_dummies(origin),
groupby(destination).mean(). Prints one JSON line: seconds per step, total, peak RSS (MiB),
and checksums of the result so the TypeScript run can be compared with it.
"""
import json
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
times = {}
t0 = time.perf_counter()
t = t0
df = pd.read_csv(path)
times["read"] = time.perf_counter() - t
t = time.perf_counter()
df = df.dropna()
times["dropMissing"] = time.perf_counter() - t
t = time.perf_counter()
cols = ["delay", "distance", "hour"]
mins, maxs = df[cols].min(), df[cols].max()
df[cols] = (df[cols] - mins) / (maxs - mins)
times["minMax"] = time.perf_counter() - t
t = time.perf_counter()
df = pd.get_dummies(df, columns=["origin"])
times["oneHot"] = time.perf_counter() - t
t = time.perf_counter()
means = df.drop(columns=["date"]).groupby("destination").mean()
times["groupMeans"] = time.perf_counter() - t
total = time.perf_counter() - t0
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "engine": f"pandas {pd.__version__}",
    "rows": int(len(df)),
    "seconds": times,
    "total": total,
    "peakRssMiB": peak_mib,
    "groups": int(len(means)),
    "columns": int(means.shape[1]),
    "checksum": {
        "delay": float(means["delay"].sum()),
        "distance": float(means["distance"].sum()),
        "hour": float(means["hour"].sum()),
        "origin_ATL": float(means["origin_ATL"].sum()),
        "all": float(means.to_numpy().sum()),
    },
}))
