#!/usr/bin/env python3
"""The peer of `ashyq register check` in the register benchmark (scripts/bench-register.sh):
DuckDB classifying the same voters file by the same rules, written independently in SQL from
the law digest (§8.5-8.6): the IIN (12 digits, century/sex digit 1-6, a real date, the two-pass
check digit), duplicates among valid IINs, birth date = the IIN's date, age 18 on election day,
known station; each row counted under its first failing reason.

DuckDB reads the CSV with ignore_errors=true: the malformed lines (wrong field count, invalid
UTF-8, unclosed quote) are skipped, so its "rows" is ashyq's rows - malformed.

Usage: register_duckdb.py VOTERS STATIONS ELECTION_DATE [--reps N] [--threads T]
Prints one JSON line per repetition: {"seconds": s, "rows": .., "accepted": .., "rejected": {..}}
(timing covers the query only, after `import duckdb` and connect).
"""
import argparse
import json
import time

import duckdb

W1 = list(range(1, 12))
W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def checksum(weights):
    return " + ".join(f"d{i + 1} * {w}" for i, w in enumerate(weights))


def query(voters: str, stations: str, election: str) -> str:
    digits = ", ".join(f"try_cast(substr(iin, {i}, 1) AS INTEGER) AS d{i}" for i in range(1, 13))
    return f"""
WITH raw AS (
  SELECT iin, birth_date, station
  FROM read_csv('{voters}', header = true, all_varchar = true, ignore_errors = true,
                quote = '"', escape = '"',
                columns = {{'iin': 'VARCHAR', 'full_name': 'VARCHAR', 'birth_date': 'VARCHAR', 'station': 'VARCHAR'}})
),
st AS (
  SELECT station AS id FROM read_csv('{stations}', header = true, all_varchar = true)
),
d AS (
  SELECT iin, birth_date, station, {digits},
         regexp_full_match(coalesce(iin, ''), '[0-9]{{12}}') AS shape_ok
  FROM raw
),
c AS (
  SELECT *,
    CASE d7 WHEN 1 THEN 18 WHEN 2 THEN 18 WHEN 3 THEN 19 WHEN 4 THEN 19 WHEN 5 THEN 20 WHEN 6 THEN 20 END AS century,
    ({checksum(W1)}) % 11 AS k1,
    ({checksum(W2)}) % 11 AS k2
  FROM d
),
v AS (
  SELECT *,
    try_cast(printf('%04d-%s-%s', century * 100 + d1 * 10 + d2, substr(iin, 3, 2), substr(iin, 5, 2)) AS DATE) AS born,
    CASE WHEN k1 <> 10 THEN k1 WHEN k2 <> 10 THEN k2 END AS k
  FROM c
),
valid AS (
  SELECT *, shape_ok AND century IS NOT NULL AND born IS NOT NULL AND k IS NOT NULL AND k = d12 AS ok
  FROM v
),
dup AS (
  SELECT *, CASE WHEN ok THEN count(*) OVER (PARTITION BY CASE WHEN ok THEN iin END) ELSE 0 END AS copies
  FROM valid
),
r AS (
  SELECT CASE
    WHEN NOT ok THEN 'invalid_iin'
    WHEN copies > 1 THEN 'duplicate_iin'
    WHEN birth_date IS DISTINCT FROM strftime(born, '%Y-%m-%d') THEN 'birth_date_mismatch'
    WHEN born > DATE '{election}' - INTERVAL 18 YEAR THEN 'under_18'
    WHEN station NOT IN (SELECT id FROM st) OR station IS NULL THEN 'unknown_station'
    ELSE 'accepted' END AS reason
  FROM dup
)
SELECT reason, count(*) FROM r GROUP BY reason
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("voters")
    ap.add_argument("stations")
    ap.add_argument("election")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    sql = query(a.voters, a.stations, a.election)
    for _ in range(a.reps):
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        s = time.perf_counter() - t
        by = dict(rows)
        out = {
            "seconds": round(s, 3),
            "rows": sum(by.values()),
            "accepted": by.get("accepted", 0),
            "rejected": {r: by.get(r, 0) for r in
                         ["invalid_iin", "duplicate_iin", "birth_date_mismatch", "under_18", "unknown_station"]},
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
