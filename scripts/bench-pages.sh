#!/usr/bin/env bash
# Page server time of the dashboard on Kazakhstan-size data, with two peers side by side:
# nginx serving the very same rendered HTML as static files, and the JSON API of the same server.
#
#   scripts/bench-pages.sh [--stations 10000] [--reps 50] [--rounds 5]
#
# 1. `ashyq demo --no-serve` records the bundled elections and a generated station-level
#    election of --stations polling stations (the demo's election night) in a fresh SQLite record.
# 2. For --rounds rounds, `ashyq serve` is started on that record (a fresh process: nothing
#    rendered yet) and every page is requested once per language (kk, ru, en): the "cold" time
#    includes reading the snapshot, computing the outcome, rendering and compressing. Then each
#    page is requested --reps times in English: the "warm" time is the cached page (ETag'd body).
# 3. The English HTML of every page is saved and nginx serves it as static files on another
#    port; it is requested --reps times the same way.
# Times are curl's time_total over loopback (one connection per request), in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATIONS=10000
REPS=50
ROUNDS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --stations) STATIONS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v nginx >/dev/null || { echo "nginx is needed (apt-get install nginx-light)" >&2; exit 2; }
[ -x target/release/ashyq ] || cargo build --release -p ashyq-cli
BIN=$ROOT/target/release/ashyq
work=$(mktemp -d)
server=""
nginx_pid=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "recording the demo with $STATIONS stations in $work ..." >&2
(cd "$work" && "$BIN" demo --no-serve --stations "$STATIONS" --pending 20 > demo.out)
DB="sqlite:$work/ashyq-demo.db"
E=synthetic-kz-2023

start_server() {
  PORT=$(free_port)
  "$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --rate-per-address 0 > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  BASE="http://127.0.0.1:$PORT"
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

t() { curl -s -o /dev/null -w '%{time_total}\n' "$1"; }

start_server
DISTRICT=$(curl -s "$BASE/e/$E/c/president/u/KZ-ALA?lang=en" | grep -o 'data-child="[^"]*"' | head -1 | cut -d'"' -f2)
STATION=$(curl -s "$BASE/e/$E/c/president/u/$DISTRICT?lang=en" | grep -o 'data-child="[^"]*"' | tail -1 | cut -d'"' -f2)
stop_server
PAGES=(
  "list|/"
  "election|/e/$E"
  "contest (national, map)|/e/$E/c/president"
  "party list (national, map)|/e/$E/c/mazhilis-list"
  "region|/e/$E/c/president/u/KZ-ALA"
  "district|/e/$E/c/president/u/$DISTRICT"
  "station (history read)|/e/$E/c/president/u/$STATION"
  "integrity (forensics)|/e/$E/c/president/integrity"
  "what if (3 rule sets)|/e/$E/what-if"
  "JSON API results (peer)|/api/v1/elections/$E/results?contest=president&unit=KZ"
)

: > "$work/cold.tsv"
for r in $(seq 1 "$ROUNDS"); do
  start_server
  for p in "${PAGES[@]}"; do
    name=${p%%|*}; path=${p#*|}
    sep='?'; [[ $path == *\?* ]] && sep='&'
    for lang in kk ru en; do
      printf '%s\t%s\n' "$name" "$(t "$BASE$path${sep}lang=$lang")" >> "$work/cold.tsv"
    done
  done
  [ "$r" -lt "$ROUNDS" ] && stop_server
done

: > "$work/warm.tsv"
mkdir -p "$work/www"
i=0
for p in "${PAGES[@]}"; do
  name=${p%%|*}; path=${p#*|}
  sep='?'; [[ $path == *\?* ]] && sep='&'
  for _ in $(seq 1 "$REPS"); do
    printf '%s\t%s\n' "$name" "$(t "$BASE$path${sep}lang=en")" >> "$work/warm.tsv"
  done
  curl -s -o "$work/www/p$i.html" "$BASE$path${sep}lang=en"
  printf '%s\t%s\t%s\n' "$name" "p$i.html" "$(stat -c %s "$work/www/p$i.html")" >> "$work/files.tsv"
  i=$((i + 1))
done
stop_server

NPORT=$(free_port)
cat > "$work/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 256; }
http {
  access_log off;
  types { text/html html; }
  server { listen 127.0.0.1:$NPORT; root $work/www; }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NPORT/p0.html" >/dev/null 2>&1 && break; sleep 0.05; done
: > "$work/nginx.tsv"
while IFS=$'\t' read -r name file _; do
  for _ in $(seq 1 "$REPS"); do
    printf '%s\t%s\n' "$name" "$(t "http://127.0.0.1:$NPORT/$file")" >> "$work/nginx.tsv"
  done
done < "$work/files.tsv"

python3 - "$work" "$STATIONS" "$REPS" "$ROUNDS" <<'EOF'
import statistics, sys, os
work, stations, reps, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def load(f):
    d = {}
    for line in open(os.path.join(work, f)):
        k, v = line.rstrip('\n').split('\t')
        d.setdefault(k, []).append(float(v) * 1000)
    return d
cold, warm, ngx = load('cold.tsv'), load('warm.tsv'), load('nginx.tsv')
sizes = {l.split('\t')[0]: int(l.split('\t')[2]) for l in open(os.path.join(work, 'files.tsv'))}
def p95(v): return sorted(v)[max(0, int(round(0.95 * len(v))) - 1)]
print(f"{stations} stations; cold: {rounds} fresh server processes x 3 languages; warm and nginx: {reps} requests each (ms, curl time_total over loopback)")
print("| page | HTML bytes | cold median / max | warm median / p95 | nginx static median / p95 | warm / nginx |")
print("|---|---:|---:|---:|---:|---:|")
for k in cold:
    c, w, n = cold[k], warm[k], ngx[k]
    print(f"| {k} | {sizes[k]:,} | {statistics.median(c):.1f} / {max(c):.1f} | {statistics.median(w):.2f} / {p95(w):.2f} | {statistics.median(n):.2f} / {p95(n):.2f} | {statistics.median(w)/statistics.median(n):.2f} |")
EOF
