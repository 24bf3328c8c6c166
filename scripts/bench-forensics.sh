#!/usr/bin/env bash
# Benchmark: the whole `ashyq forensics` run on a ~97,000-station Russian election against a
# numpy implementation of the integer-percentage Monte Carlo and the fingerprint
# (scripts/bench_forensics_numpy.py), side by side in one run. Results go in BENCHMARKS.md.
#
# Usage: scripts/bench-forensics.sh [--reps N] [--year YYYY] [--replicates R]
# Needs ../shared/data (the Russian files are read from there, converted into target/, never
# copied into the repository) and numpy (installed with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=5
YEAR=2011
REPLICATES=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --year) YEAR="$2"; shift 2 ;;
    --replicates) REPLICATES="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
SRC="../shared/data/russia-kobak-shpilkin/russia_${YEAR}.csv.gz"
[ -f "$SRC" ] || { echo "missing $SRC" >&2; exit 2; }
python3 -c "import numpy" 2>/dev/null || pip install --quiet numpy
cargo build --release -p ashyq-cli >&2
ASHYQ=target/release/ashyq
PKG="target/bench-data/ru${YEAR}"
if [ ! -f "$PKG/counts.csv" ]; then
  mkdir -p target/bench-data
  "$ASHYQ" convert --from izbirkom "$SRC" --out "$PKG" --force >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "numpy $(python3 -c 'import numpy; print(numpy.__version__)'), python $(python3 -c 'import sys; print(sys.version.split()[0])')"
ours=(); peer=(); peer_read=()
for i in $(seq "$REPS"); do
  t0=$(date +%s.%N)
  "$ASHYQ" forensics "$PKG" --format json --seed 42 --replicates "$REPLICATES" > target/bench-data/forensics.json || [ $? -eq 1 ]
  t1=$(date +%s.%N)
  ours+=("$(echo "$t1 - $t0" | bc -l)")
  python3 scripts/bench_forensics_numpy.py "$PKG" --seed 42 --replicates "$REPLICATES" > target/bench-data/numpy.json
  peer+=("$(python3 -c 'import json; print(json.load(open("target/bench-data/numpy.json"))["seconds_compute"])')")
  peer_read+=("$(python3 -c 'import json; print(json.load(open("target/bench-data/numpy.json"))["seconds_read"])')")
done
python3 - "$REPLICATES" "${ours[*]}" "${peer[*]}" "${peer_read[*]}" <<'PY'
import json, statistics, sys
reps = int(sys.argv[1])
ours = [float(x) for x in sys.argv[2].split()]
peer = [float(x) for x in sys.argv[3].split()]
read = [float(x) for x in sys.argv[4].split()]
a = json.load(open("target/bench-data/forensics.json"))["integer_percentages"]
n = json.load(open("target/bench-data/numpy.json"))
# Same observed counts; the excesses agree within Monte-Carlo error.
assert [a["observed"], a["turnout"]["observed"], a["leader_share"]["observed"]] == n["observed"], (a, n)
for ours_x, theirs, sd in [(a["excess"], n["excess"][0], n["sd"][0]), (a["turnout"]["excess"], n["excess"][1], n["sd"][1]),
                           (a["leader_share"]["excess"], n["excess"][2], n["sd"][2])]:
    assert abs(ours_x - theirs) <= 4 * sd * (2 / reps) ** 0.5, (ours_x, theirs, sd)
mo, mp = statistics.median(ours), statistics.median(peer)
print(f"ashyq forensics (whole process: read package, all methods, JSON): min {min(ours):.2f} s / median {mo:.2f} s")
print(f"numpy MC ({reps} replicates) + fingerprint (compute only, package read excluded): min {min(peer):.2f} s / median {mp:.2f} s (its read: median {statistics.median(read):.2f} s)")
print(f"ratio ashyq / numpy (median): {mo / mp:.3f}")
print(f"excess (turnout or share): ashyq {a['excess']:.1f} ± {a['sd']:.1f}, numpy {n['excess'][0]:.1f} ± {n['sd'][0]:.1f}; observed {a['observed']} in both")
PY
