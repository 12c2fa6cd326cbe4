#!/usr/bin/env python3
"""Writes a prefix of Genesis (King James Version) as a books CSV, ten
verses a row, for folding real English with text-folding.fold.

The text comes from Debian's `bible-kjv-text` package through its `bible`
program (`apt-get install bible-kjv`); it is read at run time and never
committed. Verse numbers and chapter headings are dropped, wrapped lines
are joined, so a row is the plain text of its ten verses.

    python3 genesis.py verses 80 > books.csv        # the first 80 verses
    python3 genesis.py chapters 5 > books.csv       # chapters 1 to N
    python3 genesis.py verses 80 --per-row 5        # five verses a row

Exit 2 with a message when the `bible` program is not installed.
"""

import re
import shutil
import subprocess
import sys

VERSE = re.compile(r"^\s+(\d+) (.*)$")
HEADING = re.compile(r"^Genesis (\d+)$")


def verses(last_chapter):
    """Every verse of Genesis 1 to `last_chapter` as (chapter, text)."""
    if shutil.which("bible") is None:
        sys.exit("genesis.py: the `bible` program is missing (apt-get install bible-kjv)")
    spec = f"gen1:1-{last_chapter}:999"
    dump = subprocess.run(
        ["bible", "-l", "100000", spec], capture_output=True, text=True, check=True
    ).stdout
    out, chapter = [], 1
    for line in dump.splitlines():
        heading = HEADING.match(line)
        verse = VERSE.match(line)
        if heading:
            chapter = int(heading.group(1))
        elif verse:
            out.append((chapter, verse.group(2).strip()))
        elif line.strip() and out:
            # A wrapped verse (should not happen at this width): join it.
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
    return [v for v in out if v[0] <= last_chapter]


def main():
    args = sys.argv[1:]
    per_row = 10
    if "--per-row" in args:
        at = args.index("--per-row")
        per_row = int(args[at + 1])
        del args[at : at + 2]
    if len(args) != 2 or args[0] not in ("verses", "chapters"):
        sys.exit(__doc__)
    n = int(args[1])
    if args[0] == "verses":
        chosen = verses(50)[:n]
    else:
        chosen = verses(n)
    print("id,text")
    for row, at in enumerate(range(0, len(chosen), per_row)):
        text = " ".join(t for _, t in chosen[at : at + per_row]).replace('"', '""')
        print(f'{row + 1},"{text}"')


if __name__ == "__main__":
    main()
