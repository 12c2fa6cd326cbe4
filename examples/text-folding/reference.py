#!/usr/bin/env python3
"""An independent reference for text-folding.fold: writes the CSVs foldc
must produce for a books CSV, straight from the definitions of
shared/design/text-folding.md, without fold's growth rules.

Orthos are found by search over the definition itself: every box shape
(each axis at least 2), filled cell by cell, keeping the boxes whose every
axis-parallel line is a known pair (length 2) or phrase (longer) and whose
anti-diagonals hold distinct words; two orientations of a box are one
ortho (the least (sorted shape, cells) over the axis permutations).

    python3 reference.py BOOKS.csv OUT_DIR
"""

import csv
import itertools
import os
import re
import sys


def sentences(text):
    return [p.strip() for p in re.split(r"[.!?;]", text) if p.strip()]


def words(sentence):
    # Maximal runs of letters, lowercased (digits and punctuation drop).
    return [w.lower() for w in re.findall(r"[^\W\d_]+", sentence)]


def ingest(texts):
    sents, pairs, phrases = set(), set(), set()
    for text in texts:
        for s in sentences(text):
            ws = tuple(words(s))
            if ws:
                sents.add(ws)
    for ws in sents:
        for i in range(len(ws) - 1):
            pairs.add(ws[i : i + 2])
        for i in range(len(ws)):
            for j in range(i + 3, len(ws) + 1):
                phrases.add(ws[i:j])
    return sents, pairs, phrases


def orthos(pairs, phrases):
    lines = pairs | phrases
    succ = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
    vocab = sorted({w for p in pairs for w in p})
    longest = max([len(p) for p in phrases], default=2)

    def boxes(shape):
        """Every box of the shape (as a cells tuple, row-major)."""
        k = len(shape)
        strides = [1] * k
        for i in range(k - 2, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
        size = strides[0] * shape[0]
        index = [tuple((at // strides[i]) % shape[i] for i in range(k)) for at in range(size)]
        cells = [None] * size
        diag = {}

        def fill(at):
            if at == size:
                yield tuple(cells)
                return
            x = index[at]
            options = None
            for i in range(k):
                if x[i] > 0:
                    nxt = succ.get(cells[at - strides[i]], set())
                    options = nxt if options is None else options & nxt
            for w in sorted(vocab if options is None else options):
                d = sum(x)
                if w in diag.get(d, ()):
                    continue
                cells[at] = w
                ok = True
                for i in range(k):
                    if x[i] == shape[i] - 1:
                        start = at - x[i] * strides[i]
                        line = tuple(cells[start + j * strides[i]] for j in range(shape[i]))
                        if line not in lines:
                            ok = False
                            break
                if not ok:
                    continue
                diag.setdefault(d, set()).add(w)
                yield from fill(at + 1)
                diag[d].discard(w)
            cells[at] = None

        yield from fill(0)

    def permute(shape, cells, p):
        k = len(shape)
        strides = [1] * k
        for i in range(k - 2, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
        new_shape = [shape[a] for a in p]
        out = []
        for idx in itertools.product(*[range(n) for n in new_shape]):
            out.append(cells[sum(idx[j] * strides[p[j]] for j in range(k))])
        return tuple(new_shape), tuple(out)

    def canonical(shape, cells):
        return min(
            (ps, tuple(w.encode() for w in pc), pc)
            for ps, pc in (permute(shape, cells, p) for p in itertools.permutations(range(len(shape))))
        )

    found = set()
    k = 2
    while True:
        # Shapes with orthos are closed under shortening an axis (to 2 at
        # least), so grow them from the all-2 shape of k axes.
        todo, seen, any_k = [tuple([2] * k)], set(), False
        while todo:
            shape = todo.pop()
            if shape in seen:
                continue
            seen.add(shape)
            here = [canonical(shape, c) for c in boxes(shape)]
            if not here:
                continue
            any_k = True
            found.update((s, c) for s, _, c in here)
            for i in range(k):
                if shape[i] < longest:
                    todo.append(tuple(sorted(shape[:i] + (shape[i] + 1,) + shape[i + 1 :])))
        if not any_k:
            return found
        k += 1


def lit(value):
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def field(value, lone):
    text = value if isinstance(value, str) else lit(value)
    if any(c in text for c in '",\n\r') or (lone and text == ""):
        return '"' + text.replace('"', '""') + '"'
    return text


def order(value):
    if isinstance(value, (tuple, list)):
        return [order(v) for v in value]
    if isinstance(value, str):
        return value.encode()
    return value


def write(out, name, header, rows):
    rows = sorted(rows, key=order)
    with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(field(v, len(row) == 1) for v in row) + "\n")


def main():
    books, out = sys.argv[1], sys.argv[2]
    with open(books, newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    sents, pairs, phrases = ingest(texts)
    os.makedirs(out, exist_ok=True)
    write(out, "sentence", ["words"], [(s,) for s in sents])
    write(out, "word", ["w"], [(w,) for w in {w for s in sents for w in s}])
    write(out, "pair", ["a", "b"], pairs)
    write(out, "phrase", ["words"], [(p,) for p in phrases])
    write(out, "ortho", ["shape", "cells"], orthos(pairs, phrases))


if __name__ == "__main__":
    main()
