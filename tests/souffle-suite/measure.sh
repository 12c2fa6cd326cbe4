#!/usr/bin/env bash
# Runs Soufflé's own evaluation suite (tests/evaluation of
# github.com/souffle-lang/souffle, checked out anywhere) unchanged through
# foldc and sorts every case into match / refused / wrong / timeout.
#
#   tests/souffle-suite/measure.sh SOUFFLE_TESTS_EVALUATION_DIR [FOLDC] [SECONDS]
#
# A case runs as `foldc run case.dl -F FACTS -D OUT -j 1`, where FACTS is
# the case's `facts/` folder when it has one, else the case folder. It
# matches when every `.csv` Soufflé expects is written with the same lines
# (compared sorted: Soufflé's own test compares sorted output too) and the
# printed output (`.out`, from `.printsize` and `IO=stdout`) has the same
# lines. A case foldc refuses (non-zero exit with a diagnostic) is
# `refused`, with the diagnostic's first line; one that runs longer than
# SECONDS (default 30) is `timeout`; anything else is `wrong`.
set -u
suite=${1:?usage: measure.sh SOUFFLE_TESTS_EVALUATION_DIR [FOLDC] [SECONDS]}
foldc=${2:-target/release/foldc}
limit=${3:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
match=0 refused=0 wrong=0 timeout=0
for dir in "$suite"/*/; do
    name=$(basename "$dir")
    prog="$dir$name.dl"
    [ -f "$prog" ] || continue
    facts=$dir
    [ -d "$dir/facts" ] && facts=$dir/facts
    out=$work/$name
    mkdir -p "$out"
    timeout "$limit" "$foldc" run "$prog" -F "$facts" -D "$out" -j 1 \
        >"$out.stdout" 2>"$out.stderr"
    rc=$?
    if [ $rc -eq 124 ]; then
        timeout=$((timeout + 1)); echo "timeout  $name"; continue
    fi
    if [ $rc -ne 0 ]; then
        refused=$((refused + 1))
        why=$(grep -m1 -E '^\[E[0-9]+\] Error' "$out.stderr" || head -1 "$out.stderr")
        echo "refused  $name  $why"; continue
    fi
    ok=1
    for want in "$dir"*.csv; do
        [ -f "$want" ] || continue
        got=$out/$(basename "$want")
        if ! [ -f "$got" ] || ! diff -q <(sort "$want") <(sort "$got") >/dev/null; then
            ok=0; echo "  differs: $(basename "$want")" >>"$out.why"
        fi
    done
    if [ -s "$dir$name.out" ] && ! diff -q <(sort "$dir$name.out") <(sort "$out.stdout") >/dev/null; then
        ok=0; echo "  differs: $name.out" >>"$out.why"
    fi
    if [ $ok -eq 1 ]; then
        match=$((match + 1)); echo "match    $name"
    else
        wrong=$((wrong + 1)); echo "wrong    $name"; cat "$out.why"
    fi
done
echo "match $match, refused $refused, wrong $wrong, timeout $timeout"
