#!/usr/bin/env python3
"""Writes the statements of a deterministic random program (alloc.csv,
assign.csv, load.csv, store.csv) and the expected output of andersen.fold,
computed by iterating Andersen's rules to a fixpoint in Python, not by
foldc.

The program has 10 functions; each has 8 local pointers, 2 parameters and
a result, 2 allocation sites, and random copies, loads and stores among
its own pointers, plus calls to other functions (parameter = argument,
local = result).

    python3 reference.py
"""

import os
import random

r = random.Random(11)
funcs = ["main", "parse", "lex", "emit", "check", "alloc_node", "push", "pop", "find", "free_list"]
alloc, assign, load, store = set(), set(), set(), set()
for f in funcs:
    local = [f"{f}.v{i}" for i in range(8)] + [f"{f}.p0", f"{f}.p1"]
    for site in range(2):
        alloc.add((r.choice(local[:8]), f"{f}@{site}"))
    for _ in range(7):
        assign.add(tuple(r.sample(local, 2)))
    for _ in range(3):
        load.add(tuple(r.sample(local, 2)))
        store.add(tuple(r.sample(local, 2)))
    assign.add((f"{f}.ret", r.choice(local)))
    for _ in range(2):
        g = r.choice(funcs)
        assign.add((f"{g}.p{r.randrange(2)}", r.choice(local)))
        assign.add((r.choice(local[:8]), f"{g}.ret"))

pt = {(v, o) for v, o in alloc}
hpt = set()
while True:
    new_pt = set(pt)
    new_hpt = set(hpt)
    for t, f in assign:
        new_pt |= {(t, o) for (v, o) in pt if v == f}
    for t, b in load:
        for (v, p) in pt:
            if v == b:
                new_pt |= {(t, o) for (q, o) in hpt if q == p}
    for b, f in store:
        for (v, p) in pt:
            if v == b:
                new_hpt |= {(p, o) for (w, o) in pt if w == f}
    if new_pt == pt and new_hpt == hpt:
        break
    pt, hpt = new_pt, new_hpt

alias = {(x, y) for (x, o) in pt for (y, o2) in pt if o == o2 and x.encode() < y.encode()}


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in sorted(rows, key=lambda row: [v.encode() for v in row]):
            f.write(",".join(row) + "\n")


os.makedirs("expected", exist_ok=True)
write("alloc.csv", "var,obj", alloc)
write("assign.csv", "to,source", assign)
write("load.csv", "to,base", load)
write("store.csv", "base,source", store)
write("expected/points_to.csv", "var,obj", pt)
write("expected/heap_points_to.csv", "obj,target", hpt)
write("expected/may_alias.csv", "a,b", alias)
