#!/usr/bin/env python3
"""Generates the scikit-learn reference values the tests compare FastLogReg against.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 tests/FastLogReg.Tests/Fixtures/make_sklearn_fixtures.py

It writes tests/FastLogReg.Tests/Fixtures/sklearn_breast_cancer.json and sklearn_synthetic.json. The tests never run
Python; they read the committed JSON. The synthetic set is not stored: it is regenerated from a seed by SplitMix64,
implemented identically here and in tests/FastLogReg.Tests/SyntheticData.cs (the fixture records its label count and
feature sum so that a mismatch fails loudly). The objective is scikit-learn's own (>= 1.2): mean log-loss + ||w||^2 / (2 C n), which is
FastLogReg's mean cross-entropy + (lambda/2)||w||^2 with lambda = 1 / (C n).
"""
import json
import math
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.special import expit, log_expit
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA = os.path.join(ROOT, "src", "datasets", "breast_cancer.csv")
OUT = os.path.join(ROOT, "tests", "FastLogReg.Tests", "Fixtures", "sklearn_breast_cancer.json")
OUT_SYNTHETIC = os.path.join(ROOT, "tests", "FastLogReg.Tests", "Fixtures", "sklearn_synthetic.json")
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)


def synthetic(rows, columns, seed):
    """Features 2u - 1 scaled by 1 + (j mod 5); labels drawn from a logistic model with w_j = ((j mod 7) - 3)/4, b = 0.3."""
    rng = SplitMix64(seed)
    X = np.empty((rows, columns))
    y = np.empty(rows)
    w = np.array([((j % 7) - 3) / 4.0 for j in range(columns)])
    for i in range(rows):
        for j in range(columns):
            X[i, j] = (2.0 * rng.uniform() - 1.0) * (1 + (j % 5))
        z = 0.3
        for j in range(columns):
            z += w[j] * X[i, j]
        p = 1.0 / (1.0 + math.exp(-z))
        y[i] = 1.0 if rng.uniform() < p else 0.0
    return X, y


def objective(X, y, w, b, lam, s=None):
    s = np.ones(len(y)) if s is None else s
    z = X @ w + b
    loss = np.sum(s * -(y * log_expit(z) + (1 - y) * log_expit(-z))) / np.sum(s)
    return loss + 0.5 * lam * np.dot(w, w)


def gradient_norm(X, y, w, b, lam, s=None):
    s = np.ones(len(y)) if s is None else s
    r = s * (expit(X @ w + b) - y)
    gw = X.T @ r / np.sum(s) + lam * w
    gb = np.sum(r) / np.sum(s)
    return float(np.sqrt(np.dot(gw, gw) + gb * gb))


def tight_fit(X, y, C, class_weight=None):
    """The better (lower objective) of lbfgs and newton-cg at tolerance 1e-14, as FastLogReg's objective sees it."""
    n = len(y)
    if class_weight == "balanced":
        counts = np.bincount(y.astype(int))
        s = np.array([n / (2.0 * counts[int(label)]) for label in y])
    else:
        s = np.ones(n)
    lam = 1.0 / (C * np.sum(s))
    best = None
    for solver in ("lbfgs", "newton-cg"):
        clf = LogisticRegression(C=C, solver=solver, tol=1e-14, max_iter=100000, class_weight=class_weight)
        clf.fit(X, y)
        w, b = clf.coef_.ravel(), float(clf.intercept_[0])
        f = objective(X, y, w, b, lam, s)
        if best is None or f < best["objective"]:
            best = {
                "C": C,
                "class_weight": class_weight or "none",
                "l2": lam,
                "solver": solver,
                "weights": w.tolist(),
                "bias": b,
                "objective": float(f),
                "gradient_norm": gradient_norm(X, y, w, b, lam, s),
            }
    print(f"C={C} class_weight={class_weight}: solver={best['solver']} objective={best['objective']!r} |grad|={best['gradient_norm']:.3e}", file=sys.stderr)
    return best


def main():
    raw = np.loadtxt(DATA, delimiter=",", skiprows=1)
    X_raw, y = raw[:, :-1], raw[:, -1]
    n, d = X_raw.shape
    # StandardScaler: population standard deviation (ddof = 0).
    mean = X_raw.mean(axis=0)
    std = X_raw.std(axis=0)
    X = (X_raw - mean) / std

    fits = [tight_fit(X, y, 1.0), tight_fit(X, y, 100.0), tight_fit(X, y, 1.0, "balanced")]

    fixture = {
        "generated_by": "tests/FastLogReg.Tests/Fixtures/make_sklearn_fixtures.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "data": "src/datasets/breast_cancer.csv",
        "rows": n,
        "columns": d,
        "standardization": {"mean": mean.tolist(), "std": std.tolist()},
        "fits": fits,
    }
    with open(OUT, "w") as fh:
        json.dump(fixture, fh, indent=1)
        fh.write("\n")

    rows, columns, seed = 2000, 50, 20261129
    Xs, ys = synthetic(rows, columns, seed)
    synthetic_fixture = {
        "generated_by": "tests/FastLogReg.Tests/Fixtures/make_sklearn_fixtures.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "rows": rows,
        "columns": columns,
        "seed": seed,
        "label_sum": float(ys.sum()),
        "feature_sum": float(Xs.sum()),
        "fits": [tight_fit(Xs, ys, 1.0)],
    }
    with open(OUT_SYNTHETIC, "w") as fh:
        json.dump(synthetic_fixture, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
