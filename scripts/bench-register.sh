#!/usr/bin/env bash
# Benchmark: `ashyq register check` against DuckDB on the same 12,000,000-row voter register,
# side by side in one run (issue 12 item 3; BRIEF.md "Scale and speed": 12 M records < 15 s).
# Prints a Markdown report for BENCHMARKS.md.
#
#   scripts/bench-register.sh [--reps N] [--rows N] [--regenerate] [--import]
#
# The register is generated once (`ashyq register generate --rows 12000000 --seed 1
# --election-date 2023-03-19 --plain-malformed`) and cached in target/bench-register;
# `--regenerate` rebuilds it and times the generation. Before timing, both sides must find
# exactly the generator's planted counts (truth.json): ashyq every reason and the malformed
# lines, DuckDB every reason (it skips the malformed lines). DuckDB (Python package, installed
# with `pip install duckdb` if missing) runs scripts/register_duckdb.py's SQL: the IIN check
# digit, duplicates, birth date and age 18, known station, first failing reason. Its time is
# the query alone inside a Python process that has already imported duckdb and connected; the
# time of ashyq is the whole process (reading both files, checking, printing). `--import` also
# times `ashyq register import` into a fresh SQLite register once.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=5
ROWS=12000000
REGEN=0
IMPORT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --regenerate) REGEN=1; shift ;;
    --import) IMPORT=1; shift ;;
    *) echo "usage: $0 [--reps N] [--rows N] [--regenerate] [--import]" >&2; exit 2 ;;
  esac
done
python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb
cargo build --release -p ashyq-cli >&2
BIN="$PWD/target/release/ashyq"
DATA="$PWD/target/bench-register/r$ROWS"
[ "$REGEN" = 1 ] && rm -rf "$DATA"
if [ ! -f "$DATA/truth.json" ]; then
  rm -rf "$DATA"
  start=$(date +%s.%N)
  "$BIN" register generate --rows "$ROWS" --stations 10000 --seed 1 --election-date 2023-03-19 \
    --plain-malformed --out "$DATA" >&2
  end=$(date +%s.%N)
  echo "$end - $start" | bc > "$DATA/generate-seconds.txt"
fi
python3 - "$BIN" "$DATA" "$REPS" "$IMPORT" "$PWD/scripts" <<'PY'
import datetime, json, os, platform, statistics, subprocess, sys, tempfile, time
binary, data, reps, do_import, scripts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
sys.path.insert(0, scripts)
import duckdb
from register_duckdb import query

voters, stations, day = f"{data}/voters.csv", f"{data}/stations.csv", "2023-03-19"
truth = json.load(open(f"{data}/truth.json"))

def run_ashyq(*extra):
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "register", "check", voters, "--stations", stations,
                          "--election-date", day, "--format", "json", *extra], capture_output=True)
    s = time.perf_counter() - t
    assert out.returncode in (0, 1), out.stderr.decode()
    peak_kb = int(out.stderr.decode().strip().splitlines()[-1])
    return s, json.loads(out.stdout), peak_kb

con = duckdb.connect()
con.execute("SET threads = 2")
sql = query(voters, stations, day)
def run_duckdb():
    t = time.perf_counter()
    by = dict(con.execute(sql).fetchall())
    return time.perf_counter() - t, by

def fmt(xs):
    return f"min {min(xs):.2f} s, median {statistics.median(xs):.2f} s"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
print(f"- machine: {os.cpu_count()} cores (nproc), CPU {cpu}, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, Linux {platform.release()}, load average before the run {os.getloadavg()[0]:.1f}")
print(f"- DuckDB {duckdb.__version__} (Python), threads = 2")
print(f"- register: {truth['rows']:,} rows, {os.path.getsize(voters) / 1e6:.0f} MB, 10,000 stations, seed 1")
if os.path.exists(f"{data}/generate-seconds.txt"):
    print(f"- `ashyq register generate` of it: {float(open(f'{data}/generate-seconds.txt').read()):.1f} s (one run, when the cache was built)")

# Warm the page cache; both must find the planted counts exactly.
_, ours, _ = run_ashyq()
for k in ["rows", "accepted", "rejected", "malformed"]:
    assert ours[k] == truth[k], f"ashyq {k}: {ours[k]} != {truth[k]}"
_, by = run_duckdb()
assert sum(by.values()) == truth["rows"] - truth["malformed"], (by, truth)
assert by.get("accepted", 0) == truth["accepted"], (by, truth)
for r, n in truth["rejected"].items():
    assert by.get(r, 0) == n, f"DuckDB {r}: {by.get(r, 0)} != {n}"
print(f"- counts: ashyq and DuckDB both find exactly the planted counts: accepted {truth['accepted']:,}; " +
      ", ".join(f"{r} {n:,}" for r, n in truth["rejected"].items()) + f"; malformed {truth['malformed']:,} (ashyq; DuckDB skips them)")

a, d, peaks = [], [], []
for _ in range(reps):
    s, _, peak = run_ashyq(); a.append(s); peaks.append(peak)
    d.append(run_duckdb()[0])
print(f"- `ashyq register check … --format json` (whole process, release build, {reps} runs): {fmt(a)}; peak memory {max(peaks) / 1024:.0f} MB")
print(f"- DuckDB, the same classification in SQL (query only): {fmt(d)}")
print(f"- ratio ashyq / DuckDB: median {statistics.median(a) / statistics.median(d):.2f}, min {min(a) / min(d):.2f}")
with tempfile.TemporaryDirectory() as tmp:
    s, _, peak = run_ashyq("--report", f"{tmp}/report.csv")
    lines = sum(1 for _ in open(f"{tmp}/report.csv", "rb")) - 1
    print(f"- with `--report` ({lines:,} rejected and malformed rows written): {s:.2f} s, peak memory {peak / 1024:.0f} MB")
    if do_import:
        url = f"sqlite:{tmp}/register.db"
        t = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "register", "import", voters, "--stations", stations,
                              "--election-date", day, "--register", url, "--format", "json"], capture_output=True)
        s = time.perf_counter() - t
        assert out.returncode in (0, 1), out.stderr.decode()
        stored = json.loads(out.stdout)["stored"]
        peak = int(out.stderr.decode().strip().splitlines()[-1])
        print(f"- `ashyq register import` into a new SQLite register (check, then {stored:,} voters with salted digests stored in one transaction, indexes built): {s:.1f} s, peak memory {peak / 1024:.0f} MB, database {os.path.getsize(f'{tmp}/register.db') / 1e6:.0f} MB")
PY
