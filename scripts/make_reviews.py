#!/usr/bin/python3
"""Writes src/datasets/reviews.csv: product returns explained by a categorical column and free text, not by a number.

Synthetic (seeded numpy, 2024): 2,000 orders with a numeric `price` that carries no signal, a `country` code (30
values, each with its own return propensity) and a short `review` text (6 to 14 words from a 146-word neutral
vocabulary, plus words from 12 positive and 12 negative ones). The label `returned` (yes / no) is drawn from a logistic
model of the country's effect and the review's words, so a model must read the category and the words — the hashing
trick — to predict it; the numeric column alone is at chance. Some reviews hold a comma and are quoted, as CSV writes
them. Run: /usr/bin/python3 scripts/make_reviews.py
"""
import os

import numpy as np

rng = np.random.default_rng(2024)
n = 2000
countries = ["AR", "AT", "AU", "BE", "BR", "CA", "CH", "CL", "CN", "CZ", "DE", "DK", "ES", "FI", "FR",
             "GB", "GR", "IE", "IN", "IT", "JP", "KR", "MX", "NL", "NO", "PL", "PT", "SE", "US", "ZA"]
country_effect = rng.normal(0.0, 2.0, len(countries))
neutral = ("the a it was is this that my for with on in of and to item order box color size arrived came "
           "package shipping delivery day days week product seller price bought gift wife husband son daughter "
           "friend kitchen office home garden car phone laptop table chair lamp shoes shirt jacket bag watch "
           "camera speaker cable charger case cover bottle cup plate knife pan pot blanket pillow towel "
           "after before during since when while then just also still very quite rather really bit little "
           "big small large medium light dark blue red green black white grey brown pink silver gold "
           "first second third time again once twice back front side top bottom inside outside left right "
           "morning evening monday friday weekend month year last next new old used same other another "
           "looks feels works fits seems sent went got put took made kept tried opened checked").split()
positive = "great perfect love excellent happy recommend sturdy comfortable beautiful fast solid exactly".split()
negative = "broken refund cheap disappointed wrong damaged missing poor flimsy useless returned faulty".split()
assert len(set(neutral)) == len(neutral) and len(positive) == 12 and len(negative) == 12

rows = []
for i in range(n):
    c = rng.integers(len(countries))
    words = list(rng.choice(neutral, rng.integers(6, 15)))
    score = country_effect[c]
    for _ in range(rng.integers(1, 4)):
        if rng.random() < 0.5:
            w = rng.choice(positive)
            score -= 2.0
        else:
            w = rng.choice(negative)
            score += 2.0
        words.insert(rng.integers(len(words) + 1), w)
    text = " ".join(words)
    if rng.random() < 0.1:
        text = text + ", really"
    returned = rng.random() < 1 / (1 + np.exp(-(score - 0.2)))
    price = round(float(rng.lognormal(3.5, 0.8)), 2)
    rows.append((price, countries[c], text, "yes" if returned else "no"))

path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src/datasets/reviews.csv")
with open(path, "w") as f:
    f.write("price,country,review,returned\n")
    for price, country, text, label in rows:
        field = f'"{text}"' if "," in text else text
        f.write(f"{price:.2f},{country},{field},{label}\n")
print(f"wrote {path}: {n} rows, {sum(r[3] == 'yes' for r in rows)} returned")
