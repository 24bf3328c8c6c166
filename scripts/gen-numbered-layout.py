#!/usr/bin/env python3
"""A package in another layout than `ashyq generate` writes, for the tally benchmark.

Stations are numbered S0000001 … and listed by number in both units.csv and counts.csv, each
assigned to a district drawn at random (so consecutive stations belong to different districts
and regions, unlike `ashyq generate`, which groups stations by district); 13 lines per station
(the nine protocol lines and four options). Deterministic: `--seed`.

    scripts/gen-numbered-layout.py --stations 1000000 --seed 7 --out DIR
"""
import argparse
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("--stations", type=int, default=1_000_000)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--out", required=True)
a = ap.parse_args()
rng = random.Random(a.seed)
os.makedirs(a.out, exist_ok=True)
options = ["alpha", "beta", "gamma", "against-all"]
with open(os.path.join(a.out, "election.toml"), "w") as f:
    f.write('# Synthetic benchmark package: stations numbered, not grouped by district.\n')
    f.write('[election]\nid = "numbered"\nname = "Numbered layout"\ndate = "2026-01-01"\nrules = "none"\n\n')
    f.write('[[contest]]\nid = "p"\nkind = "presidential"\nterritory = "KZ"\n')
    for o in options:
        f.write(f'\n[[contest.option]]\nid = "{o}"\nname = "{o}"\n')
        if o == "against-all":
            f.write('kind = "against-all"\n')
regions = [f"R{r:02d}" for r in range(20)]
districts = [(f"{r}-D{d:02d}", r) for r in regions for d in range(10)]
with open(os.path.join(a.out, "units.csv"), "w") as u, open(os.path.join(a.out, "counts.csv"), "w") as c:
    u.write("id,parent,kind,name\nKZ,,country,Country\n")
    for r in regions:
        u.write(f"{r},KZ,region,Region {r}\n")
    for d, r in districts:
        u.write(f"{d},{r},district,District {d}\n")
    c.write("contest,unit,line,value\n")
    ub, cb = [], []
    for s in range(1, a.stations + 1):
        sid = f"S{s:07d}"
        d = districts[rng.randrange(len(districts))][0]
        ub.append(f"{sid},{d},station,Station {s}\n")
        reg = rng.randrange(500, 2500)
        issued = reg * rng.randrange(40, 90) // 100
        invalid = issued // 50
        votes = issued - invalid
        v = [votes * w // 100 for w in (55, 25, 12)]
        v.append(votes - sum(v))
        lines = [("registered", reg), ("ballots_received", reg), ("ballots_issued", issued),
                 ("ballots_cancelled", reg - issued), ("ballots_found", issued), ("invalid", invalid),
                 ("not_counted", 0), ("absentee", issued // 100), ("mobile", issued // 40)]
        lines += list(zip(options, v))
        cb.append("".join(f"p,{sid},{l},{x}\n" for l, x in lines))
        if len(cb) >= 10000:
            u.write("".join(ub)); c.write("".join(cb)); ub, cb = [], []
    u.write("".join(ub)); c.write("".join(cb))
