#!/usr/bin/env python3
"""Writes parent.csv (a deterministic random family tree) and the expected
output of family.fold, computed level by level, not by foldc.

    python3 reference.py
"""

import os
import random

r = random.Random(7)
syllables = "an bo cy da el fi go ha io ju ka li mo na ol pe ra si tu vi".split()
names = set()


def new_name():
    while True:
        n = "".join(r.choice(syllables) for _ in range(r.randint(2, 3))).capitalize()
        if n not in names:
            names.add(n)
            return n


# Three founders; each person has 1 to 4 children (0 to 2 in the last
# generation), down four generations.
parent = []
level = [new_name(), new_name(), new_name()]
levels = [level]
for depth in range(4):
    nxt = []
    for p in level:
        for _ in range(r.choice([1, 2, 2, 3, 3, 4] if depth < 3 else [0, 1, 2])):
            c = new_name()
            parent.append((p, c))
            nxt.append(c)
    levels.append(nxt)
    level = nxt
levels = [lv for lv in levels if lv]

of = {c: p for p, c in parent}
depth = {x: d for d, lv in enumerate(levels) for x in lv}
has_children = {p for p, _ in parent}
# A founder without children is in no fact of the tree.
people = [x for x in depth if x in of or x in has_children]


def ancestors_meet(x, y):
    """Same generation: walk both up in step until the parents match."""
    while x in of and y in of:
        if of[x] == of[y]:
            return True
        x, y = of[x], of[y]
    return False


same_gen = [(x, y) for x in people for y in people if x != y and depth[x] == depth[y] and ancestors_meet(x, y)]
sibling = [(x, y) for x in people for y in people if x != y and x in of and of.get(y) == of[x]]
sib = set(sibling)
cousin = [(x, y) for (x, y) in same_gen if (x, y) not in sib]
generation = [(x, depth[x]) for x in people]
sizes = {}
for x, d in generation:
    sizes[d] = sizes.get(d, 0) + 1


def key(row):
    return [v.encode() if isinstance(v, str) else v for v in row]


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in sorted(rows, key=key):
            f.write(",".join(str(v) for v in row) + "\n")


os.makedirs("expected", exist_ok=True)
write("parent.csv", "parent,child", parent)
write("expected/same_gen.csv", "a,b", same_gen)
write("expected/sibling.csv", "a,b", sibling)
write("expected/cousin.csv", "a,b", cousin)
write("expected/generation.csv", "person,depth", generation)
write("expected/generation_size.csv", "depth,n", sizes.items())
