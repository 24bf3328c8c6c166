#!/usr/bin/env bash
# Benchmark: `ashyq tally` against DuckDB on the same counts.csv, side by side in one run
# (issue 3 item 10; BRIEF.md "Scale and speed"). Prints a Markdown report for BENCHMARKS.md.
#
#   scripts/bench-tally.sh [--reps N] [--regenerate]
#
# Packages are generated once and cached in target/bench-data: `ashyq generate` with 1,000,000
# and 10,000 stations (seed 1; stations grouped by district), and a 1,000,000-station package in
# another layout from scripts/gen-numbered-layout.py (stations listed by number, each in a random
# district, 13 lines each), so that the fast path is measured on a layout it was not tuned on.
# `--regenerate` deletes the cache first, so the generation time is measured too.
# DuckDB is the Python package (installed with `pip install duckdb` if missing); its time is
# the query alone, inside one Python process that has already imported duckdb and connected —
# the harshest comparison for ashyq, whose time is the whole process (reading election.toml,
# units.csv and counts.csv, validating every row, rolling up, printing).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=5
REGEN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --regenerate) REGEN=1; shift ;;
    *) echo "usage: $0 [--reps N] [--regenerate]" >&2; exit 2 ;;
  esac
done
python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb
cargo build --release -p ashyq-cli >&2
BIN="$PWD/target/release/ashyq"
DATA="$PWD/target/bench-data"
mkdir -p "$DATA"
[ "$REGEN" = 1 ] && rm -rf "$DATA/kz-1m" "$DATA/kz-10k" "$DATA/numbered-1m" "$DATA/generate-times.txt"
if [ ! -f "$DATA/numbered-1m/counts.csv" ]; then
  python3 scripts/gen-numbered-layout.py --stations 1000000 --seed 7 --out "$DATA/numbered-1m" >&2
fi
for spec in "kz-1m 1000000" "kz-10k 10000"; do
  set -- $spec
  if [ ! -f "$DATA/$1/counts.csv" ]; then
    rm -rf "$DATA/$1"
    start=$(date +%s.%N)
    "$BIN" generate --stations "$2" --seed 1 --out "$DATA/$1" >&2
    end=$(date +%s.%N)
    echo "$1 $(echo "$end - $start" | bc)" >> "$DATA/generate-times.txt"
  fi
done
python3 - "$BIN" "$DATA" "$REPS" <<'PY'
import os, statistics, subprocess, sys, time, platform, datetime
import duckdb

binary, data, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])

import resource

def run_ashyq(pkg, extra=()):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([binary, "tally", pkg, "--format", "csv", *extra], check=True, capture_output=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return time.perf_counter() - t, out.stdout.decode(), cpu

def run_duckdb(con, counts):
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    rows = con.sql(f"select contest, line, sum(value) from read_csv('{counts}') group by contest, line").fetchall()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return time.perf_counter() - t, rows, cpu

def fmt(xs):
    return f"min {min(xs):.3f} s, median {statistics.median(xs):.3f} s"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
print(f"- machine: {os.cpu_count()} cores (nproc), CPU {cpu}, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, Linux {platform.release()}")
threads = duckdb.sql("select current_setting('threads')").fetchall()[0][0]
print(f"- DuckDB {duckdb.__version__} (Python), threads = {threads}")
gen = {}
if os.path.exists(f"{data}/generate-times.txt"):
    for line in open(f"{data}/generate-times.txt"):
        k, v = line.split()
        gen[k] = float(v)
for name in ["kz-1m", "numbered-1m", "kz-10k"]:
    pkg = f"{data}/{name}"
    counts = f"{pkg}/counts.csv"
    size = os.path.getsize(counts)
    n_rows = sum(1 for _ in open(counts, "rb")) - 1 if name == "kz-10k" else None
    con = duckdb.connect()
    # Warm the page cache and check that both agree on the national sums.
    _, csv_out, _ = run_ashyq(pkg)
    _, rows, _ = run_duckdb(con, counts)
    ours = {(c, l): int(v) for c, u, l, v in (r.split(",") for r in csv_out.splitlines()[1:])}
    theirs = {(c, l): int(s) for c, l, s in rows}
    assert ours == theirs, "ashyq and DuckDB disagree"
    a, d, ac, dc = [], [], [], []
    for _ in range(reps):
        wall, _, cpu = run_ashyq(pkg)
        a.append(wall)
        ac.append(cpu)
        wall, _, cpu = run_duckdb(con, counts)
        d.append(wall)
        dc.append(cpu)
    print(f"\n### {name}: counts.csv {size / 1e6:.0f} MB" + (f", {n_rows:,} rows" if n_rows else ""))
    if name in gen:
        stations = {"kz-1m": 1000000, "kz-10k": 10000}[name]
        print(f"- `ashyq generate --stations {stations} --seed 1`: {gen[name]:.2f} s (one run, when the cache was built)")
    print(f"- `ashyq tally {name} --format csv` (whole process, release build): {fmt(a)}")
    print(f"- DuckDB `select contest, line, sum(value) from read_csv(...) group by contest, line` (query only): {fmt(d)}")
    print(f"- ratio ashyq / DuckDB: median {statistics.median(a) / statistics.median(d):.2f}, min {min(a) / min(d):.2f}")
    print(f"- CPU time (user + system, all threads), median: ashyq {statistics.median(ac):.3f} s, DuckDB {statistics.median(dc):.3f} s, ratio {statistics.median(ac) / statistics.median(dc):.2f}")
    print(f"- national sums identical: yes ({len(ours)} (contest, line) pairs)")
PY
