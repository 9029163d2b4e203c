#!/usr/bin/python3
"""Writes src/datasets/circles.csv: two concentric noisy circles, a data set no line separates.

The same construction as scikit-learn's make_circles(n_samples=1000, noise=0.1, factor=0.5): 500 points on the unit
circle (label 0) and 500 on the circle of radius 0.5 (label 1), each coordinate plus N(0, 0.1^2) noise, shuffled, with
numpy's generator seeded 2024. Run: /usr/bin/python3 scripts/make_circles.py
"""
import os

import numpy as np

rng = np.random.default_rng(2024)
n = 1000
angles = rng.uniform(0, 2 * np.pi, n)
radius = np.where(np.arange(n) < n // 2, 1.0, 0.5)
label = (np.arange(n) >= n // 2).astype(int)
x = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1) + rng.normal(0, 0.1, (n, 2))
order = rng.permutation(n)
path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src/datasets/circles.csv")
with open(path, "w") as f:
    f.write("x1,x2,label\n")
    for i in order:
        f.write(f"{x[i, 0]:.6f},{x[i, 1]:.6f},{label[i]}\n")
print(f"wrote {path}")
