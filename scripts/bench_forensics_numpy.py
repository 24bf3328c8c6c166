#!/usr/bin/env python3
"""The numpy peer of `ashyq forensics` (BENCHMARKS.md): Kobak, Shpilkin & Pshenichnikov's
integer-percentage Monte Carlo exactly as in their code (github.com/dkobak/elections,
significance2018/elections2018.ipynb, `anomaly`: full binomial draws for every station and
replicate, vectorised over stations) and the turnout × leader's-share fingerprint
(np.histogram2d), on an election package's counts.csv.

Usage: bench_forensics_numpy.py PACKAGE [--replicates 1000] [--seed 42]
Prints one JSON object: the results (to check against ashyq's) and the times (reading the
package is timed separately and not counted as the peer's compute time).
"""
import csv
import json
import sys
import time

import numpy as np

PROTOCOL = {"registered", "ballots_received", "ballots_issued", "ballots_cancelled", "ballots_found",
            "invalid", "not_counted", "absentee", "mobile"}


def read(pkg):
    units, reg, iss, inv, votes = {}, [], [], [], {}
    with open(f"{pkg}/counts.csv", newline="") as f:
        r = csv.reader(f)
        next(r)
        for contest, unit, line, value in r:
            i = units.get(unit)
            if i is None:
                i = units[unit] = len(units)
                reg.append(0), iss.append(0), inv.append(0)
            v = int(value)
            if line == "registered":
                reg[i] = v
            elif line == "ballots_issued":
                iss[i] = v
            elif line in ("invalid", "not_counted"):
                inv[i] += v
            elif line not in PROTOCOL:
                votes.setdefault(line, {})[i] = v
    n = len(units)
    opts = {k: np.array([d.get(i, 0) for i in range(n)], dtype=np.int64) for k, d in votes.items()}
    leader_id = max(opts, key=lambda k: opts[k].sum())
    valid = sum(opts.values())
    return np.array(reg), np.array(iss), np.array(inv) + valid, opts[leader_id], leader_id


def main():
    pkg = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--replicates") + 1]) if "--replicates" in sys.argv else 1000
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    t0 = time.perf_counter()
    voters, given, received, leader, leader_id = read(pkg)
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    # Kobak et al.'s inclusion rules and window.
    ind = (received > 0) & (voters >= 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        ind &= (given / voters <= .99) & (leader / received <= .99)
    V, G, R, L = voters[ind], given[ind], received[ind], leader[ind]
    p1 = 100 * L / R
    p2 = 100 * G / V
    i1 = np.abs(p1 - np.round(p1)) <= 0.05
    i2 = np.abs(p2 - np.round(p2)) <= 0.05
    observed = np.array([np.sum(i1 | i2), np.sum(i2), np.sum(i1)])
    rng = np.random.default_rng(seed)
    sims = np.zeros((reps, 3))
    chunk = 25
    for start in range(0, reps, chunk):
        k = min(chunk, reps - start)
        lb = rng.binomial(R, L / R, size=(k, R.size))
        gb = rng.binomial(V, G / V, size=(k, V.size))
        q1 = 100 * lb / R
        q2 = 100 * gb / V
        j1 = np.abs(q1 - np.round(q1)) <= 0.05
        j2 = np.abs(q2 - np.round(q2)) <= 0.05
        sims[start:start + k, 0] = np.sum(j1 | j2, axis=1)
        sims[start:start + k, 1] = np.sum(j2, axis=1)
        sims[start:start + k, 2] = np.sum(j1, axis=1)
    t_mc = time.perf_counter() - t0

    t0 = time.perf_counter()
    ok = (voters > 0) & (received > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.minimum(given[ok] / voters[ok], 1.0)
        v = leader[ok] / received[ok]
    h, _, _ = np.histogram2d(np.minimum(t, 0.999999), np.minimum(v, 0.999999), bins=100, range=[[0, 1], [0, 1]])
    t_fp = time.perf_counter() - t0

    mean, sd = sims.mean(axis=0), sims.std(axis=0)
    print(json.dumps({
        "leader": leader_id,
        "included": int(ind.sum()),
        "observed": observed.tolist(),
        "expected": mean.round(2).tolist(),
        "excess": (observed - mean).round(2).tolist(),
        "sd": sd.round(2).tolist(),
        "fingerprint_stations": int(h.sum()),
        "seconds_read": round(t_read, 3),
        "seconds_monte_carlo": round(t_mc, 3),
        "seconds_fingerprint": round(t_fp, 4),
        "seconds_compute": round(t_mc + t_fp, 3),
    }))


if __name__ == "__main__":
    main()
