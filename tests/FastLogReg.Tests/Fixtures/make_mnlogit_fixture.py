#!/usr/bin/env python3
"""Generates statsmodels_mnlogit.json: statsmodels' MNLogit (unpenalized multinomial logit) on a small part of the
vendored digits data, for FastLogReg's K-class coefficient statistics.

Run with Debian's packages (apt-get install python3-statsmodels python3-numpy):

    /usr/bin/python3 tests/FastLogReg.Tests/Fixtures/make_mnlogit_fixture.py

The data: src/datasets/digits.csv, the rows of digits 3, 5 and 8 (relabelled 0, 1, 2 in that order), pixel columns
10, 20, 28, 36, 44 and 52 raw — not separable, so the maximum-likelihood estimates exist. statsmodels parameterizes
against the first class: for class k = 1, 2 the parameters are the constant and the six slopes of
log(P(k)/P(0)) — in FastLogReg's K-row model, (w_k - w_0, b_k - b_0). The tests never run Python.
"""
import json
import os

import numpy as np
import statsmodels
import statsmodels.api as sm

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "..", "src", "datasets", "digits.csv")
CLASSES = (3, 5, 8)
COLUMNS = [10, 20, 28, 36, 44, 52]


def main():
    data = np.loadtxt(DIGITS, delimiter=",", skiprows=1)
    mask = np.isin(data[:, -1], CLASSES)
    x = data[mask][:, COLUMNS]
    y = np.searchsorted(CLASSES, data[mask][:, -1])
    model = sm.MNLogit(y, sm.add_constant(x, prepend=True))
    res = model.fit(method="newton", maxiter=200, tol=1e-12, disp=0)
    assert res.mle_retvals["converged"]
    score = model.score(res.params.ravel(order="F"))
    params = res.params.T  # (K - 1) x (d + 1): per class, the constant first
    fixture = {
        "generated_by": "tests/FastLogReg.Tests/Fixtures/make_mnlogit_fixture.py",
        "versions": {"numpy": np.__version__, "statsmodels": statsmodels.__version__},
        "data": {
            "file": "src/datasets/digits.csv",
            "classes": list(CLASSES),
            "class_ids": "class k of the fit is digit classes[k]",
            "columns": COLUMNS,
            "rows": int(mask.sum()),
            "preprocessing": "none: the pixel columns raw, a constant prepended (statsmodels.api.add_constant(prepend=True))",
        },
        "param_names": ["const"] + [f"x{c}" for c in COLUMNS],
        "params_note": "one row per class 1 .. K-1 against class 0: (constant, slopes) of log(P(k)/P(0))",
        "params": params.tolist(),
        "bse": res.bse.T.tolist(),
        "tvalues": res.tvalues.T.tolist(),
        "pvalues": res.pvalues.T.tolist(),
        "conf_int_95": np.asarray(res.conf_int(alpha=0.05)).tolist(),
        "conf_int_note": "[lower, upper] = params -/+ 1.959963984540054 bse, per class and parameter",
        "llf": float(res.llf),
        "score_norm": float(np.linalg.norm(score)),
        "cov_params": np.asarray(res.cov_params()).tolist(),
        "cov_params_note": "class-major: the 7 parameters of class 1, then of class 2 (params order)",
        "solver": {"method": "newton", "maxiter": 200, "tol": 1e-12, "iterations": int(res.mle_retvals["iterations"])},
    }
    with open(os.path.join(HERE, "statsmodels_mnlogit.json"), "w") as fh:
        json.dump(fixture, fh, indent=1)
    print(f"llf {res.llf!r}, |score| {np.linalg.norm(score):.2e}, {res.mle_retvals['iterations']} iterations")


if __name__ == "__main__":
    main()
