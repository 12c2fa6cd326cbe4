#!/usr/bin/env python3
"""Writes edge.csv (a deterministic random graph) and the expected output
of reach.fold, computed by breadth-first search, not by foldc.

    python3 reference.py
"""

import os
import random

r = random.Random(2024)
N = 250
edges = set()
# Mostly forward edges between nearby nodes (long chains, so reach is
# neither tiny nor everything), a few back edges that close cycles, and
# some nodes left without edges out.
for x in range(N):
    if r.random() < 0.15:
        continue
    for _ in range(r.choice([1, 1, 2, 3])):
        edges.add((x, min(N - 1, x + r.randint(1, 12))))
edges.discard((N - 1, N - 1))


def closure(edges):
    succ = {}
    for x, y in edges:
        succ.setdefault(x, set()).add(y)
    reach = {}
    for x in {x for e in edges for x in e}:
        seen, todo = set(), list(succ.get(x, ()))
        while todo:
            y = todo.pop()
            if y not in seen:
                seen.add(y)
                todo.extend(succ.get(y, ()))
        reach[x] = seen
    return succ, reach


# Back edges from a node a little way down a path to its start: cycles.
_, forward = closure(edges)
for y in r.sample(sorted(forward), 10):
    later = sorted(x for x in forward[y] if x - y <= 25)
    if later:
        edges.add((r.choice(later), y))
succ, reach = closure(edges)
nodes = set(reach)


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in sorted(rows):
            f.write(",".join(str(v) for v in row) + "\n")


os.makedirs("expected", exist_ok=True)
write("edge.csv", "src,dst", edges)
write("expected/reach.csv", "src,dst", [(x, y) for x in nodes for y in reach[x]])
write("expected/on_cycle.csv", "node", [(x,) for x in nodes if x in reach[x]])
write("expected/reach_count.csv", "node,n", [(x, len(reach[x])) for x in nodes])
write("expected/dead_end.csv", "node", [(x,) for x in nodes if x not in succ])
