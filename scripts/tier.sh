#!/usr/bin/env bash
# Runs one test tier and keeps its result line for the summary that ends
# `make test`:  tier.sh SUMMARY_DIR NAME COMMAND...
set -uo pipefail
dir=$1 name=$2
shift 2
mkdir -p "$dir"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# pytest's last line ("N passed, M skipped in 12.3s"), or pre-commit's hooks
result=$(grep -E "(passed|failed|error).* in [0-9.]+s" "$log" | tail -1 | tr -d '=' | xargs)
if [ -z "$result" ]; then
    result="$(grep -cE '\.Passed$' "$log") vérification(s) passée(s)"
    failed=$(grep -E '\.Failed$' "$log" | sed -E 's/\.+Failed$//' | paste -sd, -)
    [ -n "$failed" ] && result="$result, en échec : $failed"
fi
if [ "$rc" -eq 0 ]; then
    echo "PASSED: $name — $result" >"$dir/$name"
else
    echo "FAILED: $name — $result" >"$dir/$name"
fi
exit "$rc"
