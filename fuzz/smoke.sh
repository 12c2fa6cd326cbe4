#!/usr/bin/env bash
# A bounded fuzz smoke run: every target for SECONDS (default 60) on a
# copy of its seed corpus, so the kept corpus does not grow by itself.
# Needs a nightly toolchain and cargo-fuzz (installed from crates.io when
# missing). Exits non-zero on the first crash; libFuzzer leaves the input
# in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in front_end csv db_open; do
  mkdir -p "$work/$t"
  cp -r "corpus/$t/." "$work/$t/"
  cargo +nightly fuzz run -O "$t" "$work/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 2>&1 | grep -E "^Done|DONE|ERROR|SUMMARY" || true
  # `fuzz run` fails on a crash; pipefail carries its status here.
done
