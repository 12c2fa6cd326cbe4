#!/usr/bin/env python3
"""Writes dictionary.csv, typos.csv (deterministic edits of dictionary
words, and a few words far from all of them) and the expected output of
spelling.fold, computed with the textbook edit-distance table, not by
foldc.

    python3 reference.py
"""

import os
import random

WORDS = """a about above across act add after again against age ago air all
almost alone along already also always among an and animal another answer
any appear are area around as ask at away back be bear beauty became because
become bed been before began begin behind being believe below best better
between big bird black blue boat body book both boy bring brother brought
build built but by call came can car care carry case cat cause center change
check child children city class clear close cold color come common complete
could country course cover cross cry cut dark day dead decide deep did differ
dog door down draw dream drive dry during each early earth east eat end enough
even ever every example eye face fact fall family far farm fast father fear feel
feet few field fill final find fine fire first fish five fly follow food foot
for force form found four free friend from front full game gave get girl give
glass go gold gone good got govern great green ground group grow half hand happy
hard has have he head hear heard heart heat help her here high him his hold home
horse hot hour house how however hundred idea if in inch into is island it just
keep kind king knew know land large last late laugh lay lead learn leave left
less let letter life light like line list little live long look lost love low
made main make man many map mark may me mean measure men might mile mind minute
miss moon more morning most mother mountain move much music must my name near
need never new next night no north not note nothing now number object of off
often old on once one only open or order other our out over own page paper part
pass past people perhaps person picture piece place plain plan plant play point
poor possible power probably problem product pull put question quick quite rain
ran reach read ready real red remember rest right river road rock room round
rule run said same sat saw say school sea second see seem self sentence set
several shape she ship short should show side simple since sing sit six size
sleep slow small snow so some song soon sound south space speak special spell
stand star start state stay step still stood stop story street strong study such
sun sure surface table tail take talk teach tell ten test than that the their
them then there these they thing think this those though thought three through
time to together told too took top toward town tree true try turn two under
unit until up upon us use usual very voice walk wall want war warm was watch
water way we week weight well went were west what wheel when where which while
white who whole why wide wild will wind window winter with without woman wood
word work world would write year yes yet you young your""".split()

r = random.Random(3)
letters = "abcdefghijklmnopqrstuvwxyz"
typos = set()
while len(typos) < 40:
    w = list(r.choice(WORDS))
    for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
        k = r.randrange(4)
        i = r.randrange(len(w) + (k == 1))
        if k == 0 and len(w) > 1:
            del w[i % len(w)]
        elif k == 1:
            w.insert(i, r.choice(letters))
        elif k == 2:
            w[i % len(w)] = r.choice(letters)
        elif len(w) > 1:
            i = i % (len(w) - 1)
            w[i], w[i + 1] = w[i + 1], w[i]
    t = "".join(w)
    if t not in WORDS:
        typos.add(t)
typos |= {"zyxxyq", "qqqq", "fjord", "xylophone"}


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
    return row[len(b)]


distance = [(t, w, d) for t in typos for w in WORDS for d in [edit_distance(t, w)] if d <= 2]
nearest = {}
for t, w, d in distance:
    cand = (d, w.encode(), w)
    if t not in nearest or cand < nearest[t]:
        nearest[t] = cand


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in sorted(rows, key=lambda row: [v.encode() if isinstance(v, str) else v for v in row]):
            f.write(",".join(str(v) for v in row) + "\n")


os.makedirs("expected", exist_ok=True)
write("dictionary.csv", "w", [(w,) for w in WORDS])
write("typos.csv", "w", [(t,) for t in typos])
write("expected/distance.csv", "typo,word,d", distance)
write("expected/suggestion.csv", "typo,word,d", [(t, w, d) for t, (d, _, w) in nearest.items()])
write("expected/no_suggestion.csv", "typo", [(t,) for t in typos if t not in nearest])
