#!/usr/bin/env bash
# Drives the official `kaggle` CLI (from PyPI) against `kreplay host`: list, files, download,
# submit, submissions, leaderboard. The CLI only talks to http://localhost:80/api/v1 when
# KAGGLE_API_ENVIRONMENT=LOCALHOST, so the host binds port 80 (CI runs as root).
# Usage: tests/official_kaggle_cli.sh KREPLAY_BIN KAGGLE_BIN   (KREPLAY_MIRROR must be set)
set -euo pipefail
kreplay="$1"
kaggle="$2"
work="$(mktemp -d)"
trap 'kill "$host" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "official kaggle CLI test failed: $*" >&2; exit 1; }

# A contest from Titanic's train.csv: 600 rows to train on, 291 to predict (labels hidden).
python3 - "$KREPLAY_MIRROR/titanic/train.csv" "$work/contest/titanic" <<'PY'
import csv, os, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
head, body = rows[0], rows[1:]
out = sys.argv[2]
os.makedirs(out)
def write(name, rs):
    csv.writer(open(os.path.join(out, name), 'w', newline=''), lineterminator='\n').writerows(rs)
write('train.csv', [head] + body[:600])
write('test.csv', [[head[0]] + head[2:]] + [[r[0]] + r[2:] for r in body[600:]])
write('solution.csv', [['PassengerId', 'Survived']] + [[r[0], r[1]] for r in body[600:]])
write('gender_submission.csv', [['PassengerId', 'Survived']] + [[r[0], '1' if r[4] == 'female' else '0'] for r in body[600:]])
open(os.path.join(out, 'competition.toml'), 'w').write('metric = "accuracy"\nmax_daily_submissions = 5\n')
PY

"$kreplay" host "$work/contest" --port 80 --team alice --state "$work/state.sqlite" > "$work/host.log" 2>&1 &
host=$!
for _ in $(seq 50); do grep -q "^team alice" "$work/host.log" 2>/dev/null && break; sleep 0.1; done
grep -q serving "$work/host.log" || fail "kreplay host did not start: $(cat "$work/host.log")"

# The key the host issued to team alice.
key=$(sed -n 's/^team alice: KAGGLE_USERNAME=alice KAGGLE_KEY=\([0-9a-f]*\)$/\1/p' "$work/host.log")
[ ${#key} -eq 32 ] || fail "no key issued for alice: $(cat "$work/host.log")"
export KAGGLE_API_ENVIRONMENT=LOCALHOST KAGGLE_USERNAME=alice KAGGLE_KEY="$key" HOME="$work/home"
mkdir -p "$HOME"
cd "$work"
out=$("$kaggle" competitions list) || fail "list: $out"
grep -q "competitions/titanic" <<<"$out" || fail "list: $out"
out=$("$kaggle" competitions files titanic) || fail "files: $out"
grep -q "train.csv" <<<"$out" && ! grep -q "solution.csv\|competition.toml" <<<"$out" || fail "files: $out"
"$kaggle" competitions download titanic -f train.csv -p dl -q || fail "download"
cmp dl/train.csv contest/titanic/train.csv || fail "downloaded train.csv differs"
out=$("$kaggle" competitions submit titanic -f contest/titanic/gender_submission.csv -m "gender rule") || fail "submit: $out"
grep -q "Successfully submitted" <<<"$out" || fail "submit: $out"
for _ in $(seq 50); do
  out=$("$kaggle" competitions submissions titanic) || fail "submissions: $out"
  grep -q COMPLETE <<<"$out" && break
  sleep 0.2
done
grep -q "gender rule.*COMPLETE *0\.[0-9]\{5\}" <<<"$out" || fail "submissions: $out"
out=$("$kaggle" competitions leaderboard titanic --show) || fail "leaderboard: $out"
grep -q "alice *.* 0\.[0-9]\{5\}" <<<"$out" || fail "leaderboard: $out"
echo "official kaggle CLI: list, files, download, submit, submissions, leaderboard: 6 passed, 0 failed"
