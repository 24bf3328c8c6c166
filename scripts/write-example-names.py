#!/usr/bin/env python3
"""Writes names.csv (Kazakh and Russian names) into every example package from data/names-kz.csv.

Units are matched by id; contests and options by id (options of every contest); the election's
own name is composed from its date and kind. Ids without a translation keep the package's name.
Run from the repository root: scripts/write-example-names.py
"""
import csv, os, re, tomllib

table = {}
with open("data/names-kz.csv", newline="") as f:
    for r in csv.DictReader(f):
        table[(r["kind"], r["id"])] = (r["kk"], r["ru"])

KIND = {"mazhilis": ("Мәжіліс депутаттарын сайлау", "Выборы депутатов Мажилиса"),
        "presidential": ("Қазақстан Республикасының Президентін сайлау", "Выборы Президента Республики Казахстан"),
        "referendum": ("Республикалық референдум", "Республиканский референдум"),
        "maslikhat": ("Мәслихат депутаттарын сайлау", "Выборы депутатов маслихатов")}

for d in sorted(os.listdir("examples")):
    p = os.path.join("examples", d)
    if not os.path.isfile(os.path.join(p, "election.toml")):
        continue
    e = tomllib.load(open(os.path.join(p, "election.toml"), "rb"))
    rows = []
    date = e["election"]["date"]
    kind = next((k for k in KIND if k in d), None)
    if kind:
        kk, ru = KIND[kind]
        rows += [("election", "", "kk", f"{kk}, {date}"), ("election", "", "ru", f"{ru}, {date}")]
    for c in e.get("contest", []):
        cid = c["id"]
        key = ("contest", cid) if ("contest", cid) in table else ("contest", re.sub(r"-list$", "", cid) + "-list")
        if ("contest", cid) in table:
            kk, ru = table[("contest", cid)]
            rows += [("contest", cid, "kk", kk), ("contest", cid, "ru", ru)]
        for o in c.get("option", []):
            if ("option", o["id"]) in table:
                kk, ru = table[("option", o["id"])]
                rows += [("option", f"{cid}/{o['id']}", "kk", kk), ("option", f"{cid}/{o['id']}", "ru", ru)]
    with open(os.path.join(p, "units.csv"), newline="") as f:
        for u in csv.DictReader(f):
            if ("unit", u["id"]) in table:
                kk, ru = table[("unit", u["id"])]
                rows += [("unit", u["id"], "kk", kk), ("unit", u["id"], "ru", ru)]
    with open(os.path.join(p, "names.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kind", "id", "lang", "name"])
        w.writerows(rows)
    print(f"{p}: {len(rows)} names")
