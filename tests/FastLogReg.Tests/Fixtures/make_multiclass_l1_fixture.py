#!/usr/bin/env python3
"""Generates sklearn_multiclass_l1.json: K-class L1 / elastic-net optima (scikit-learn's saga, polished to a true optimum).

Run from anywhere with Debian's packages (apt-get install python3-sklearn python3-statsmodels python3-scipy
python3-numpy; statsmodels only because make_reference_fixtures.py, whose helpers this script imports, imports it):

    /usr/bin/python3 tests/FastLogReg.Tests/Fixtures/make_multiclass_l1_fixture.py [--validate-only]

It takes 30-45 s (nearly all of it saga's; the polish ~2 s; 2 cores), writes sklearn_multiclass_l1.json beside itself,
then reloads it and re-checks every number against the vendored data. The tests never run Python.

Data: the first 500 rows of src/datasets/digits.csv (file order; 64 pixel columns, label = last column, 10 classes),
standardized with StandardScaler on those rows: x' = (x - mean) / scale, population standard deviation (ddof = 0),
constant columns (8 of them in these rows) keep scale 1 and so are all 0 after centring. The JSON records mean and
scale; the tests standardize with them and train with Standardize = false.

Objectives (FastLogReg's conventions, see make_reference_fixtures.py; W is K x d, row k = class k, b unpenalized):

  multinomial:  f(W, b) = (1/n) sum_i [logsumexp(z_i) - z_{i, y_i}] + lambda (rho ||W||_1 + (1 - rho)/2 ||W||_F^2),
                z_i = W x_i + b
  one-vs-rest:  f(W, b) = sum_k { (1/n) sum_i [softplus(z_ik) - [y_i = k] z_ik] + lambda (rho ||w_k||_1 + (1 - rho)/2 ||w_k||^2) }
                = the sum over classes of the K binary objectives (each normalized by n), as FastLogReg's
                MultinomialObjective(oneVsRest: true) defines it and reports it as FinalObjective;
  lambda = 1/(C n), n = 500, for scikit-learn's C (its objective is C sum_i loss_i + penalty; divide by C n).

Fits: multinomial L1 at C = 0.05 (sparse) and C = 1 (less sparse), multinomial elastic net rho = 0.5 at C = 0.1,
one-vs-rest L1 at C = 0.1. scikit-learn 1.2.1:
  multinomial: LogisticRegression(penalty='l1' | 'elasticnet', solver='saga', multi_class='multinomial', tol=1e-12,
               max_iter=10000, random_state=0) (saga stops at max_iter at C = 1; the polish does the rest);
  one-vs-rest: OneVsRestClassifier(LogisticRegression(penalty='l1', solver='saga', tol=1e-12, max_iter=10000,
               random_state=0)): K binary fits on the labels [y = k].
Polish, on FastLogReg's objective:
  one-vs-rest: per class, the binary active-set Newton method of make_reference_fixtures.active_set_polish;
  multinomial: its K-class analogue (active_set_polish_multinomial below): saga's exact zeros are the starting zero set,
      the non-zero weights keep their signs, Newton's method solves the smooth restricted problem over (W_A, b) — the
      L1 term is linear there — exactly; a weight whose step would cross zero is set to zero and dropped, a zero weight
      with |g| > lambda rho is added; until the subgradient conditions hold to rounding. The softmax's null direction
      (b -> b + c 1 changes nothing) is fixed by adding (1/2)(sum_k b_k)^2 / K to the restricted objective: the
      recorded intercepts sum to 0 (compare b - mean(b)).

An L1 multinomial optimum need not be unique: adding v to every class's weight on column j (W[:, j] += v) adds
v x_ij to every logit of row i, which the softmax ignores, so along that direction only the L1 term changes, by
lambda (#pos - #neg) v while no entry crosses zero. Optimality forces sum_k g_kj = 0 (the columns of the softmax
gradient sum to zero over classes), so #pos - #neg = sum over the column's zeros of g_kj / (lambda rho); the
direction is flat — a segment of optima, with different zero patterns at its ends — exactly when
|#pos - #neg| = #zeros in the column (for K = 10: always when a column has no zero or one zero; with two or more
zeros, only if all of them sit on the same boundary g = +-lambda rho). The fixture lists such columns as
shift_degenerate_columns (none occurred in these fits: every column of the multinomial L1 fits has at least four zeros,
and no zero sits on the boundary: the smallest relative KKT margin is 9e-4) and, were there any, the polish would
move each to the end of its segment nearer zero. With rho < 1 the L2 term makes the optimum
unique; one-vs-rest's K binary problems are unrelated to each other.

Every fit records C, lambda, rho, kind, W, b, FastLogReg's objective recomputed here in double (logsumexp /
np.logaddexp, math.fsum), the largest subgradient violation (see OPTIMALITY below), the zero pattern, the borderline
entries (see ZERO_RULE), scikit-learn's own objective / violation / distance to the polished point, and the versions.
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import scipy.linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_reference_fixtures as ref  # noqa: E402  (its main() runs only as a script)

SCRIPT = "tests/FastLogReg.Tests/Fixtures/make_multiclass_l1_fixture.py"
OUTPUT = "sklearn_multiclass_l1.json"
ROWS = 500
TARGET = 1e-10  # the polished violation must be below this (the achieved values are lower and recorded)
SAGA = {"tol": 1e-12, "max_iter": 10000, "random_state": 0}
BORDERLINE_WEIGHT = 1e-8  # a non-zero weight smaller than this ...
BORDERLINE_MARGIN = 1e-6  # ... or a zero weight whose relative KKT margin is below this is borderline

MULTINOMIAL_OBJECTIVE = (
    "f(W,b) = (1/n) sum_i [logsumexp(z_i) - z_{i,y_i}] + lambda (rho ||W||_1 + (1-rho)/2 ||W||_F^2), z_i = W x_i + b, "
    "W is K x d (row k = class k), b unpenalized, n = 500; lambda = 1/(C n)"
)
OVR_OBJECTIVE = (
    "f(W,b) = sum_k [ (1/n) sum_i (softplus(z_ik) - [y_i = k] z_ik) + lambda (rho ||w_k||_1 + (1-rho)/2 ||w_k||^2) ], "
    "z_ik = w_k.x_i + b_k: the sum of the K binary objectives, each normalized by n (FastLogReg's one-vs-rest "
    "objective and FinalObjective); objective_per_class holds the K terms; lambda = 1/(C n)"
)
OPTIMALITY = (
    "max subgradient-optimality violation over all classes: max of |df_smooth/db_k|, |g_kj + lambda rho sign(w_kj)| "
    "(w_kj != 0), max(0, |g_kj| - lambda rho) (w_kj == 0); f_smooth = the loss + lambda (1-rho)/2 ||W||_F^2, "
    "g = its gradient in W (for one-vs-rest each class's binary gradient)"
)
ZERO_RULE = (
    "A weight is zero exactly when it is 0.0 in W; zero_indices are flat indices k*d + j (class-major, FastLogReg's "
    "weight layout). The polish starts from saga's exact zeros and corrects them until the subgradient conditions hold "
    "to rounding. relative margin of a zero weight = (lambda rho - |g_kj|)/(lambda rho). borderline lists [k, j] of "
    f"non-zero weights with |w| < {BORDERLINE_WEIGHT:g} and zero weights with margin < {BORDERLINE_MARGIN:g}: their "
    "zero/non-zero status is decided by rounding-level differences and may differ in another solver. "
    "shift_degenerate_columns (multinomial, rho = 1) lists columns j with |#pos - #neg| = #zeros in W[:, j], along "
    "which the optimum is a segment (see the script's docstring); their zero pattern is not determined, only "
    "W[:, j] - mean_k W[k, j] is."
)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------------------
# data


def load_data():
    X_all, y_all, header = ref.load_digits()
    X_raw, y = X_all[:ROWS], y_all[:ROWS]
    X, mean, scale = ref.standardize(X_raw)
    return X, y, X_raw, mean, scale, header


# ----------------------------------------------------------------------------------------------------------------------
# multinomial L1 / elastic net


def multinomial_objective(X, y, W, b, lam, rho):
    Theta = np.hstack([W, b[:, None]])
    smooth = ref.multinomial_parts(X, y, Theta, lam * (1 - rho))[0]
    return smooth + lam * rho * math.fsum(np.abs(W).ravel())


def multinomial_measure(X, y, W, b, lam, rho):
    """The largest violation, and the smooth gradient in W (K x d)."""
    d = X.shape[1]
    t = lam * rho
    G = ref.multinomial_parts(X, y, np.hstack([W, b[:, None]]), lam * (1 - rho))[1]
    GW, gb = G[:, :d], G[:, d]
    viol = np.where(W != 0, np.abs(GW + t * np.sign(W)), np.maximum(0.0, np.abs(GW) - t))
    return float(max(viol.max(initial=0.0), np.abs(gb).max())), GW


def restricted_newton_multinomial(X, y, lam, rho, W, b, A, s, max_steps=200):
    """Newton on the smooth problem over (W[A], b) (A: flat indices k*d + j) with the signs s of W[A] fixed, plus the
    gauge term (1/2)(sum_k b_k)^2/K. Returns (W, b, dropped): a weight whose step would cross zero is set to zero and
    reported in dropped (as in make_reference_fixtures.restricted_newton)."""
    K, d = W.shape
    m = d + 1
    lam2, t = lam * (1 - rho), lam * rho
    A = np.asarray(A, dtype=int)
    k = len(A)
    free = np.r_[(A // d) * m + (A % d), np.arange(K) * m + d].astype(int)
    u = np.zeros(len(free))
    u[k:] = 1.0 / math.sqrt(K)
    base = np.hstack([W, b[:, None]]).ravel()

    def theta(v):
        th = base.copy()
        th[free] = v
        return th.reshape(K, m)

    def F(v):
        return ref.multinomial_parts(X, y, theta(v), lam2)[0] + t * math.fsum(s * v[:k]) + 0.5 * float(u @ v) ** 2

    def grad_hess(v):
        _, G, P = ref.multinomial_parts(X, y, theta(v), lam2)
        g = G.ravel()[free] + u * float(u @ v)
        g[:k] += t * s
        H = ref.multinomial_hessian(X, P, lam2)[np.ix_(free, free)] + np.outer(u, u)
        return g, H

    v = base[free].copy()
    best_gn = math.inf
    stall = 0
    for _ in range(max_steps):
        g, H = grad_hess(v)
        gn = float(np.linalg.norm(g))
        stall = 0 if gn < best_gn * 0.5 else stall + 1
        best_gn = min(best_gn, gn)
        if gn == 0.0 or stall >= 3:
            break
        step = scipy.linalg.solve(H, -g, assume_a="sym")
        shrinking = (s * step[:k]) < 0
        ratios = np.full(k, np.inf)
        ratios[shrinking] = -v[:k][shrinking] / step[:k][shrinking]
        j_cross = int(np.argmin(ratios)) if k else -1
        alpha_max = min(1.0, float(ratios[j_cross])) if k else 1.0
        alpha = alpha_max
        f0 = F(v)
        slope = float(g @ step)
        while alpha > 1e-20 and F(v + alpha * step) > f0 + 1e-4 * alpha * slope + 1e-15 * abs(f0):
            alpha *= 0.5
        v = v + alpha * step
        if alpha == alpha_max and alpha_max < 1.0:
            v[j_cross] = 0.0
            th = theta(v)
            return th[:, :d].copy(), th[:, d].copy(), [int(A[j_cross])]
    th = theta(v)
    return th[:, :d].copy(), th[:, d].copy(), []


def settle_shift_directions(W, rho):
    """rho = 1: a column with no zero has a flat (or descending) direction W[:, j] += v; move it, without raising
    the objective, to where an entry is zero (the end of the segment nearer zero). Returns the columns moved."""
    moved = []
    if rho != 1.0:
        return moved
    for j in range(W.shape[1]):
        col = W[:, j]
        if np.all(col != 0):
            pos, neg = int(np.sum(col > 0)), int(np.sum(col < 0))
            if pos > neg:
                k = int(np.argmin(np.where(col > 0, col, np.inf)))
            elif neg > pos:
                k = int(np.argmin(np.where(col < 0, -col, np.inf)))
            else:
                k = int(np.argmin(np.abs(col)))
            W[:, j] = col - col[k]
            W[k, j] = 0.0
            moved.append(j)
    return moved


def shift_degenerate_columns(W, rho):
    if rho != 1.0:
        return []
    out = []
    for j in range(W.shape[1]):
        col = W[:, j]
        zeros = int(np.sum(col == 0))
        if zeros < len(col) and abs(int(np.sum(col > 0)) - int(np.sum(col < 0))) == zeros:
            out.append(j)
    return out


def active_set_polish_multinomial(X, y, lam, rho, W0, b0):
    """Active-set Newton from saga's solution (intercepts centred); returns W, b and a log of the zero-set changes."""
    t = lam * rho
    K, d = W0.shape
    W, b = W0.copy(), b0 - b0.mean()
    changes = []
    for _ in range(2000):
        moved = settle_shift_directions(W, rho)
        if moved:
            changes.append({"shift_settled_columns": moved})
        A = np.flatnonzero(W.ravel() != 0)
        s = np.sign(W.ravel()[A])
        W, b, dropped = restricted_newton_multinomial(X, y, lam, rho, W, b, A, s)
        if dropped:
            changes.append({"dropped": dropped})
            continue
        _, GW = multinomial_measure(X, y, W, b, lam, rho)
        g = GW.ravel()
        zero = np.flatnonzero(W.ravel() == 0)
        over = zero[np.abs(g[zero]) > t * (1 + 1e-12)]
        if len(over) == 0:
            break
        a = int(over[np.argmax(np.abs(g[over]))])
        W.ravel()[a] = -np.sign(g[a]) * 1e-8  # enter with the sign that lowers the objective; Newton sizes it
        changes.append({"added": [a]})
    else:
        raise RuntimeError("active-set polish did not settle")
    return W, b, changes


def borderline(W, GW, t):
    out = []
    for k in range(W.shape[0]):
        for j in range(W.shape[1]):
            w = W[k, j]
            if (w != 0 and abs(w) < BORDERLINE_WEIGHT) or (w == 0 and (t - abs(GW[k, j])) / t < BORDERLINE_MARGIN):
                out.append([k, j])
    return out


def zero_summary(W, GW, t):
    zero = W == 0
    margins = (t - np.abs(GW[zero])) / t
    return {
        "zero_indices": [int(a) for a in np.flatnonzero(zero.ravel())],
        "nonzero_count": int(np.sum(~zero)),
        "nonzero_per_class": [int(c) for c in np.sum(~zero, axis=1)],
        "smallest_nonzero_abs": float(np.min(np.abs(W[~zero]))) if np.any(~zero) else None,
        "zero_kkt_min_relative_margin": float(margins.min()) if len(margins) else None,
        "borderline": borderline(W, GW, t),
    }


def fit_multinomial_l1(X, y, C, rho):
    n, d = X.shape
    K = int(y.max()) + 1
    lam = 1.0 / (C * n)
    t = lam * rho
    penalty = "l1" if rho == 1.0 else "elasticnet"
    kwargs = {"l1_ratio": rho} if penalty == "elasticnet" else {}
    clf = LogisticRegression(penalty=penalty, C=C, solver="saga", multi_class="multinomial", **SAGA, **kwargs)
    started = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    saga_seconds = time.time() - started
    W_sk, b_sk = clf.coef_.copy(), clf.intercept_.copy()
    b_sk_c = b_sk - b_sk.mean()
    m_sk, _ = multinomial_measure(X, y, W_sk, b_sk_c, lam, rho)
    obj_sk = multinomial_objective(X, y, W_sk, b_sk_c, lam, rho)

    started = time.time()
    W, b, changes = active_set_polish_multinomial(X, y, lam, rho, W_sk, b_sk)
    polish_seconds = time.time() - started
    m, GW = multinomial_measure(X, y, W, b, lam, rho)
    assert m < TARGET, (C, rho, m, m_sk)
    obj = multinomial_objective(X, y, W, b, lam, rho)
    assert obj <= obj_sk + 1e-14 * abs(obj), (obj, obj_sk)  # saga can be at the optimum to rounding already
    degenerate = shift_degenerate_columns(W, rho)

    # curvature on the free variables (non-zero weights, intercepts with the gauge term) for a distance estimate
    P = ref.multinomial_parts(X, y, np.hstack([W, b[:, None]]), lam * (1 - rho))[2]
    A = np.flatnonzero(W.ravel() != 0)
    free = np.r_[(A // d) * (d + 1) + (A % d), np.arange(K) * (d + 1) + d]
    u = np.zeros(len(free))
    u[len(A):] = 1.0 / math.sqrt(K)
    mu = ref.min_eigenvalue(ref.multinomial_hessian(X, P, lam * (1 - rho))[np.ix_(free, free)] + np.outer(u, u))

    zs = zero_summary(W, GW, t)
    rec = {
        "name": f"multinomial_{penalty}_C{C:g}",
        "kind": "multinomial",
        "penalty": penalty,
        "l1_ratio": rho,
        "C": C,
        "lambda": lam,
        "n": n,
        "W": W,
        "b": b,
        "intercept_normalization": "sum_k b_k = 0 (b is identified only up to a common shift; compare b - mean(b))",
        "intercept_sum": float(b.sum()),
        "objective": obj,
        "optimality_violation": m,
        **zs,
        "shift_degenerate_columns": degenerate,
        "free_hessian_min_eigenvalue": mu,
        "distance_to_optimum_estimate": m / mu,
        "sklearn": {
            "class": "sklearn.linear_model.LogisticRegression",
            "settings": {"penalty": penalty, **kwargs, "C": C, "solver": "saga", "multi_class": "multinomial",
                         **SAGA, "fit_intercept": True},
            "n_iter": int(np.max(clf.n_iter_)),
            "convergence_warning": any(issubclass(c.category, ConvergenceWarning) for c in caught),
            "seconds": round(saga_seconds, 1),
            "objective": obj_sk,
            "optimality_violation": m_sk,
            "objective_minus_polished": obj_sk - obj,
            "nonzero_count": int(np.sum(W_sk != 0)),
            "zero_indices_agree": bool(np.array_equal(W == 0, W_sk == 0)),
            "max_abs_diff": float(np.max(np.abs(np.c_[W - W_sk, b - b_sk_c]))),
            "raw_intercepts": b_sk,
        },
        "polish": {
            "method": "active-set Newton on FastLogReg's objective from saga's solution with centred intercepts "
                      "(active_set_polish_multinomial; gauge term (1/2)(sum_k b_k)^2/K)",
            "seconds": round(polish_seconds, 1),
            "zero_set_changes": changes,
        },
    }
    log(f"  multinomial {penalty} rho={rho} C={C:g}: objective={obj!r} nnz={zs['nonzero_count']} (saga "
        f"{rec['sklearn']['nonzero_count']}) violation saga {m_sk:.2e} -> {m:.2e}, {len(changes)} zero-set changes, "
        f"min margin {zs['zero_kkt_min_relative_margin']:.3g}, smallest |w| {zs['smallest_nonzero_abs']:.3g}, "
        f"degenerate columns {degenerate}; saga {saga_seconds:.1f} s, polish {polish_seconds:.1f} s")
    return rec


# ----------------------------------------------------------------------------------------------------------------------
# one-vs-rest L1: OneVsRestClassifier's K binary saga fits, each polished by the binary active-set Newton method


def fit_one_vs_rest_l1(X, y, C):
    n, d = X.shape
    K = int(y.max()) + 1
    rho = 1.0
    lam = 1.0 / (C * n)
    t = lam * rho
    ovr = OneVsRestClassifier(LogisticRegression(penalty="l1", C=C, solver="saga", **SAGA))
    started = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        ovr.fit(X, y)
    saga_seconds = time.time() - started
    assert list(ovr.classes_) == list(range(K))
    W, b, GW = np.zeros((K, d)), np.zeros(K), np.zeros((K, d))
    W_sk, b_sk = np.zeros((K, d)), np.zeros(K)
    per_class = []
    started = time.time()
    for k, est in enumerate(ovr.estimators_):
        yk = (y == k).astype(float)
        w_sk, bk_sk = est.coef_.ravel().copy(), float(est.intercept_[0])
        W_sk[k], b_sk[k] = w_sk, bk_sk
        m_sk, _ = ref.l1_measure(X, yk, w_sk, bk_sk, lam, rho)
        w, bk, changes = ref.active_set_polish(X, yk, lam, rho, w_sk, bk_sk)
        m, g = ref.l1_measure(X, yk, w, bk, lam, rho)
        if not m < m_sk:  # saga already at rounding level: keep its point
            w, bk, m, changes = w_sk, bk_sk, m_sk, []
        _, g = ref.l1_measure(X, yk, w, bk, lam, rho)
        assert m < TARGET, (k, m)
        W[k], b[k], GW[k] = w, bk, g
        nz = np.flatnonzero(w != 0)
        mu = ref.min_eigenvalue(ref.binary_hessian(X[:, nz], yk, w[nz], bk, 0.0))
        per_class.append({
            "class": k,
            "positives": int(yk.sum()),
            "objective": ref.binary_objective(X, yk, w, bk, 0.0, t),
            "optimality_violation": m,
            "nonzero_count": int(len(nz)),
            "free_hessian_min_eigenvalue": mu,
            "sklearn_n_iter": int(est.n_iter_[0]),
            "sklearn_objective": ref.binary_objective(X, yk, w_sk, bk_sk, 0.0, t),
            "sklearn_optimality_violation": m_sk,
            "polish_zero_set_changes": changes,
        })
    polish_seconds = time.time() - started
    obj = math.fsum(c["objective"] for c in per_class)
    obj_sk = math.fsum(c["sklearn_objective"] for c in per_class)
    m = max(c["optimality_violation"] for c in per_class)
    m_sk = max(c["sklearn_optimality_violation"] for c in per_class)
    zs = zero_summary(W, GW, t)
    rec = {
        "name": f"one_vs_rest_l1_C{C:g}",
        "kind": "one_vs_rest",
        "penalty": "l1",
        "l1_ratio": rho,
        "C": C,
        "lambda": lam,
        "n": n,
        "W": W,
        "b": b,
        "intercept_normalization": "none (each class's intercept is its binary problem's, determined)",
        "objective": obj,
        "objective_per_class": [c["objective"] for c in per_class],
        "optimality_violation": m,
        **zs,
        "shift_degenerate_columns": [],
        "free_hessian_min_eigenvalue": min(c["free_hessian_min_eigenvalue"] for c in per_class),
        "distance_to_optimum_estimate": m / min(c["free_hessian_min_eigenvalue"] for c in per_class),
        "sklearn": {
            "class": "sklearn.multiclass.OneVsRestClassifier(sklearn.linear_model.LogisticRegression)",
            "settings": {"penalty": "l1", "C": C, "solver": "saga", **SAGA, "fit_intercept": True},
            "n_iter_per_class": [c["sklearn_n_iter"] for c in per_class],
            "convergence_warning": any(issubclass(c.category, ConvergenceWarning) for c in caught),
            "seconds": round(saga_seconds, 1),
            "objective": obj_sk,
            "optimality_violation": m_sk,
            "objective_minus_polished": obj_sk - obj,
            "nonzero_count": int(np.sum(W_sk != 0)),
            "zero_indices_agree": bool(np.array_equal(W == 0, W_sk == 0)),
            "max_abs_diff": float(np.max(np.abs(np.c_[W - W_sk, b - b_sk]))),
        },
        "polish": {
            "method": "per class, make_reference_fixtures.active_set_polish (binary active-set Newton) from saga's "
                      "solution; saga's point is kept where the polish does not lower the violation",
            "seconds": round(polish_seconds, 1),
        },
        "per_class": per_class,
    }
    log(f"  one-vs-rest l1 C={C:g}: objective={obj!r} nnz={zs['nonzero_count']} violation saga {m_sk:.2e} -> "
        f"{m:.2e}, min margin {zs['zero_kkt_min_relative_margin']:.3g}, smallest |w| {zs['smallest_nonzero_abs']:.3g}; "
        f"saga {saga_seconds:.1f} s, polish {polish_seconds:.1f} s")
    return rec


# ----------------------------------------------------------------------------------------------------------------------


def fixture():
    X, y, X_raw, mean, scale, header = load_data()
    K = int(y.max()) + 1
    constant = [int(j) for j in np.flatnonzero(X_raw.std(axis=0) == 0)]
    fits = [
        fit_multinomial_l1(X, y, 0.05, 1.0),
        fit_multinomial_l1(X, y, 1.0, 1.0),
        fit_multinomial_l1(X, y, 0.1, 0.5),
        fit_one_vs_rest_l1(X, y, 0.1),
    ]
    return {
        "generated_by": SCRIPT,
        "versions": ref.VERSIONS,
        "objective": {"multinomial": MULTINOMIAL_OBJECTIVE, "one_vs_rest": OVR_OBJECTIVE},
        "optimality_measure": OPTIMALITY,
        "zero_rule": ZERO_RULE,
        "data": {
            "file": ref.DIGITS,
            "rows": f"the first {ROWS} rows, in file order",
            "row_count": ROWS,
            "columns": X.shape[1],
            "feature_columns": f"{header[0]} .. {header[-2]}",
            "label_column": "digit",
            "classes": K,
            "class_counts": np.bincount(y, minlength=K),
            "raw_feature_sum": math.fsum(X_raw.ravel()),
            "constant_columns": constant,
            "standardization": {
                "rule": "StandardScaler on these rows: x' = (x - mean) / scale, mean and population standard deviation "
                        "(ddof = 0) per column; constant columns keep scale 1 (and are 0 after centring)",
                "mean": mean,
                "scale": scale,
            },
        },
        "fits": fits,
    }


def validate():
    with open(os.path.join(HERE, OUTPUT)) as fh:
        fx = json.load(fh)
    X, y, X_raw, mean, scale, _ = load_data()
    st = fx["data"]["standardization"]
    assert np.array_equal(np.array(st["mean"]), mean) and np.array_equal(np.array(st["scale"]), scale)
    assert list(np.bincount(y)) == fx["data"]["class_counts"]
    assert math.fsum(X_raw.ravel()) == fx["data"]["raw_feature_sum"]
    Xs = (X_raw - np.array(st["mean"])) / np.array(st["scale"])
    assert np.array_equal(Xs, X)

    def close(a, b, rel=1e-13):
        return abs(a - b) <= rel * max(1.0, abs(a), abs(b))

    print(f"{'fit':<34} {'objective':>22} {'violation':>10} {'saga viol.':>10} {'nnz':>5} {'min margin':>10}")
    for fit in fx["fits"]:
        W, b = np.array(fit["W"]), np.array(fit["b"])
        lam, rho, C = fit["lambda"], fit["l1_ratio"], fit["C"]
        assert close(lam, 1.0 / (C * ROWS), 1e-15)
        t = lam * rho
        if fit["kind"] == "multinomial":
            obj = multinomial_objective(Xs, y, W, b, lam, rho)
            m, GW = multinomial_measure(Xs, y, W, b, lam, rho)
            assert abs(b.sum()) < 1e-12, b.sum()
            assert shift_degenerate_columns(W, rho) == fit["shift_degenerate_columns"]
        else:
            per, ms, GW = [], [], np.zeros_like(W)
            for k in range(W.shape[0]):
                yk = (y == k).astype(float)
                per.append(ref.binary_objective(Xs, yk, W[k], b[k], lam * (1 - rho), t))
                mk, GW[k] = ref.l1_measure(Xs, yk, W[k], b[k], lam, rho)
                ms.append(mk)
                assert close(per[-1], fit["objective_per_class"][k])
            obj, m = math.fsum(per), max(ms)
        assert close(obj, fit["objective"]), (fit["name"], obj, fit["objective"])
        assert m < TARGET, (fit["name"], m)
        assert obj <= fit["sklearn"]["objective"] + 1e-14 * abs(obj)
        zs = zero_summary(W, GW, t)
        for key in ("zero_indices", "nonzero_count", "borderline"):
            assert zs[key] == fit[key], (fit["name"], key)
        print(f"{fit['name']:<34} {obj:>22.16g} {m:>10.2e} {fit['sklearn']['optimality_violation']:>10.2e} "
              f"{zs['nonzero_count']:>5} {zs['zero_kkt_min_relative_margin']:>10.3g}")
    print(f"all {len(fx['fits'])} fits validated")


def main():
    if "--validate-only" not in sys.argv:
        started = time.time()
        ref.write(OUTPUT, fixture())
        log(f"generated in {time.time() - started:.0f} s")
    validate()


if __name__ == "__main__":
    main()
