#!/usr/bin/env bash
# Benchmark: `ashyq import` of a package into SQLite against the sqlite3 shell's own bulk
# loader (`.import --csv counts.csv`) on the same counts.csv, side by side in one run
# (issue 3 item 10), then the national re-tally from each database (`ashyq tally --db` against
# sqlite3 summing the copied rows). Prints Markdown tables for BENCHMARKS.md.
#
#   scripts/bench-import.sh [--reps N] [--stations N]
#
# The package is generated once and cached in target/bench-data (seed 1; default 1,000,000
# stations, the same package as scripts/bench-tally.sh). Each repetition starts from an empty
# database file on the same disk. sqlite3 is Debian's package (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=3
STATIONS=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --stations) STATIONS="$2"; shift 2 ;;
    *) echo "usage: $0 [--reps N] [--stations N]" >&2; exit 2 ;;
  esac
done
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; } >&2
cargo build --release -p ashyq-cli >&2
BIN="$PWD/target/release/ashyq"
DATA="$PWD/target/bench-data"
PKG="$DATA/kz-$STATIONS"
[ "$STATIONS" = 1000000 ] && PKG="$DATA/kz-1m"
[ "$STATIONS" = 10000 ] && PKG="$DATA/kz-10k"
mkdir -p "$DATA"
[ -f "$PKG/counts.csv" ] || "$BIN" generate --stations "$STATIONS" --seed 1 --out "$PKG" >&2
WORK="$DATA/import-work"
mkdir -p "$WORK"
python3 - "$BIN" "$PKG" "$WORK" "$REPS" <<'PY'
import glob, os, statistics, subprocess, sys, time, datetime, resource
binary, pkg, work, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def clean():
    for f in glob.glob(os.path.join(work, "*.db*")):
        os.remove(f)

def timed(cmd, db):
    for f in glob.glob(db + "*"):
        os.remove(f)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t

ashyq, peer = [], []
for _ in range(reps):
    ashyq.append(timed([binary, "import", pkg, "--db", f"sqlite:{work}/ashyq.db"], f"{work}/ashyq.db"))
    peer.append(timed(["sqlite3", f"{work}/peer.db", f".import --csv {pkg}/counts.csv counts"], f"{work}/peer.db"))

# National re-tally from the databases just filled (the last repetition's): ashyq reads the
# latest version of every protocol and rolls every contest up the tree; the peer sums the
# copied rows by (contest, line). Both print the national totals.
def run(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t, out

tally_a, tally_p = [], []
for _ in range(reps):
    ta, out_a = run([binary, "tally", "--db", f"sqlite:{work}/ashyq.db", "--format", "csv"])
    tp, out_p = run(["sqlite3", "-csv", f"{work}/peer.db",
                     "select contest, line, sum(value) from counts group by contest, line"])
    tally_a.append(ta); tally_p.append(tp)
ours = {tuple(l.split(",")[0:1] + l.split(",")[2:3]): l.split(",")[3] for l in out_a.splitlines()[1:] if l.split(",")[3]}
theirs = {(c, l): v for c, l, v in (x.split(",") for x in out_p.splitlines())}
assert ours == theirs, "the two re-tallies disagree"
clean()
rows = sum(1 for _ in open(os.path.join(pkg, "counts.csv"))) - 1
size = os.path.getsize(os.path.join(pkg, "counts.csv")) / 1e6
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ver = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]
print(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; CPU {cpu}, {os.cpu_count()} cores; sqlite3 {ver}")
print()
print("| package | counts.csv | `ashyq import` min / median | `sqlite3 .import` min / median | ratio (median) |")
print("|---|---|---|---|---|")
print(f"| {os.path.basename(pkg)} | {size:.0f} MB, {rows:,} rows | {min(ashyq):.2f} s / {statistics.median(ashyq):.2f} s | "
      f"{min(peer):.2f} s / {statistics.median(peer):.2f} s | **{statistics.median(ashyq) / statistics.median(peer):.2f}** |")
print()
print("| package | `ashyq tally --db` min / median | `sqlite3` group-by min / median | ratio (median) |")
print("|---|---|---|---|")
print(f"| {os.path.basename(pkg)} | {min(tally_a):.3f} s / {statistics.median(tally_a):.3f} s | "
      f"{min(tally_p):.3f} s / {statistics.median(tally_p):.3f} s | **{statistics.median(tally_a) / statistics.median(tally_p):.2f}** |")
PY
