#!/usr/bin/env python3
"""Generates the scikit-learn reference values the tests compare FastLogReg against.

Run from the repository root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 tests/FastLogReg.Tests/Fixtures/make_sklearn_fixtures.py

It writes tests/FastLogReg.Tests/Fixtures/sklearn_breast_cancer.json. The tests never run Python; they read the
committed JSON. The objective is scikit-learn's own (>= 1.2): mean log-loss + ||w||^2 / (2 C n), which is
FastLogReg's mean cross-entropy + (lambda/2)||w||^2 with lambda = 1 / (C n).
"""
import json
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


def objective(X, y, w, b, lam):
    z = X @ w + b
    # cross-entropy = softplus(z) - y z = -log_expit(-z)... written stably:
    loss = np.mean(-(y * log_expit(z) + (1 - y) * log_expit(-z)))
    return loss + 0.5 * lam * np.dot(w, w)


def gradient_norm(X, y, w, b, lam):
    r = expit(X @ w + b) - y
    gw = X.T @ r / len(y) + lam * w
    gb = np.mean(r)
    return float(np.sqrt(np.dot(gw, gw) + gb * gb))


def main():
    raw = np.loadtxt(DATA, delimiter=",", skiprows=1)
    X_raw, y = raw[:, :-1], raw[:, -1]
    n, d = X_raw.shape
    # StandardScaler: population standard deviation (ddof = 0).
    mean = X_raw.mean(axis=0)
    std = X_raw.std(axis=0)
    X = (X_raw - mean) / std

    fits = []
    for C in (1.0, 100.0):
        lam = 1.0 / (C * n)
        best = None
        # lbfgs and newton-cg at tight tolerances; keep the one with the lower objective (they agree to ~1e-12).
        for solver in ("lbfgs", "newton-cg"):
            clf = LogisticRegression(C=C, solver=solver, tol=1e-14, max_iter=100000)
            clf.fit(X, y)
            w, b = clf.coef_.ravel(), float(clf.intercept_[0])
            f = objective(X, y, w, b, lam)
            if best is None or f < best["objective"]:
                best = {
                    "C": C,
                    "l2": lam,
                    "solver": solver,
                    "weights": w.tolist(),
                    "bias": b,
                    "objective": float(f),
                    "gradient_norm": gradient_norm(X, y, w, b, lam),
                }
        fits.append(best)
        print(f"C={C}: solver={best['solver']} objective={best['objective']!r} |grad|={best['gradient_norm']:.3e}", file=sys.stderr)

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


if __name__ == "__main__":
    main()
