# Sourced by bench/run, bench/startup and bench/soak: one seeded template per volume, a fresh
# copy of it per run, the release server on that copy, and what the load scripts need.
#
# Volume (environment): BENCH_COMPLAINTS (default 1000000), BENCH_CITIZENS (100000),
# BENCH_DOSSIERS (100000), BENCH_PROCEDURES (6000). The template is seeded once per backend,
# volume and KEY (KEY follows the migrations, the demo data and bench-seed's source):
# target/bench/full-VOLUME-KEY.db, or the PostgreSQL database smartcity_bench_tpl_VOLUME_KEY,
# with the load scripts' samples beside it in target/bench/samples-BACKEND-VOLUME-KEY/.
# BENCH_RESEED=1 seeds it again. PG_ADMIN_URL (default
# postgres://postgres@127.0.0.1:5432/postgres) is where databases are created.
# BENCH_PG_SETTINGS="name=value …" sets parameters on the PostgreSQL copy (ALTER DATABASE … SET),
# e.g. plan_cache_mode=force_custom_plan; BENCH_SQL runs on the copy before the server starts,
# e.g. "DROP INDEX complaints_category_status_position" to measure without an index.
# BENCH_SERVER_BIN runs another build of the server on the same data (an older commit's, to
# compare in one sitting).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
cache=target/bench
port=18590
base="http://127.0.0.1:$port"
metrics_base="http://127.0.0.1:$((port + 1))"
password="ca phe sua da luc bay gio"
complaints=${BENCH_COMPLAINTS:-1000000}
citizens=${BENCH_CITIZENS:-100000}
dossiers=${BENCH_DOSSIERS:-100000}
procedures=${BENCH_PROCEDURES:-6000}
volume="c${complaints}_u${citizens}_d${dossiers}_p${procedures}"
if [ "$volume" = c1000000_u100000_d100000_p6000 ]; then volume_label=full; else volume_label=$volume; fi
export BENCH_DOSSIERS=$dossiers BENCH_LUA_DIR="$PWD/bench/lua"
# psql -q still prints notices such as "does not exist, skipping".
export PGOPTIONS="-c client_min_messages=warning"

work=
server=
backend=
die() {
  echo "bench: $*" >&2
  exit 1
}
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$backend" = postgres ]; then
    psql "$admin" -qc "DROP DATABASE IF EXISTS ${scratch:-smartcity_bench} WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ -n "$work" ] && rm -rf "$work"
  return 0
}

# fresh_database NAME: an empty database of $backend at $url, for the scripts that fill their
# own (bench/sms, bench/air, bench/land): the file NAME.db in $work, or the PostgreSQL database
# NAME, which cleanup drops.
fresh_database() {
  scratch=$1
  case "$backend" in
    sqlite)
      rm -f "$work/$scratch".db*
      url="sqlite://$work/$scratch.db"
      ;;
    postgres)
      psql "$admin" -qc "DROP DATABASE IF EXISTS $scratch WITH (FORCE)"
      psql "$admin" -qc "CREATE DATABASE $scratch"
      url="${admin%/*}/$scratch"
      ;;
  esac
}
trap cleanup EXIT

backend_label() {
  case "$1" in sqlite) echo SQLite ;; postgres) echo "PostgreSQL $(psql "$admin" -Atc 'SHOW server_version' | cut -d' ' -f1)" ;; esac
}

# Removes every template and samples directory, of every volume and key.
clean_templates() {
  rm -rf "$cache"/full-*.db* "$cache"/samples-* "$cache"/complaints-*.db* "$cache"/places-*.txt
  for db in $(psql "$admin" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'smartcity_bench%'"); do
    psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  done
}

# prepare BACKEND: builds release, makes sure the template exists, and puts a fresh copy of it
# at $url. Sets work (a temporary directory), url and samples (exported as BENCH_SAMPLES).
prepare() {
  backend=$1
  case "$backend" in sqlite | postgres) ;; *) die "backend: sqlite or postgres" ;; esac
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  if [ "$backend" = postgres ]; then
    psql "$admin" -Atc "SELECT 1" >/dev/null || die "PostgreSQL is not reachable at $admin"
  fi
  cargo build -q --release -p smartcity-api -p smartcity-bench
  mkdir -p "$cache"
  work=$(mktemp -d)
  ensure_template
  case "$backend" in
    sqlite)
      cp "$template" "$work/bench.db"
      url="sqlite://$work/bench.db"
      ;;
    postgres)
      psql "$admin" -qc "DROP DATABASE IF EXISTS smartcity_bench WITH (FORCE)"
      psql "$admin" -qc "CREATE DATABASE smartcity_bench TEMPLATE $template"
      url="${admin%/*}/smartcity_bench"
      for setting in ${BENCH_PG_SETTINGS:-}; do
        psql "$admin" -qc "ALTER DATABASE smartcity_bench SET ${setting%%=*} = '${setting#*=}'"
      done
      ;;
  esac
  if [ -n "${BENCH_SQL:-}" ]; then
    if [ "$backend" = sqlite ]; then
      command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
      sqlite3 "$work/bench.db" "$BENCH_SQL"
    else
      psql "$url" -v ON_ERROR_STOP=1 -qc "$BENCH_SQL"
    fi
  fi
  export BENCH_SAMPLES="$PWD/$samples"
}

ensure_template() {
  local key
  key=$(cat db/migrations/*/*/*.sql data/categories.json data/areas.geojson data/procedures.json \
    api/src/app/seed/*.rs bench/src/*.rs | sha1sum | cut -c1-10)
  samples="$cache/samples-$backend-$volume-$key"
  local seed=(--procedures "$procedures" --dossiers "$dossiers" --complaints "$complaints"
    --citizens "$citizens" --samples-out "$samples.tmp")
  local present
  if [ "$backend" = sqlite ]; then
    template="$cache/full-$volume-$key.db"
    present=$([ -f "$template" ] && echo 1 || true)
  else
    template="smartcity_bench_tpl_${volume}_$key"
    present=$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$template'")
  fi
  if [ "${BENCH_RESEED:-}" != 1 ] && [ -n "$present" ] && [ -d "$samples" ]; then
    return 0
  fi
  # Older keys of this volume are stale: drop them with the one being replaced.
  rm -rf "$cache"/samples-"$backend"-"$volume"-*
  echo "seeding $volume into $template (once) …"
  local started=$SECONDS
  if [ "$backend" = sqlite ]; then
    rm -f "$cache"/full-"$volume"-*.db*
    target/release/bench-seed --database-url "sqlite://$template.tmp" "${seed[@]}" | grep -v password
    rm -f "$template.tmp-wal" "$template.tmp-shm"
    mv "$template.tmp" "$template"
  else
    local db
    for db in $(psql "$admin" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'smartcity_bench_tpl_${volume}_%'"); do
      psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    done
    psql "$admin" -qc "CREATE DATABASE $template"
    target/release/bench-seed --database-url "${admin%/*}/$template" "${seed[@]}" | grep -v password
  fi
  mv "$samples.tmp" "$samples"
  echo "SEEDED $backend $volume in $((SECONDS - started)) s"
}

# Starts the release server on $url; started_ns is when it was executed.
start_server() {
  started_ns=$(date +%s%N)
  env -u PGOPTIONS DATABASE_URL="$url" SMARTCITY_BIND="127.0.0.1:$port" \
    SMARTCITY_METRICS_BIND="127.0.0.1:$((port + 1))" SMARTCITY_PHOTO_DIR="$work/photos" \
    RUST_LOG=warn "${BENCH_SERVER_BIN:-target/release/smartcity}" serve >"$work/server.log" 2>&1 &
  server=$!
  wait_ready
}

# Polls /readyz every 20 ms for up to 60 s; ready_ns is when it first answered 200.
wait_ready() {
  local deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then
      ready_ns=$(date +%s%N)
      return 0
    fi
    kill -0 "$server" 2>/dev/null || { tail -20 "$work/server.log" >&2; die "the server exited"; }
    sleep 0.02
  done
  tail -20 "$work/server.log" >&2
  die "the server was not ready within 60 s"
}

rss_kib() {
  awk '/VmRSS/ {print $2}' "/proc/$server/status"
}

# login PHONE: prints an access token (valid 15 minutes).
login() {
  local answer
  answer=$(curl -fsS -X POST "$base/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"phone\":\"$1\",\"password\":\"$password\"}") || die "login as $1 refused"
  printf '%s' "$answer" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# Logs in BENCH_TOKEN_CITIZENS citizens (default 16) and each agency's bench staff member, and
# writes their tokens to $work/tokens (read by bench/lua/tokens.lua), replacing it whole.
write_tokens() {
  local n=${BENCH_TOKEN_CITIZENS:-16} i agency phone
  [ "$n" -le "$citizens" ] || die "BENCH_TOKEN_CITIZENS ($n) exceeds the citizens seeded ($citizens)"
  {
    for i in $(seq 0 $((n - 1))); do
      printf 'citizen %s\n' "$(login "$(printf '+8497%07d' "$i")")"
    done
    while read -r agency phone; do
      printf 'staff %s %s\n' "$agency" "$(login "$phone")"
    done <"$samples/staff.txt"
  } >"$work/tokens.tmp"
  mv "$work/tokens.tmp" "$work/tokens"
  export BENCH_TOKENS="$work/tokens"
}

# console_sign_in PHONE: signs in to the console as a browser does (the form's token and cookie,
# then the form posted) and prints the session cookie's value.
console_sign_in() {
  local jar="$work/signin.jar" page token answer
  rm -f "$jar"
  page=$(curl -fsS -c "$jar" "$base/console/login") || die "GET /console/login failed"
  token=$(printf '%s' "$page" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -1)
  [ -n "$token" ] || die "no form token on /console/login"
  answer=$(curl -sS -o /dev/null -D - -b "$jar" -X POST "$base/console/login" \
    --data-urlencode "csrf=$token" --data-urlencode "back=/console/" \
    --data-urlencode "phone=$1" --data-urlencode "password=$password")
  printf '%s' "$answer" | tr -d '\r' | sed -nE 's/^[Ss]et-[Cc]ookie: sc_session=([^;]+).*/\1/p' \
    | grep . || die "console sign-in as $1 refused"
}

# Signs in to the console as each agency's bench staff member and as the bench administrator,
# and writes "AGENCY_ID COOKIE" lines (AGENCY_ID "*" for the administrator) to $work/sessions,
# read by bench/lua/console.lua.
write_sessions() {
  local agency phone
  {
    while read -r agency phone; do
      printf '%s %s\n' "$agency" "$(console_sign_in "$phone")"
    done <"$samples/staff.txt"
    printf '* %s\n' "$(console_sign_in "$(cat "$samples/admin.txt")")"
  } >"$work/sessions.tmp"
  mv "$work/sessions.tmp" "$work/sessions"
  export BENCH_SESSIONS="$work/sessions"
}

# make_photo NAME WIDTHxHEIGHT: a photo-like JPEG (a fractal landscape of colour with sensor-like
# noise, 4:2:0, quality 88, as a phone writes), generated once into target/bench/NAME; prints its
# path.
make_photo() {
  local photo="$PWD/$cache/$1"
  if [ ! -f "$photo" ]; then
    [ -x /usr/bin/convert ] || { apt-get update -qq && apt-get install -y -qq imagemagick >/dev/null; }
    /usr/bin/convert -size "$2" -seed 42 plasma:fractal -blur 0x2 -attenuate 0.4 \
      +noise Gaussian -sampling-factor 2x2 -quality 88 "$photo.tmp.jpg"
    mv "$photo.tmp.jpg" "$photo"
  fi
  echo "$photo"
}

# make_pdf NAME BYTES: a PDF of about BYTES (a scan's worth of incompressible stream data
# between a real header and end-of-file marker), generated once into target/bench/NAME;
# prints its path.
make_pdf() {
  local pdf="$PWD/$cache/$1"
  if [ ! -f "$pdf" ]; then
    {
      printf '%%PDF-1.4\n1 0 obj\n<< /Length %d >>\nstream\n' "$2"
      head -c "$2" /dev/urandom
      printf '\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n'
    } >"$pdf.tmp"
    mv "$pdf.tmp" "$pdf"
  fi
  echo "$pdf"
}

# Requests the server counted, and those not 2xx, as "TOTAL NON_2XX".
request_counts() {
  curl -fsS "$metrics_base/metrics" | awk '/^smartcity_http_requests_total/ {
      total += $NF; if ($0 !~ /status="2/) bad += $NF }
    END { printf "%d %d\n", total, bad }'
}

# Every answer that was not 2xx, by route and status, as the server counted them, and the first
# errors in its log.
report_failures() {
  curl -fsS "$metrics_base/metrics" | grep '^smartcity_http_requests_total' \
    | grep -v 'status="2' | sed 's/^/non-2xx: /' || true
  grep -i -E "error|panic" "$work/server.log" | head -5 | sed 's/^/server log: /' || true
}

# answered_within ROUTE: "WITHIN TOTAL", the GET requests of ROUTE the server answered within
# 50 ms and in all so far (its latency histogram).
answered_within() {
  curl -fsS "$metrics_base/metrics" | awk -v route="$1" '
    index($0, "smartcity_http_request_duration_seconds_") == 1 && index($0, "method=\"GET\"") \
      && index($0, "route=\"" route "\"") {
      if (index($0, "_bucket{") && index($0, "le=\"0.05\"")) within = $NF
      if (index($0, "_count{")) total = $NF
    }
    END { printf "%d %d\n", within, total }'
}

# share_within "WITHIN TOTAL" "WITHIN TOTAL": the share answered within 50 ms between two
# readings of answered_within, as "97.3 % (of 1234)".
share_within() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[2] - x[2]
    if (n > 0) printf "%.1f %% (of %d)", 100 * (y[1] - x[1]) / n, n; else printf "n/a" }'
}

# 1234567 → 1,234,567
thousands() {
  printf '%s' "$1" | sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta'
}

# Requests answered by method and route (every status), as the server counted them: the mix
# that was actually sent.
report_mix() {
  curl -fsS "$metrics_base/metrics" | grep '^smartcity_http_requests_total' \
    | sed -E 's/.*method="([A-Z]+)",route="([^"]+)",status="[0-9]+"\} ([0-9]+)$/\1 \2 \3/' \
    | awk '{ n[$1 " " $2] += $3; total += $3 }
      END { for (r in n) printf "mix: %5.1f %% %s (%d)\n", 100 * n[r] / total, r, n[r] }' | sort -k2 -nr
}
