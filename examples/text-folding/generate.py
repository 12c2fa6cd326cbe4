#!/usr/bin/env python3
"""Writes a deterministic synthetic corpus as a books CSV: eight books of
sentences drawn from a random bigram model over a Zipfian vocabulary of
made-up words, so that a few words are common (as "the" is) and most are
rare. `cases/generated/books.csv` is `python3 generate.py 240`.

    python3 generate.py SENTENCES [SEED] > books.csv
"""

import random
import sys

n = int(sys.argv[1])
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
r = random.Random(seed)
V = 400
syllables = "ka lo mi su te ra no vi be du fa go".split()
vocab = []
while len(vocab) < V:
    w = "".join(r.choice(syllables) for _ in range(r.randint(1, 3)))
    if w not in vocab:
        vocab.append(w)
weights = [1 / (i + 1) for i in range(V)]
successors = {w: r.choices(vocab, weights, k=6) for w in vocab}
books = []
for _ in range(8):
    sentences = []
    for _ in range(n // 8):
        w = r.choices(vocab, weights)[0]
        s = [w]
        for _ in range(r.randint(2, 10)):
            w = r.choice(successors[w])
            s.append(w)
        sentences.append(" ".join(s).capitalize())
    books.append(". ".join(sentences) + ".")
print("id,text")
for i, text in enumerate(books):
    print(f"{i + 1},{text}")
