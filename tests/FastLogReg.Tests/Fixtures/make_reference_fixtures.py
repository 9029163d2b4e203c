#!/usr/bin/env python3
"""Generates reference optima (scikit-learn, statsmodels) for FastLogReg's tests, polished to a true optimum.

Run from anywhere with Debian's packages (apt-get install python3-sklearn python3-statsmodels python3-scipy
python3-numpy):

    /usr/bin/python3 tests/FastLogReg.Tests/Fixtures/make_reference_fixtures.py [--only multiclass_cv | --validate-only]

It writes, beside itself, sklearn_heart_scale.json, sklearn_digits.json, sklearn_l1.json, sklearn_path_cv.json,
sklearn_multiclass_cv.json and statsmodels_logit.json, then reloads every file and re-checks its numbers against the vendored data. The tests never
run Python; they read the committed JSON and the data in src/datasets/ (which the JSON does not copy).

FastLogReg's objective conventions (every JSON states the one it uses in its top-level "objective" field):

  binary:      f(w, b) = (1/S) sum_i s_i l_i + P(w),   l_i = softplus(z_i) - y_i z_i,   z_i = w.x_i + b,
               S = sum_i s_i (= n here: no fixture uses sample weights). The intercept b is never penalized.
  penalty:     L2           P(w) = (lambda/2) ||w||_2^2
               elastic net  P(w) = lambda (rho ||w||_1 + (1 - rho)/2 ||w||_2^2),  rho = l1_ratio (rho = 1 is L1)
  multinomial: f(W, b) = (1/S) sum_i [logsumexp(z_i) - z_{i, y_i}] + (lambda/2) ||W||_F^2,  z_i = W x_i + b in R^K,
               W is K x d (scikit-learn's multinomial coef_ layout), b unpenalized.
  scikit-learn's C: its objective is C sum_i l_i + (its penalty); dividing by C n gives FastLogReg's with
               lambda = 1 / (C n) for every penalty (n = rows the model is fitted on).

Every fit records the data used, C, lambda, the coefficients and intercept(s), FastLogReg's objective recomputed here in
double precision from those coefficients (np.logaddexp / logsumexp, math.fsum), an optimality measure at those
coefficients, and the solver settings:
  smooth (L2, multinomial, unpenalized): the Euclidean norm of the full gradient (weights and intercepts);
  L1 / elastic net: the largest violation of the subgradient optimality conditions, i.e. the maximum over
      |d f_smooth / d b|,  |g_j + lambda rho sign(w_j)| for w_j != 0,  max(0, |g_j| - lambda rho) for w_j = 0,
      where f_smooth = mean loss + lambda (1 - rho)/2 ||w||^2 and g = its gradient in w.
scikit-learn is run with tol <= 1e-12 and a large max_iter; then the solution is polished on FastLogReg's objective:
  smooth: scipy.optimize.minimize(method='trust-exact', exact gradient and Hessian) from scikit-learn's solution,
      followed by plain Newton steps while they lower the gradient norm;
  L1 / elastic net: saga (tol=1e-12, max_iter=10000, random_state=0) is rerun, warm-started, with 10x max_iter and a 10x lower tol
      until the violation is below 1e-8 or the cap (max_iter 1e6, or 120 s of saga) is reached, then an active-set Newton method takes over: the zero set is the one saga found, the non-zero
      weights keep their signs, Newton's method solves the resulting smooth problem exactly, and the zero set is
      corrected (a weight that would cross zero is set to zero and dropped; a zero weight with |g_j| > lambda rho is
      added) until the optimality conditions hold to rounding.
The polished point is recorded if its measure is lower (it always was); scikit-learn's own measure and its distance
to the polished point are recorded too.
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import scipy
import scipy.linalg
import scipy.optimize
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy.special import expit, logsumexp, softmax
from sklearn.datasets import load_svmlight_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCRIPT = "tests/FastLogReg.Tests/Fixtures/make_reference_fixtures.py"
BREAST_CANCER = "src/datasets/breast_cancer.csv"
DIGITS = "src/datasets/digits.csv"
HEART = "src/datasets/heart_scale.libsvm"

SMOOTH_TARGET = 1e-9  # polishing is required below this gradient norm ...
L1_TARGET = 1e-8  # ... and below this subgradient violation; the achieved values are far lower and recorded.
ZERO_THRESHOLD = 1e-12

VERSIONS = {
    "python": sys.version.split()[0],
    "sklearn": sklearn.__version__,
    "scipy": scipy.__version__,
    "numpy": np.__version__,
}

BINARY_OBJECTIVE = (
    "f(w,b) = (1/S) sum_i s_i [softplus(z_i) - y_i z_i] + P(w), z_i = w.x_i + b, S = sum_i s_i = n (unweighted), "
    "intercept unpenalized; L2: P(w) = (lambda/2)||w||^2; elastic net: P(w) = lambda (rho ||w||_1 + (1-rho)/2 ||w||^2), "
    "rho = l1_ratio, rho = 1 is L1; scikit-learn's C maps to lambda = 1/(C n), n = rows fitted"
)
MULTINOMIAL_OBJECTIVE = (
    "f(W,b) = (1/S) sum_i [logsumexp(z_i) - z_{i,y_i}] + (lambda/2)||W||_F^2, z_i = W x_i + b, W is K x d "
    "(scikit-learn's coef_ layout, row k = class k), b unpenalized, S = n; lambda = 1/(C n)"
)
SMOOTH_MEASURE = "Euclidean norm of the gradient of f over all weights and intercepts (double precision, numpy)"
L1_MEASURE = (
    "max subgradient-optimality violation: max of |df_smooth/db|, |g_j + lambda rho sign(w_j)| (w_j != 0), "
    "max(0, |g_j| - lambda rho) (w_j == 0); f_smooth = mean loss + lambda (1-rho)/2 ||w||^2, g = grad_w f_smooth"
)


def path(rel):
    return os.path.join(ROOT, rel)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------------------
# data


def load_breast_cancer():
    with open(path(BREAST_CANCER)) as fh:
        header = fh.readline().strip().split(",")
    raw = np.loadtxt(path(BREAST_CANCER), delimiter=",", skiprows=1)
    return raw[:, :-1], raw[:, -1], header


def load_digits():
    with open(path(DIGITS)) as fh:
        header = fh.readline().strip().split(",")
    raw = np.loadtxt(path(DIGITS), delimiter=",", skiprows=1)
    assert header[-1] == "digit"
    return raw[:, :-1], raw[:, -1].astype(int), header


def load_heart():
    X, y = load_svmlight_file(path(HEART))
    return X.tocsr(), (y > 0).astype(float)


def standardize(X):
    """StandardScaler: population standard deviation (ddof = 0); constant columns keep scale 1."""
    scaler = StandardScaler().fit(X)
    mean, scale = scaler.mean_.copy(), scaler.scale_.copy()
    return (X - mean) / scale, mean, scale


# ----------------------------------------------------------------------------------------------------------------------
# binary objective, gradient, Hessian (dense or CSR X), penalty lambda2 (L2 part) and l1 (L1 part) given separately


def dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X)


def binary_loss_terms(z, y):
    # softplus(z) - y z, computed stably per label: y = 1 -> softplus(-z), y = 0 -> softplus(z)
    return np.where(y > 0.5, np.logaddexp(0.0, -z), np.logaddexp(0.0, z))


def binary_objective(X, y, w, b, lam2, l1=0.0):
    z = X @ w + b
    loss = math.fsum(binary_loss_terms(z, y)) / len(y)
    return loss + 0.5 * lam2 * math.fsum(w * w) + l1 * math.fsum(np.abs(w))


def binary_smooth_grad(X, y, w, b, lam2):
    n = len(y)
    r = (expit(X @ w + b) - y) / n
    return np.asarray(X.T @ r).ravel() + lam2 * w, math.fsum(r)


def binary_hessian(X, y, w, b, lam2):
    Xd = dense(X)
    n, d = Xd.shape
    p = expit(Xd @ w + b)
    D = p * (1 - p) / n
    Xt = np.hstack([Xd, np.ones((n, 1))])
    H = Xt.T @ (D[:, None] * Xt)
    H[np.arange(d), np.arange(d)] += lam2
    return H


def smooth_measure(X, y, w, b, lam2):
    gw, gb = binary_smooth_grad(X, y, w, b, lam2)
    return float(math.sqrt(math.fsum(gw * gw) + gb * gb))


def l1_measure(X, y, w, b, lam, rho):
    gw, gb = binary_smooth_grad(X, y, w, b, lam * (1 - rho))
    t = lam * rho
    viol = np.where(w != 0, np.abs(gw + t * np.sign(w)), np.maximum(0.0, np.abs(gw) - t))
    return float(max(viol.max(initial=0.0), abs(gb))), gw


def min_eigenvalue(H, drop_smallest=False):
    ev = np.linalg.eigvalsh(H)
    return float(ev[1] if drop_smallest else ev[0])


def newton_refine(fun_grad_hess, theta, measure, steps=20):
    """Plain Newton steps (with a pseudo-inverse-free solve) while they lower the measure; returns the best point."""
    best, best_m = theta.copy(), measure(theta)
    cur = theta.copy()
    for _ in range(steps):
        _, g, H = fun_grad_hess(cur)
        try:
            step = scipy.linalg.solve(H, -g, assume_a="sym")
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            break
        cur = cur + step
        m = measure(cur)
        if m < best_m:
            best, best_m = cur.copy(), m
        elif m > 10 * best_m:
            break
    return best, best_m


def polish_binary_l2(X, y, w0, b0, lam):
    """trust-exact on FastLogReg's L2 objective from (w0, b0), then Newton steps; returns w, b, polish description."""
    d = len(w0)

    def f(theta):
        return binary_objective(X, y, theta[:d], theta[d], lam)

    def g(theta):
        gw, gb = binary_smooth_grad(X, y, theta[:d], theta[d], lam)
        return np.r_[gw, gb]

    def h(theta):
        return binary_hessian(X, y, theta[:d], theta[d], lam)

    def measure(theta):
        return smooth_measure(X, y, theta[:d], theta[d], lam)

    theta0 = np.r_[w0, b0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = scipy.optimize.minimize(f, theta0, jac=g, hess=h, method="trust-exact",
                                      options={"gtol": 1e-14, "maxiter": 2000})
    theta, m = (res.x, measure(res.x)) if measure(res.x) < measure(theta0) else (theta0, measure(theta0))
    theta, m = newton_refine(lambda t: (f(t), g(t), h(t)), theta, measure)
    desc = {
        "method": "scipy.optimize.minimize(method='trust-exact', exact gradient and Hessian, gtol=1e-14, maxiter=2000) "
                  "from scikit-learn's solution, then plain Newton steps while they lower the gradient norm",
        "trust_exact_iterations": int(res.nit),
    }
    return theta[:d], float(theta[d]), desc


def fit_binary_l2(X, y, C, data_desc, X_dense=None):
    """LogisticRegression(penalty='l2', C) at tol 1e-12 on X (dense or CSR), then polished; the fit record."""
    n, d = X.shape
    lam = 1.0 / (C * n)
    settings = {"class": "sklearn.linear_model.LogisticRegression", "penalty": "l2", "C": C, "solver": "lbfgs",
                "tol": 1e-12, "max_iter": 100000, "fit_intercept": True}
    clf = LogisticRegression(penalty="l2", C=C, solver="lbfgs", tol=1e-12, max_iter=100000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    settings["sklearn_n_iter"] = int(np.max(clf.n_iter_))
    settings["sklearn_convergence_warning"] = any(issubclass(c.category, ConvergenceWarning) for c in caught)
    Xd = dense(X) if X_dense is None else X_dense
    w_sk, b_sk = clf.coef_.ravel().copy(), float(clf.intercept_[0])
    m_sk = smooth_measure(Xd, y, w_sk, b_sk, lam)
    w, b, polish = polish_binary_l2(Xd, y, w_sk, b_sk, lam)
    m = smooth_measure(Xd, y, w, b, lam)
    if not m < m_sk:
        w, b, m = w_sk, b_sk, m_sk
        polish["used"] = False
    else:
        polish["used"] = True
    assert m < SMOOTH_TARGET, (data_desc, C, m)
    settings["sklearn_gradient_norm"] = m_sk
    settings["polish"] = polish
    H = binary_hessian(Xd, y, w, b, lam)
    mu = min_eigenvalue(H)
    rec = {
        "C": C,
        "lambda": lam,
        "n": n,
        "weights": w,
        "bias": b,
        "objective": binary_objective(Xd, y, w, b, lam),
        "gradient_norm": m,
        "hessian_min_eigenvalue": mu,
        "distance_to_optimum_bound": m / mu,
        "sklearn_max_abs_diff": float(np.max(np.abs(np.r_[w - w_sk, b - b_sk]))),
        "solver": settings,
    }
    log(f"  {data_desc} C={C}: objective={rec['objective']!r} |grad| sklearn {m_sk:.2e} -> {m:.2e}")
    return rec


# ----------------------------------------------------------------------------------------------------------------------
# L1 / elastic net: saga, then active-set Newton


def restricted_newton(X, y, lam, rho, w, b, A, s, max_steps=200):
    """Newton on the smooth problem over (w_A, b) with the signs s of w_A fixed (the L1 term is linear there).
    Returns (w, b, dropped): a weight whose step would cross zero is set to zero and reported in dropped."""
    n = len(y)
    lam2, t = lam * (1 - rho), lam * rho
    XA = X[:, A]
    k = len(A)
    v = np.r_[w[A], b]

    def F(v):
        return binary_objective(XA, y, v[:k], v[k], lam2) + t * math.fsum(s * v[:k])

    def grad_hess(v):
        z = XA @ v[:k] + v[k]
        p = expit(z)
        r = (p - y) / n
        g = np.r_[XA.T @ r + lam2 * v[:k] + t * s, math.fsum(r)]
        D = p * (1 - p) / n
        Xt = np.hstack([XA, np.ones((n, 1))])
        H = Xt.T @ (D[:, None] * Xt)
        H[np.arange(k), np.arange(k)] += lam2
        return g, H

    best_gn = math.inf
    stall = 0
    for _ in range(max_steps):
        g, H = grad_hess(v)
        gn = float(np.linalg.norm(g))
        if gn < best_gn * 0.5:
            stall = 0
        else:
            stall += 1
        best_gn = min(best_gn, gn)
        if gn == 0.0 or stall >= 3:
            break
        step = scipy.linalg.solve(H, -g, assume_a="sym")
        # largest step keeping every weight of A on its side of zero
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
            wn = w.copy()
            wn[A] = v[:k]
            return wn, float(v[k]), [int(A[j_cross])]
    wn = w.copy()
    wn[A] = v[:k]
    return wn, float(v[k]), []


def active_set_polish(X, y, lam, rho, w0, b0):
    """Active-set Newton from saga's solution; returns w, b and a log of the zero-set changes."""
    t = lam * rho
    w, b = w0.copy(), float(b0)
    changes = []
    for _ in range(200):
        A = [int(j) for j in np.flatnonzero(w != 0)]
        s = np.sign(w[A])
        w, b, dropped = restricted_newton(X, y, lam, rho, w, b, A, s)
        if dropped:
            changes.append({"dropped": dropped})
            continue
        m, gw = l1_measure(X, y, w, b, lam, rho)
        zero = np.flatnonzero(w == 0)
        over = zero[np.abs(gw[zero]) > t * (1 + 1e-12)]
        if len(over) == 0:
            break
        j = int(over[np.argmax(np.abs(gw[over]))])
        # enter with a tiny value of the sign that lowers the objective, then Newton decides its size
        w[j] = -np.sign(gw[j]) * 1e-8
        changes.append({"added": [j]})
    # weights below ZERO_THRESHOLD that the optimality conditions say are zero are zeroed (then re-polished)
    tiny = [int(j) for j in np.flatnonzero((w != 0) & (np.abs(w) < ZERO_THRESHOLD))]
    for j in tiny:
        trial = w.copy()
        trial[j] = 0.0
        A = [int(i) for i in np.flatnonzero(trial != 0)]
        tw, tb, dropped = restricted_newton(X, y, lam, rho, trial, b, A, np.sign(trial[A]))
        _, gw = l1_measure(X, y, tw, tb, lam, rho)
        if not dropped and abs(gw[j]) <= t:
            w, b = tw, tb
            changes.append({"zeroed_tiny": [j]})
    return w, b, changes


def fit_l1(X, y, C, rho, data_desc, warm=None):
    """saga (L1 if rho == 1, else elastic net), tightened until the violation is below L1_TARGET or a cap, then
    the active-set Newton polish; the fit record."""
    n, d = X.shape
    lam = 1.0 / (C * n)
    t = lam * rho
    penalty = "l1" if rho == 1.0 else "elasticnet"
    tol, max_iter = 1e-12, 10000
    kwargs = {"l1_ratio": rho} if penalty == "elasticnet" else {}
    clf = LogisticRegression(penalty=penalty, C=C, solver="saga", tol=tol, max_iter=max_iter, warm_start=True, random_state=0,
                             **kwargs)
    if warm is not None:
        clf.coef_ = warm[0].reshape(1, -1).copy()
        clf.intercept_ = np.array([warm[1]])
        clf.classes_ = np.array([0.0, 1.0])
    attempts = []
    started = time.time()
    while True:
        clf.set_params(tol=tol, max_iter=max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        w_sk, b_sk = clf.coef_.ravel().copy(), float(clf.intercept_[0])
        m_sk, _ = l1_measure(X, y, w_sk, b_sk, lam, rho)
        attempts.append({"tol": tol, "max_iter": max_iter, "n_iter": int(np.max(clf.n_iter_)), "violation": m_sk})
        if m_sk < L1_TARGET or max_iter >= 1000000 or time.time() - started > 120:
            break
        tol, max_iter = tol / 10, max_iter * 10
    w, b, changes = active_set_polish(X, y, lam, rho, w_sk, b_sk)
    m, gw = l1_measure(X, y, w, b, lam, rho)
    if not m < m_sk:
        w, b, m, changes = w_sk, b_sk, m_sk, []
        used = False
    else:
        used = True
    _, gw = l1_measure(X, y, w, b, lam, rho)
    zero = np.flatnonzero(w == 0)
    nonzero = np.flatnonzero(w != 0)
    assert m < L1_TARGET, (data_desc, C, rho, m)
    margins = (t - np.abs(gw[zero])) / t if len(zero) else np.array([])
    # curvature on the free variables (non-zero weights and the intercept), for a distance estimate
    H = binary_hessian(X[:, nonzero], y, w[nonzero], b, lam * (1 - rho))
    mu = min_eigenvalue(H)
    rec = {
        "penalty": penalty,
        "l1_ratio": rho,
        "C": C,
        "lambda": lam,
        "n": n,
        "weights": w,
        "bias": b,
        "objective": binary_objective(X, y, w, b, lam * (1 - rho), lam * rho),
        "optimality_violation": m,
        "zero_indices": [int(j) for j in zero],
        "nonzero_count": int(len(nonzero)),
        "smallest_nonzero_abs": float(np.min(np.abs(w[nonzero]))) if len(nonzero) else None,
        "zero_kkt_min_relative_margin": float(margins.min()) if len(margins) else None,
        "free_hessian_min_eigenvalue": mu,
        "distance_to_optimum_estimate": m / mu,
        "sklearn_max_abs_diff": float(np.max(np.abs(np.r_[w - w_sk, b - b_sk]))),
        "sklearn_zero_indices_agree": bool(np.array_equal(zero, np.flatnonzero(w_sk == 0))),
        "solver": {
            "class": "sklearn.linear_model.LogisticRegression",
            "penalty": penalty,
            **({"l1_ratio": rho} if penalty == "elasticnet" else {}),
            "C": C,
            "solver": "saga",
            "random_state": 0,
            "fit_intercept": True,
            "warm_start": "previous point on the path" if warm is not None else None,
            "saga_runs": attempts,
            "saga_violation": m_sk,
            "polish": {
                "used": used,
                "method": "active-set Newton on FastLogReg's objective from saga's solution (see zero_rule)",
                "zero_set_changes": changes,
            },
        },
    }
    log(f"  {data_desc} {penalty} rho={rho} C={C:.6g}: objective={rec['objective']!r} nnz={len(nonzero)} "
        f"violation saga {m_sk:.2e} -> {m:.2e} (min zero margin {rec['zero_kkt_min_relative_margin']})")
    return rec


ZERO_RULE = (
    "A weight is reported as zero exactly when it is 0.0 in the polished solution. The polish keeps saga's exact "
    "zeros as the starting zero set, solves the smooth problem on the non-zero weights (signs fixed) by Newton's "
    "method, drops a weight that would cross zero, and adds a zero weight whose |g_j| exceeds lambda rho, until the "
    "subgradient conditions hold to rounding: |g_j| <= lambda rho for every zero weight (the relative slack "
    "(lambda rho - |g_j|)/(lambda rho) of the tightest one is zero_kkt_min_relative_margin) and g_j + lambda rho "
    "sign(w_j) ~ 0 for the others. A non-zero weight below 1e-12 in magnitude would be set to zero if the conditions "
    "then still held (none occurred unless zero_set_changes lists 'zeroed_tiny'). A margin near 0 means a borderline "
    "weight (e.g. at lambda_max on the path, where it is 0 up to rounding and may come out as -1e-16); g is the "
    "gradient of the smooth part (mean loss + lambda (1 - rho)/2 ||w||^2)."
)


# ----------------------------------------------------------------------------------------------------------------------
# multinomial


def multinomial_parts(X, y, Theta, lam):
    """Theta is K x (d + 1): [W | b]. Returns objective, gradient (K x (d + 1)), probabilities."""
    n, d = X.shape
    W, b = Theta[:, :d], Theta[:, d]
    Z = X @ W.T + b
    lse = logsumexp(Z, axis=1)
    loss = math.fsum(lse - Z[np.arange(n), y]) / n
    P = np.exp(Z - lse[:, None])
    G = P.copy()
    G[np.arange(n), y] -= 1.0
    G /= n
    grad = np.hstack([G.T @ X + lam * W, G.sum(axis=0)[:, None]])
    return loss + 0.5 * lam * math.fsum((W * W).ravel()), grad, P


def multinomial_hessian(X, P, lam):
    n, d = X.shape
    K = P.shape[1]
    Xt = np.hstack([X, np.ones((n, 1))])
    m = d + 1
    H = np.empty((K * m, K * m))
    for k in range(K):
        for l in range(k, K):
            c = P[:, k] * ((1.0 if k == l else 0.0) - P[:, l]) / n
            block = Xt.T @ (c[:, None] * Xt)
            H[k * m:(k + 1) * m, l * m:(l + 1) * m] = block
            H[l * m:(l + 1) * m, k * m:(k + 1) * m] = block.T
    for k in range(K):
        idx = np.arange(k * m, k * m + d)
        H[idx, idx] += lam
    return H


def fit_multinomial(X, y, C, data_desc):
    n, d = X.shape
    K = int(y.max()) + 1
    lam = 1.0 / (C * n)
    clf = LogisticRegression(C=C, solver="lbfgs", multi_class="multinomial", tol=1e-12, max_iter=100000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    W_sk, b_sk = clf.coef_.copy(), clf.intercept_.copy()
    # the intercepts are identified only up to a common shift (logsumexp(z + c) - z_y + c = same); FastLogReg's
    # optimum is reported with sum_k b_k = 0; scikit-learn's intercepts are centred the same way for comparison.
    b_sk_centred = b_sk - b_sk.mean()
    Theta_sk = np.hstack([W_sk, b_sk_centred[:, None]])
    m_sk = float(np.linalg.norm(multinomial_parts(X, y, Theta_sk, lam)[1]))
    shape = Theta_sk.shape
    u = np.zeros(shape)
    u[:, d] = 1.0 / math.sqrt(K)
    u = u.ravel()

    # gauge-fixed objective: f + (1/2)(u.theta)^2 has the single minimizer of f with sum_k b_k = 0
    def f(theta):
        return multinomial_parts(X, y, theta.reshape(shape), lam)[0] + 0.5 * float(u @ theta) ** 2

    def g(theta):
        return multinomial_parts(X, y, theta.reshape(shape), lam)[1].ravel() + u * float(u @ theta)

    def h(theta):
        P = multinomial_parts(X, y, theta.reshape(shape), lam)[2]
        return multinomial_hessian(X, P, lam) + np.outer(u, u)

    def measure(theta):
        return float(np.linalg.norm(multinomial_parts(X, y, theta.reshape(shape), lam)[1]))

    theta0 = Theta_sk.ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = scipy.optimize.minimize(f, theta0, jac=g, hess=h, method="trust-exact",
                                      options={"gtol": 1e-14, "maxiter": 2000})
    theta, m = (res.x, measure(res.x)) if measure(res.x) < m_sk else (theta0, m_sk)
    theta, m = newton_refine(lambda t: (f(t), g(t), h(t)), theta, measure)
    assert m < SMOOTH_TARGET, (data_desc, C, m)
    Theta = theta.reshape(shape)
    obj, grad, P = multinomial_parts(X, y, Theta, lam)
    mu = min_eigenvalue(multinomial_hessian(X, P, lam), drop_smallest=True)
    rec = {
        "C": C,
        "lambda": lam,
        "n": n,
        "classes": list(range(K)),
        "W": Theta[:, :d],
        "b": Theta[:, d],
        "intercept_normalization": "sum_k b_k = 0 (b is identified only up to a common shift; compare b - mean(b))",
        "objective": obj,
        "gradient_norm": m,
        "intercept_sum": float(Theta[:, d].sum()),
        "hessian_min_eigenvalue_excluding_intercept_shift": mu,
        "distance_to_optimum_bound": m / mu,
        "sklearn_max_abs_diff": float(np.max(np.abs(Theta - Theta_sk))),
        "sklearn_raw_intercepts": b_sk,
        "solver": {
            "class": "sklearn.linear_model.LogisticRegression",
            "multi_class": "multinomial",
            "penalty": "l2",
            "C": C,
            "solver": "lbfgs",
            "tol": 1e-12,
            "max_iter": 100000,
            "sklearn_n_iter": int(np.max(clf.n_iter_)),
            "sklearn_convergence_warning": any(issubclass(c.category, ConvergenceWarning) for c in caught),
            "sklearn_gradient_norm": m_sk,
            "polish": {
                "used": bool(m < m_sk),
                "method": "scipy.optimize.minimize(method='trust-exact', gtol=1e-14) on f + (1/2)(sum_k b_k)^2/K "
                          "(the gauge term fixes the intercept shift and is 0 at the reported point) from "
                          "scikit-learn's solution with centred intercepts, then plain Newton steps",
                "trust_exact_iterations": int(res.nit),
            },
        },
    }
    log(f"  {data_desc} multinomial C={C}: objective={obj!r} |grad| sklearn {m_sk:.2e} -> {m:.2e}")
    return rec


# ----------------------------------------------------------------------------------------------------------------------
# JSON: numbers round-trip (repr); lists of numbers on one line, matrices one row per line


def plain(o):
    if isinstance(o, dict):
        return {k: plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [plain(v) for v in o]
    if isinstance(o, np.ndarray):
        return plain(o.tolist())
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if isinstance(o, float) and not math.isfinite(o):
        raise ValueError("non-finite number in fixture")
    return o


def encode(o, level=0):
    pad = " " * (level + 1)
    end = " " * level
    if isinstance(o, dict):
        if not o:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {encode(v, level + 1)}" for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(o, list):
        if all(not isinstance(v, (dict, list)) for v in o):
            return "[" + ", ".join(json.dumps(v) for v in o) + "]"
        if all(isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v) for v in o):
            return "[\n" + ",\n".join(pad + encode(v, level + 1) for v in o) + "\n" + end + "]"
        return "[\n" + ",\n".join(pad + encode(v, level + 1) for v in o) + "\n" + end + "]"
    return json.dumps(o)


def write(name, fixture):
    text = encode(plain(fixture)) + "\n"
    assert json.loads(text) == json.loads(json.dumps(plain(fixture)))
    with open(os.path.join(HERE, name), "w") as fh:
        fh.write(text)
    log(f"wrote {name} ({len(text)} bytes)")


# ----------------------------------------------------------------------------------------------------------------------
# fixtures


def heart_fixture():
    log("heart_scale")
    X, y = load_heart()
    Xd = X.toarray()
    fits = [fit_binary_l2(X, y, C, "heart_scale (CSR)", X_dense=Xd) for C in (1.0, 0.1)]
    return {
        "generated_by": SCRIPT,
        "versions": VERSIONS,
        "objective": BINARY_OBJECTIVE,
        "optimality_measure": SMOOTH_MEASURE,
        "data": {
            "file": HEART,
            "reader": "sklearn.datasets.load_svmlight_file (indices in the file are 1-based: feature j of the "
                      "matrix is index j+1 of the file); scipy.sparse CSR, 270 x 13, absent entries are 0",
            "rows": X.shape[0],
            "columns": X.shape[1],
            "nnz": int(X.nnz),
            "explicit_zeros": int(np.sum(X.data == 0)),
            "value_sum": math.fsum(X.data),
            "labels": "+1 -> 1, -1 -> 0",
            "class1_count": int(y.sum()),
            "preprocessing": "none; fitted by scikit-learn on the CSR matrix (polish and checks use the same matrix "
                             "densified)",
        },
        "fits": fits,
    }


def digits_fixture():
    log("digits")
    X, y, header = load_digits()
    n = len(y)
    counts = np.bincount(y, minlength=10)
    multinomial = [fit_multinomial(X, y, C, "digits") for C in (1.0, 0.01)]
    ovr = []
    for k in range(10):
        yk = (y == k).astype(float)
        rec = fit_binary_l2(X, yk, 1.0, f"digits {k}-vs-rest")
        ovr.append({"class": k, "positives": int(yk.sum()), **rec})
    return {
        "generated_by": SCRIPT,
        "versions": VERSIONS,
        "objective": {"multinomial": MULTINOMIAL_OBJECTIVE, "one_vs_rest": BINARY_OBJECTIVE + " (L2 only)"},
        "optimality_measure": SMOOTH_MEASURE,
        "data": {
            "file": DIGITS,
            "rows": n,
            "columns": X.shape[1],
            "feature_columns": f"{header[0]} .. {header[-2]} (raw pixel values 0-16, no preprocessing)",
            "label_column": "digit",
            "class_counts": counts,
            "feature_sum": math.fsum(X.ravel()),
        },
        "multinomial": multinomial,
        "one_vs_rest": {
            "description": "for each class k, LogisticRegression(C=1) on the binary labels (digit == k) over all "
                           "1797 rows, as OneVsRestClassifier(LogisticRegression(C=1)) fits them; lambda = 1/(C n), "
                           "n = 1797; objective is the binary one. Predicted class = argmax_k of w_k.x + b_k",
            "C": 1.0,
            "fits": ovr,
        },
    }


def l1_fixture():
    log("L1 / elastic net")
    Xbc_raw, ybc, bc_header = load_breast_cancer()
    Xbc, bc_mean, bc_scale = standardize(Xbc_raw)
    Xd_raw, yd, _ = load_digits()
    rows = np.flatnonzero((yd == 3) | (yd == 8))
    X38_raw, y38 = Xd_raw[rows], (yd[rows] == 8).astype(float)
    X38, m38, s38 = standardize(X38_raw)
    constant = np.flatnonzero(X38_raw.std(axis=0) == 0)
    datasets = []
    for name, X, y, desc in (
        ("breast_cancer_standardized", Xbc, ybc, {
            "file": BREAST_CANCER, "rows": "all 569", "columns": "all 30 features; label column benign",
            "standardization": {"mean": bc_mean, "scale": bc_scale},
        }),
        ("digits_3_vs_8_standardized", X38, y38, {
            "file": DIGITS,
            "rows": "the rows whose digit is 3 or 8, in file order",
            "row_count": len(rows),
            "label": "1 if digit == 8, 0 if digit == 3",
            "class1_count": int(y38.sum()),
            "columns": "all 64 pixel columns",
            "constant_columns": constant,
            "standardization": {"mean": m38, "scale": s38},
        }),
    ):
        fits = []
        for rho in (1.0, 0.5):
            for C in (1.0, 0.1):
                fits.append(fit_l1(X, y, C, rho, name))
        desc["standardization"]["rule"] = (
            "StandardScaler on these rows: x' = (x - mean) / scale, mean and population standard deviation "
            "(ddof = 0) per column; constant columns keep scale 1"
        )
        datasets.append({"name": name, "data": desc, "fits": fits})
    return {
        "generated_by": SCRIPT,
        "versions": VERSIONS,
        "objective": BINARY_OBJECTIVE,
        "optimality_measure": L1_MEASURE,
        "zero_rule": ZERO_RULE,
        "datasets": datasets,
    }


def stratified_folds(X, y, n):
    """StratifiedKFold(5, shuffle, seed 0): the fold each row is held out in, and (train, test) rows per fold."""
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    fold_of_row = np.empty(n, dtype=int)
    for f, (_, test) in enumerate(skf.split(X, y)):
        fold_of_row[test] = f
    return fold_of_row, [(np.flatnonzero(fold_of_row != f), np.flatnonzero(fold_of_row == f)) for f in range(5)]


def fit_warned(model, X, y):
    """model.fit(X, y); whether scikit-learn warned that it did not converge."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    return any(issubclass(c.category, ConvergenceWarning) for c in caught)


def fold_summary(C, folds, **extra):
    lls = np.array([fo["test_log_loss"] for fo in folds])
    accs = np.array([fo["test_accuracy"] for fo in folds])
    return {
        "C": C,
        **extra,
        "lambda_per_fold": [fo["lambda"] for fo in folds],
        "mean_test_log_loss": float(np.mean(lls)),
        "std_test_log_loss": float(np.std(lls)),
        "mean_test_accuracy": float(np.mean(accs)),
        "std_test_accuracy": float(np.std(accs)),
        "folds": folds,
    }


def path_cv_fixture():
    log("path and CV")
    X_raw, y, _ = load_breast_cancer()
    X, mean, scale = standardize(X_raw)
    n, d = X.shape

    # (i) L1 path
    ybar = y.mean()
    b_star = math.log(ybar / (1 - ybar))
    grad0 = X.T @ (expit(np.full(n, b_star)) - y) / n
    lam_max = float(np.max(np.abs(grad0)))
    lambdas = [lam_max * 10.0 ** (-4.0 * k / 9.0) for k in range(10)]
    lambdas[-1] = lam_max * 1e-4
    path_fits = []
    warm = None
    for lam in lambdas:
        C = 1.0 / (lam * n)
        rec = fit_l1(X, y, C, 1.0, "breast_cancer path", warm=warm)
        rec["lambda"] = lam  # the grid value itself (1/(C n) reproduces it to rounding)
        rec["lambda_over_lambda_max"] = lam / lam_max
        warm = (rec["weights"], rec["bias"])
        path_fits.append(rec)
    assert path_fits[0]["nonzero_count"] == 0

    # (ii) LogisticRegressionCV with explicit folds
    fold_of_row, splits = stratified_folds(X, y, n)
    Cs = [1.0 / (lam * n) for lam in lambdas]
    cv = LogisticRegressionCV(Cs=Cs, cv=splits, penalty="l2", scoring="neg_log_loss", refit=True, solver="lbfgs",
                              tol=1e-12, max_iter=100000)
    cv_warned = fit_warned(cv, X, y)
    sk_scores = cv.scores_[1.0]  # folds x Cs, neg log loss
    assert np.allclose(cv.Cs_, Cs, rtol=0, atol=0)

    per_C = []
    max_score_diff = 0.0
    for c_idx, C in enumerate(Cs):
        folds = []
        for f, (train, test) in enumerate(splits):
            rec = fit_binary_l2(X[train], y[train], C, f"CV fold {f}")
            z = X[test] @ rec["weights"] + rec["bias"]
            ll = math.fsum(binary_loss_terms(z, y[test])) / len(test)
            acc = float(np.mean((z > 0).astype(float) == y[test]))
            sk_ll = log_loss(y[test], expit(z), labels=[0.0, 1.0])
            max_score_diff = max(max_score_diff, abs(-ll - sk_scores[f, c_idx]))
            folds.append({
                "fold": f,
                "n_train": len(train),
                "n_test": len(test),
                "lambda": rec["lambda"],
                "weights": rec["weights"],
                "bias": rec["bias"],
                "objective": rec["objective"],
                "gradient_norm": rec["gradient_norm"],
                "sklearn_max_abs_diff": rec["sklearn_max_abs_diff"],
                "test_log_loss": ll,
                "test_log_loss_sklearn_clipped": sk_ll,
                "test_accuracy": acc,
                "sklearn_score": float(sk_scores[f, c_idx]),
            })
        per_C.append(fold_summary(C, folds, lambda_full_data=lambdas[c_idx]))
    best = int(np.argmin([pc["mean_test_log_loss"] for pc in per_C]))
    assert Cs[best] == cv.C_[0], (Cs[best], cv.C_)
    refit = fit_binary_l2(X, y, Cs[best], "CV refit")
    refit["sklearn_cv_max_abs_diff"] = float(np.max(np.abs(np.r_[refit["weights"] - cv.coef_.ravel(),
                                                                   refit["bias"] - cv.intercept_[0]])))
    return {
        "generated_by": SCRIPT,
        "versions": VERSIONS,
        "objective": BINARY_OBJECTIVE,
        "optimality_measure": {"l1_path": L1_MEASURE, "cv": SMOOTH_MEASURE},
        "zero_rule": ZERO_RULE,
        "data": {
            "file": BREAST_CANCER,
            "rows": n,
            "columns": d,
            "standardization": {
                "rule": "StandardScaler on all 569 rows (also for the CV folds: the folds are cut from the "
                        "already-standardized matrix, no per-fold scaling); population standard deviation (ddof = 0)",
                "mean": mean,
                "scale": scale,
            },
        },
        "l1_path": {
            "intercept_only_bias": b_star,
            "intercept_only_bias_rule": "b* = log(ybar / (1 - ybar)), ybar = mean label",
            "lambda_max": lam_max,
            "lambda_max_rule": "||grad_w mean loss at (w = 0, b = b*)||_inf = max_j |(1/n) sum_i (sigmoid(b*) - y_i) x_ij|",
            "lambda_grid_rule": "lambda_k = lambda_max * 10^(-4k/9), k = 0..9 (lambda_9 = 1e-4 lambda_max exactly)",
            "lambdas": lambdas,
            "sklearn_C_rule": "C = 1/(lambda n), n = 569; saga warm-started from the previous point",
            "fits": path_fits,
        },
        "cv": {
            "class": "sklearn.linear_model.LogisticRegressionCV",
            "settings": {"penalty": "l2", "solver": "lbfgs", "scoring": "neg_log_loss", "refit": True, "tol": 1e-12,
                         "max_iter": 100000, "cv": "the explicit splits below"},
            "folds_rule": "StratifiedKFold(n_splits=5, shuffle=True, random_state=0) on the labels; fold_of_row[i] "
                          "is the fold in which row i is held out; fold f trains on every row with fold_of_row != f "
                          "(ascending row order) and tests on the rows with fold_of_row == f",
            "fold_of_row": fold_of_row,
            "fold_sizes": [int(np.sum(fold_of_row == f)) for f in range(5)],
            "Cs": Cs,
            "Cs_rule": (
                "Cs[k] = 1/(lambdas[k] * 569): the L1 path's lambda grid converted with the FULL data's n. "
                "scikit-learn uses one C for every fold, so a fold with n_train rows is fitted with "
                "lambda = 1/(C n_train) in FastLogReg's convention (lambda_per_fold; n_train is 455 or 456), and the "
                "refit on all rows with lambda = 1/(C 569) = lambdas[k]. The L2 fits use this grid although it comes "
                "from the L1 lambda_max."
            ),
            "score_rule": "test_log_loss = (1/n_test) sum over held-out rows of [softplus(z) - y z] with the fold's "
                          "polished optimum (no clipping; test_log_loss_sklearn_clipped is sklearn.metrics.log_loss, "
                          "which clips probabilities to [eps, 1 - eps]); sklearn_score is LogisticRegressionCV's "
                          "scores_ (= -log loss) from its own fold fits; test_accuracy counts z > 0 as class 1; "
                          "mean and std are over the 5 folds, unweighted, std with ddof = 0",
            "max_abs_diff_sklearn_score_vs_polished": max_score_diff,
            "sklearn_convergence_warning": cv_warned,
            "per_C": per_C,
            "chosen_index": best,
            "chosen_C": Cs[best],
            "chosen_rule": "the C with the highest mean neg_log_loss (lowest mean test_log_loss), as "
                           "LogisticRegressionCV picks it; it agrees with LogisticRegressionCV.C_",
            "sklearn_C_": float(cv.C_[0]),
            "refit": refit,
        },
    }


def multiclass_cv_fixture():
    log("multinomial CV")
    X, y, header = load_digits()
    n, d = X.shape
    K = int(y.max()) + 1
    fold_of_row, splits = stratified_folds(X, y, n)
    Cs = [float(c) for c in np.logspace(-4, 0, 9)]
    cv = LogisticRegressionCV(Cs=Cs, cv=splits, penalty="l2", scoring="neg_log_loss", refit=True, solver="lbfgs",
                              multi_class="multinomial", tol=1e-10, max_iter=100000)
    cv_warned = fit_warned(cv, X, y)
    sk_scores = cv.scores_[0]  # folds x Cs, neg log loss (the same array under every class key for multinomial)
    assert np.allclose(cv.Cs_, Cs, rtol=0, atol=0)

    per_C = []
    max_score_diff = 0.0
    for c_idx, C in enumerate(Cs):
        folds = []
        for f, (train, test) in enumerate(splits):
            rec = fit_multinomial(X[train], y[train], C, f"CV fold {f}")
            Z = X[test] @ rec["W"].T + rec["b"]
            lse = logsumexp(Z, axis=1)
            ll = math.fsum(lse - Z[np.arange(len(test)), y[test]]) / len(test)
            acc = float(np.mean(np.argmax(Z, axis=1) == y[test]))
            max_score_diff = max(max_score_diff, abs(-ll - sk_scores[f, c_idx]))
            folds.append({
                "fold": f,
                "n_train": len(train),
                "n_test": len(test),
                "lambda": rec["lambda"],
                "objective": rec["objective"],
                "gradient_norm": rec["gradient_norm"],
                "sklearn_max_abs_diff": rec["sklearn_max_abs_diff"],
                "test_log_loss": ll,
                "test_accuracy": acc,
                "sklearn_score": float(sk_scores[f, c_idx]),
            })
        per_C.append(fold_summary(C, folds))
    best = int(np.argmin([pc["mean_test_log_loss"] for pc in per_C]))
    assert Cs[best] == cv.C_[0], (Cs[best], cv.C_)
    refit = fit_multinomial(X, y, Cs[best], "CV refit")
    W_cv, b_cv = cv.coef_, cv.intercept_ - cv.intercept_.mean()
    refit["sklearn_cv_max_abs_diff"] = float(np.max(np.abs(np.c_[refit["W"] - W_cv, refit["b"] - b_cv])))
    return {
        "generated_by": SCRIPT,
        "versions": VERSIONS,
        "objective": MULTINOMIAL_OBJECTIVE,
        "optimality_measure": SMOOTH_MEASURE,
        "data": {
            "file": DIGITS,
            "rows": n,
            "columns": d,
            "classes": K,
            "feature_columns": f"{header[0]} .. {header[-2]} (raw pixel values 0-16, no preprocessing)",
            "label_column": "digit",
        },
        "cv": {
            "class": "sklearn.linear_model.LogisticRegressionCV",
            "settings": {"penalty": "l2", "solver": "lbfgs", "multi_class": "multinomial", "scoring": "neg_log_loss",
                         "refit": True, "tol": 1e-10, "max_iter": 100000, "cv": "the explicit splits below"},
            "folds_rule": "StratifiedKFold(n_splits=5, shuffle=True, random_state=0) on the digit labels; fold_of_row[i] "
                          "is the fold in which row i is held out; fold f trains on every row with fold_of_row != f "
                          "(ascending row order) and tests on the rows with fold_of_row == f",
            "fold_of_row": fold_of_row,
            "fold_sizes": [int(np.sum(fold_of_row == f)) for f in range(5)],
            "Cs": Cs,
            "Cs_rule": "numpy.logspace(-4, 0, 9); a fold with n_train rows is fitted with lambda = 1/(C n_train), "
                       "the refit on all 1797 rows with lambda = 1/(C 1797)",
            "score_rule": "test_log_loss = (1/n_test) sum over held-out rows of [logsumexp(z) - z_y] with the fold's "
                          "polished optimum (no clipping); sklearn_score is LogisticRegressionCV's scores_ (= -log "
                          "loss) from its own fold fits; test_accuracy counts argmax_k z_k (the first on a tie); mean "
                          "and std over the 5 folds, unweighted, std with ddof = 0",
            "max_abs_diff_sklearn_score_vs_polished": max_score_diff,
            "sklearn_convergence_warning": cv_warned,
            "per_C": per_C,
            "chosen_index": best,
            "chosen_C": Cs[best],
            "chosen_rule": "the C with the lowest mean test_log_loss, as LogisticRegressionCV picks it; it agrees "
                           "with LogisticRegressionCV.C_",
            "sklearn_C_": float(cv.C_[0]),
            "refit": refit,
        },
    }


def statsmodels_fixture():
    log("statsmodels")
    X_raw, y, header = load_breast_cancer()
    cols = header[:10]
    X = sm.add_constant(X_raw[:, :10], prepend=True)
    model = sm.Logit(y, X)
    res = model.fit(method="newton", maxiter=200, tol=1e-11, disp=0)
    params = res.params
    score = model.score(params)  # gradient of the log-likelihood (a sum over rows)
    n = len(y)
    # FastLogReg's convention: unpenalized mean loss; its gradient is -score / n
    w, b = params[1:], params[0]
    obj = binary_objective(X_raw[:, :10], y, w, b, 0.0)
    gn = smooth_measure(X_raw[:, :10], y, w, b, 0.0)
    assert gn < SMOOTH_TARGET and res.mle_retvals["converged"], gn
    log(f"  Logit llf={res.llf!r} converged={res.mle_retvals['converged']} |score|={np.linalg.norm(score):.2e} "
        f"|grad mean loss|={gn:.2e}")
    return {
        "generated_by": SCRIPT,
        "versions": {**VERSIONS, "statsmodels": statsmodels.__version__},
        "objective": "statsmodels Logit maximizes the log-likelihood llf = -sum_i [softplus(z_i) - y_i z_i]; "
                     "in FastLogReg's convention that is f(w,b) = -llf/n with lambda = 0 (no penalty)",
        "optimality_measure": "score_norm: Euclidean norm of the gradient of llf (a sum over rows); "
                              "gradient_norm: of FastLogReg's f = -llf/n",
        "data": {
            "file": BREAST_CANCER,
            "rows": n,
            "columns": cols,
            "preprocessing": "none: the first 10 feature columns raw, with a constant column prepended "
                             "(statsmodels.api.add_constant(prepend=True))",
            "label": "benign",
        },
        "param_names": ["const"] + cols,
        "params": params,
        "bse": res.bse,
        "tvalues": res.tvalues,
        "tvalues_note": "z statistics params / bse (normal reference distribution)",
        "pvalues": res.pvalues,
        "conf_int_95": res.conf_int(alpha=0.05),
        "conf_int_note": "one row per parameter: [lower, upper] = params -/+ 1.959963984540054 bse",
        "llf": res.llf,
        "llnull": res.llnull,
        "cov_params": res.cov_params(),
        "cov_params_note": "inverse of the observed information X' diag(p(1-p)) X at params (11 x 11, param_names order)",
        "fastlogreg_objective": obj,
        "score_norm": float(np.linalg.norm(score)),
        "gradient_norm": gn,
        "solver": {
            "class": "statsmodels.discrete.discrete_model.Logit",
            "method": "newton",
            "maxiter": 200,
            "tol": 1e-11,
            "tol_note": "statsmodels' Newton stops when every parameter changes by less than tol in absolute terms; "
                        "1e-12 is below the rounding of the largest parameters (~76) and never reports convergence",
            "iterations": int(res.mle_retvals["iterations"]),
            "converged": bool(res.mle_retvals["converged"]),
        },
    }


# ----------------------------------------------------------------------------------------------------------------------
# validation: reload every file and recompute from the vendored data


def validate():
    summary = []

    def load(name):
        with open(os.path.join(HERE, name)) as fh:
            return json.load(fh)

    def close(a, b, rel=1e-13):
        return abs(a - b) <= rel * max(1.0, abs(a), abs(b))

    def check_binary(X, y, fit, label):
        w, b = np.array(fit["weights"]), fit["bias"]
        lam = fit["lambda"]
        if "l1_ratio" in fit:
            rho = fit["l1_ratio"]
            obj = binary_objective(X, y, w, b, lam * (1 - rho), lam * rho)
            m, _ = l1_measure(X, y, w, b, lam, rho)
            assert m < L1_TARGET, (label, m)
            assert [int(j) for j in np.flatnonzero(w == 0)] == fit["zero_indices"], label
        else:
            obj = binary_objective(X, y, w, b, lam)
            m = smooth_measure(X, y, w, b, lam)
            assert m < SMOOTH_TARGET, (label, m)
        assert close(obj, fit["objective"]), (label, obj, fit["objective"])
        summary.append((label, fit["objective"], m))

    h = load("sklearn_heart_scale.json")
    X, y = load_heart()
    assert X.nnz == h["data"]["nnz"] and math.fsum(X.data) == h["data"]["value_sum"]
    assert int(y.sum()) == h["data"]["class1_count"]
    for fit in h["fits"]:
        check_binary(X.toarray(), y, fit, f"heart_scale L2 C={fit['C']}")

    dg = load("sklearn_digits.json")
    Xd, yd, _ = load_digits()
    assert list(np.bincount(yd)) == dg["data"]["class_counts"]
    for fit in dg["multinomial"]:
        Theta = np.hstack([np.array(fit["W"]), np.array(fit["b"])[:, None]])
        obj, grad, _ = multinomial_parts(Xd, yd, Theta, fit["lambda"])
        m = float(np.linalg.norm(grad))
        assert m < SMOOTH_TARGET and close(obj, fit["objective"]), (fit["C"], m, obj)
        summary.append((f"digits multinomial C={fit['C']}", obj, m))
    for fit in dg["one_vs_rest"]["fits"]:
        check_binary(Xd, (yd == fit["class"]).astype(float), fit, f"digits OvR {fit['class']}-vs-rest C=1")

    l1 = load("sklearn_l1.json")
    for ds in l1["datasets"]:
        st = ds["data"]["standardization"]
        if ds["name"].startswith("breast"):
            Xr, yy, _ = load_breast_cancer()
        else:
            Xr, yy0, _ = load_digits()
            keep = (yy0 == 3) | (yy0 == 8)
            Xr, yy = Xr[keep], (yy0[keep] == 8).astype(float)
        Xs = (Xr - np.array(st["mean"])) / np.array(st["scale"])
        for fit in ds["fits"]:
            check_binary(Xs, yy, fit, f"{ds['name']} {fit['penalty']} C={fit['C']} (nnz {fit['nonzero_count']})")

    pc = load("sklearn_path_cv.json")
    Xr, yy, _ = load_breast_cancer()
    st = pc["data"]["standardization"]
    Xs = (Xr - np.array(st["mean"])) / np.array(st["scale"])
    for k, fit in enumerate(pc["l1_path"]["fits"]):
        check_binary(Xs, yy, fit, f"L1 path k={k} lambda/lambda_max={fit['lambda_over_lambda_max']:.3g} "
                                  f"(nnz {fit['nonzero_count']})")
    fold = np.array(pc["cv"]["fold_of_row"])
    worst_fold = 0.0
    for entry in pc["cv"]["per_C"]:
        for fo in entry["folds"]:
            train = fold != fo["fold"]
            assert close(fo["lambda"], 1.0 / (entry["C"] * int(train.sum())), 1e-15)
            w, b = np.array(fo["weights"]), fo["bias"]
            m = smooth_measure(Xs[train], yy[train], w, b, fo["lambda"])
            assert m < SMOOTH_TARGET and close(binary_objective(Xs[train], yy[train], w, b, fo["lambda"]), fo["objective"])
            test = ~train
            z = Xs[test] @ w + b
            assert close(math.fsum(binary_loss_terms(z, yy[test])) / test.sum(), fo["test_log_loss"])
            worst_fold = max(worst_fold, m)
    summary.append(("CV: 50 fold fits (worst)", float("nan"), worst_fold))
    check_binary(Xs, yy, pc["cv"]["refit"], f"CV refit C={pc['cv']['chosen_C']:.6g}")

    mc = load("sklearn_multiclass_cv.json")["cv"]
    fold = np.array(mc["fold_of_row"])
    assert list(np.bincount(fold)) == mc["fold_sizes"]
    for entry in mc["per_C"]:
        for fo in entry["folds"]:
            assert fo["n_train"] == int(np.sum(fold != fo["fold"])) and close(fo["lambda"], 1.0 / (entry["C"] * fo["n_train"]), 1e-15)
            assert fo["gradient_norm"] < SMOOTH_TARGET
    assert mc["chosen_index"] == int(np.argmin([e["mean_test_log_loss"] for e in mc["per_C"]]))
    fit = mc["refit"]
    Theta = np.hstack([np.array(fit["W"]), np.array(fit["b"])[:, None]])
    obj, grad, _ = multinomial_parts(Xd, yd, Theta, fit["lambda"])
    m = float(np.linalg.norm(grad))
    assert m < SMOOTH_TARGET and close(obj, fit["objective"]), (fit["C"], m, obj)
    summary.append((f"multinomial CV refit C={mc['chosen_C']:.6g}", obj, m))

    smj = load("statsmodels_logit.json")
    X10 = Xr[:, :10]
    p = np.array(smj["params"])
    obj = binary_objective(X10, yy, p[1:], p[0], 0.0)
    m = smooth_measure(X10, yy, p[1:], p[0], 0.0)
    assert m < SMOOTH_TARGET and close(obj, smj["fastlogreg_objective"]) and close(-obj * len(yy), smj["llf"], 1e-12)
    summary.append(("statsmodels Logit (first 10 columns, raw)", obj, m))

    print(f"{'fit':<62} {'objective':>22} {'optimality':>10}")
    for label, obj, m in summary:
        print(f"{label:<62} {obj:>22.16g} {m:>10.2e}")
    print(f"all {len(summary)} checks passed")


def main():
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    if only == "multiclass_cv":  # the one fixture alone (the others take minutes and are unchanged)
        write("sklearn_multiclass_cv.json", multiclass_cv_fixture())
    elif "--validate-only" not in sys.argv:
        write("sklearn_heart_scale.json", heart_fixture())
        write("sklearn_digits.json", digits_fixture())
        write("sklearn_l1.json", l1_fixture())
        write("sklearn_path_cv.json", path_cv_fixture())
        write("sklearn_multiclass_cv.json", multiclass_cv_fixture())
        write("statsmodels_logit.json", statsmodels_fixture())
    validate()


if __name__ == "__main__":
    main()
