#!/usr/bin/env python3
"""Writes road.csv and station.csv (a deterministic random city: a 25×25
grid of intersections, numbered row * 25 + column, with roads of 1 to 9
minutes between neighbours, some one-way and some missing) and the
expected output of stations.fold, computed with Dijkstra's algorithm from
each station, not by foldc.

    python3 reference.py
"""

import heapq
import os
import random

r = random.Random(5)
W = 25
roads = {}
for row in range(W):
    for col in range(W):
        x = row * W + col
        for y in ([x + 1] if col + 1 < W else []) + ([x + W] if row + 1 < W else []):
            if r.random() < 0.06:
                continue  # no road here
            m = r.randint(1, 9)
            one_way = r.random() < 0.12
            if not one_way or r.random() < 0.5:
                roads[(x, y)] = m
            if not one_way or (x, y) not in roads:
                roads[(y, x)] = m if r.random() < 0.7 else r.randint(1, 9)
# A closed-off block: roads lead out of it but none lead in.
block = {r_ * W + c for r_ in range(20, 23) for c in range(2, 5)}
roads = {(x, y): m for (x, y), m in roads.items() if not (y in block and x not in block)}

stations = {"Central": 12 * W + 12, "Harbor": 2 * W + 21, "Hill": 22 * W + 20, "Mill": 5 * W + 3, "Old Town": 17 * W + 9}

succ = {}
for (x, y), m in roads.items():
    succ.setdefault(x, []).append((y, m))
places = {x for e in roads for x in e}


def dijkstra(src):
    dist, todo = {src: 0}, [(0, src)]
    while todo:
        d, x = heapq.heappop(todo)
        if d > dist[x]:
            continue
        for y, m in succ.get(x, ()):
            if d + m < dist.get(y, 1 << 60):
                dist[y] = d + m
                heapq.heappush(todo, (d + m, y))
    return dist


best = {}
for name, at in stations.items():
    for p, d in dijkstra(at).items():
        if p in places or p == at:
            cand = (d, name.encode(), name)
            if p not in best or cand < best[p]:
                best[p] = cand


def write(path, header, rows, key=None):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in sorted(rows, key=key):
            f.write(",".join(str(v) for v in row) + "\n")


os.makedirs("expected", exist_ok=True)
write("road.csv", "src,dst,minutes", [(x, y, m) for (x, y), m in roads.items()])
write("station.csv", "name,at", stations.items(), key=lambda r: r[0].encode())
write("expected/best.csv", "place,station,minutes", [(p, n, d) for p, (d, _, n) in best.items()])
cover = {}
for d, _, n in best.values():
    cover[n] = cover.get(n, 0) + 1
write("expected/coverage.csv", "station,places", [(n, cover.get(n, 0)) for n in stations], key=lambda r: r[0].encode())
write("expected/slow.csv", "place,minutes", [(p, d) for p, (d, _, _) in best.items() if d > 25])
write("expected/unreachable.csv", "place", [(p,) for p in places if p not in best])
