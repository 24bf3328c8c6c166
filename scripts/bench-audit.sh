#!/usr/bin/env bash
# Benchmark: Rivest's SHA-256 consistent sampler in Ashyq (`ashyq pvt design`: a ticket for
# every station, the smallest per stratum) against the PyPI package `consistent-sampler` 1.0.10
# (R. L. Rivest; what Arlo runs) drawing the same strata, side by side in one run; checks that
# both pick the same stations with the same 18-digit ticket numbers. Also times the MACRO set-up
# of a 69-seat Hare allocation (`ashyq audit sample-size --method macro`; no peer computes it).
#
#   scripts/bench-audit.sh [--stations N] [--reps R]
#
# Ashyq's time is the whole process (reading the package's units.csv and counts.csv included);
# the Python time is the sampling alone inside a process that has already read the ids.
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000
REPS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --stations) N="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    *) echo "usage: $0 [--stations N] [--reps R]" >&2; exit 2 ;;
  esac
done
python3 -c 'import consistent_sampler' 2>/dev/null || python3 -m pip install --quiet consistent-sampler==1.0.10
cargo build --release -p ashyq-cli >&2
BIN="$PWD/target/release/ashyq"
DATA="$PWD/target/bench-data/audit-$N"
if [ ! -d "$DATA" ]; then
  "$BIN" generate --stations "$N" --seed 1 --out "$DATA" >&2
fi
SEED="bench seed 20261127"
best() { sort -n | head -n1; }
ours=$(for _ in $(seq "$REPS"); do
  s=$(date +%s.%N); "$BIN" pvt design "$DATA" --seed "$SEED" --sample 1000 > "$DATA.design.csv"; e=$(date +%s.%N)
  echo "$e - $s" | bc -l
done | best)
macro=$(for _ in $(seq "$REPS"); do
  s=$(date +%s.%N); "$BIN" audit sample-size --method macro --risk-limit 5 "$DATA" > "$DATA.macro.txt"; e=$(date +%s.%N)
  echo "$e - $s" | bc -l
done | best)
peer=$(python3 - "$DATA" "$DATA.design.csv" "$SEED" "$REPS" <<'PY'
import csv, sys, time
import consistent_sampler as cs
data, design, seed, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
units = list(csv.DictReader(open(data + "/units.csv", encoding="utf-8")))
parent = {u["id"]: u["parent"] for u in units}
kind = {u["id"]: u["kind"] for u in units}
children = {p for p in parent.values() if p}
def stratum(u):
    path = []
    while u:
        path.append(u)
        u = parent[u]
    for a in path:
        if kind[a] == "region":
            return a
    return path[-2] if len(path) > 1 else path[-1]
strata = {}
for u in units:
    if u["id"] not in children:
        strata.setdefault(stratum(u["id"]), []).append(u["id"])
rows = [r for r in csv.DictReader((l for l in open(design, encoding="utf-8") if not l.startswith("#")))]
want = {}
for r in rows:
    want.setdefault(r["stratum"], []).append((r["ticket"], r["station"]))
times = []
for _ in range(reps):
    t = time.perf_counter()
    got = {s: [(tk, i) for tk, i, _ in cs.sampler(ids, seed=seed, take=len(want[s]), digits=18)] for s, ids in strata.items()}
    times.append(time.perf_counter() - t)
assert got == want, "samples differ"
print(min(times))
PY
)
ratio=$(echo "$ours / $peer" | bc -l)
cat <<MD
| workload ($N stations, 20 strata, sample 1,000) | Ashyq | consistent-sampler 1.0.10 | ratio Ashyq/peer |
|---|---|---|---|
| consistent sampling (tickets for every station, smallest per stratum) | $(printf %.3f "$ours") s | $(printf %.3f "$peer") s | $(printf %.3f "$ratio") |
| MACRO set-up, 37 assertions (69-seat Hare allocation), first-round size | $(printf %.3f "$macro") s | (no peer) | |

Same stations and the same 18-digit ticket numbers in both: checked. MACRO first round: $(tail -n1 "$DATA.macro.txt") draws.
MD
