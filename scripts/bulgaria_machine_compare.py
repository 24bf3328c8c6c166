#!/usr/bin/env python3
"""Independent check of `ashyq compare` on the Bulgarian machine votes (used by
crates/ashyq-cli/tests/compare.rs): reads the raw CIK open-data CSVs of one election folder
directly (standard library only) and compares the machine votes written on the protocols
(50_votes_machine) with the machines' own data (50_votes_machine_from_machine_data), section by
section. Party codes >= 100 are summary lines and are ignored; within a section that has rows, a
ballot number without a row has 0 votes.

Prints one JSON object: stations_compared, stations_missing, stations_extra, stations_differing,
abs_diff, missing (section ids), differing ({section id: abs diff}).
"""
import csv
import gzip
import json
import sys
from collections import defaultdict


def load(path):
    votes = defaultdict(dict)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter=";"):
            code = int(r["party"])
            if code >= 100:
                continue
            votes[r["section_id"]][code] = votes[r["section_id"]].get(code, 0) + int(r["votes"])
    return votes


def main(folder):
    protocol = load(folder + "/50_votes_machine.csv.gz")
    machine = load(folder + "/50_votes_machine_from_machine_data.csv.gz")
    both = sorted(set(protocol) & set(machine))
    differing = {}
    total = 0
    for s in both:
        codes = set(protocol[s]) | set(machine[s])
        d = sum(abs(protocol[s].get(c, 0) - machine[s].get(c, 0)) for c in codes)
        total += d
        if d:
            differing["BG-" + s] = d
    out = {
        "stations_compared": len(both),
        "stations_missing": len(set(protocol) - set(machine)),
        "stations_extra": len(set(machine) - set(protocol)),
        "stations_differing": len(differing),
        "abs_diff": total,
        "missing": sorted("BG-" + s for s in set(protocol) - set(machine)),
        "differing": differing,
    }
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
