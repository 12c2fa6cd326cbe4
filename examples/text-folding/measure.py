#!/usr/bin/env python3
"""Folds growing prefixes of Genesis with a text-folding program and prints,
per prefix, what the run kept against what it spent: orthos by shape,
candidates, events (all of them, and those that got past the categorical
check), events per ortho kept, time and peak memory.

    python3 measure.py [PROGRAM] [--timeout S] [--memory MB] [--rules] [PREFIX...]

PROGRAM defaults to text-folding.fold beside this script; a PREFIX is
`v40` (the first 40 verses) or `c5` (chapters 1 to 5); the default is
v40 v80 v120 c5 c10 c25. Each run is bounded by --timeout seconds
(default 60) and FOLDC_MAX_MEMORY_MB (--memory, default 6000); a prefix
that passes either is reported as such and the larger ones are skipped.
The text comes from genesis.py (Debian's bible-kjv); foldc is
target/release/foldc of this workspace unless FOLDC names another.
"""

import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def prefix_csv(name, path):
    kind = {"v": "verses", "c": "chapters"}[name[0]]
    with open(path, "w") as f:
        subprocess.run(
            [sys.executable, os.path.join(HERE, "genesis.py"), kind, name[1:]], stdout=f, check=True
        )
    return os.path.getsize(path)


def shapes(ortho_csv):
    counts = collections.Counter()
    with open(ortho_csv) as f:
        next(f)
        for line in f:
            counts[re.match(r'"\[([0-9, ]+)\]"', line).group(1).replace(", ", "x")] += 1
    return counts


def shape_text(counts):
    order = sorted(counts, key=lambda s: (len(s.split("x")), [int(n) for n in s.split("x")]))
    return ", ".join(f"{counts[s]} {s}" for s in order)


def run(foldc, program, books, out, timeout, memory):
    env = dict(os.environ, FOLDC_MAX_MEMORY_MB=str(memory))
    cmd = ["/usr/bin/time", "-v", "timeout", str(timeout), foldc, "run", program,
           "--input", f"book={books}", "--out", out, "--stats", "--format", "json", "-q"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", p.stderr)
    seconds = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.group(1).split(":"))))
    rss_mb = int(rss.group(1)) / 1024 if rss else 0
    if p.returncode != 0:
        why = "timeout" if p.returncode == 124 else f"exit {p.returncode}"
        tail = p.stderr.strip().splitlines()
        return None, seconds, rss_mb, why + (": " + tail[0][:120] if tail and why != "timeout" else "")
    return json.loads(p.stdout), seconds, rss_mb, None


def main():
    args = sys.argv[1:]
    opts = {"--timeout": 60, "--memory": 6000}
    for o in list(opts):
        if o in args:
            at = args.index(o)
            opts[o] = int(args[at + 1])
            del args[at : at + 2]
    rules = "--rules" in args
    args = [a for a in args if a != "--rules"]
    program = os.path.join(HERE, "text-folding.fold")
    if args and args[0].endswith(".fold"):
        program = args.pop(0)
    prefixes = args or ["v40", "v80", "v120", "c5", "c10", "c25"]
    foldc = os.environ.get("FOLDC", os.path.join(ROOT, "target", "release", "foldc"))
    print(f"program: {os.path.relpath(program, ROOT)}")
    print("| prefix | KB | orthos | by shape | candidates | events | past the index | events/ortho | time s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in prefixes:
            books = os.path.join(tmp, name + ".csv")
            size = prefix_csv(name, books)
            out = os.path.join(tmp, name)
            stats, seconds, rss, failed = run(foldc, program, books, out, opts["--timeout"], opts["--memory"])
            if failed:
                print(f"| {name} | {size / 1000:.1f} | {failed} | | | | | | {seconds:.1f} | {rss:.0f} |")
                sys.stdout.flush()
                break
            kept = shapes(os.path.join(out, "ortho.csv"))
            n = sum(kept.values())
            cands = stats["categories"].get("candidate", 0)
            ev = stats["events"]
            # Events that got past the categorical check (the index of a
            # friend held the key): the ones that did any work.
            past = ev - sum(h["aborted_categorically"] for h in stats["stats"]["handlers"])
            print(f"| {name} | {size / 1000:.1f} | {n} | {shape_text(kept)} | {cands} | {ev} | {past} | "
                  f"{ev / max(n, 1):.0f} | {seconds:.2f} | {rss:.0f} |")
            if rules:
                per = collections.defaultdict(lambda: [0, 0])
                for h in stats["stats"]["handlers"]:
                    r = per[f"{h['rule']} {h['position']} {h['trigger']}"]
                    r[0] += h["events"]
                    r[1] += h["aborted_categorically"] + h["aborted_data"] + h["aborted_friends"]
                for k, (e, a) in per.items():
                    if e:
                        print(f"|  | | | {k}: {e} events, {a} aborted | | | | | | |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
