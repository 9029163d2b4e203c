#!/usr/bin/python3
"""FastLogReg against LIBLINEAR (train -s 0, L2 trust-region Newton; train -s 6, L1 newGLMNET), run by hand, not in CI.

Needs Debian's python3-liblinear (apt-get install python3-liblinear; the system /usr/bin/python3, with numpy and
scipy) and a Release build of the benchmarks project. For each shape the benchmarks export, and each LIBLINEAR
stopping tolerance, it times LIBLINEAR's training alone (the problem is built once, outside the clock; median of
three, or of 31 for trainings under 50 ms, single-threaded as LIBLINEAR is), computes LIBLINEAR's objective from its weights, then asks FastLogReg
(`--match-objective`) for the loosest tolerance reaching an objective at least as low, and its median time.

Both fit no intercept (LIBLINEAR -B -1; its -B 1 penalizes the bias, which FastLogReg never does) with the same C:
LIBLINEAR minimizes 0.5|w|^2 + C sum log(1 + exp(-y w'x)) (or |w|_1 + C sum ...), FastLogReg the same divided by C n.

    /usr/bin/python3 scripts/compare_liblinear.py [--threads 1] [--out perf-results/liblinear/results.md]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
import liblinear
import liblinearutil

# Debian's liblinear.py (2.3.0) calls scipy.ctypeslib, which newer SciPy no longer re-exports from NumPy.
if not hasattr(scipy, "ctypeslib"):
    scipy.ctypeslib = np.ctypeslib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.environ.get("FASTLOGREG_BENCH") or os.path.join(ROOT, "benchmarks/FastLogReg.Benchmarks/bin/Release/net10.0/FastLogReg.Benchmarks.dll")


def fastlogreg(*args):
    out = subprocess.run(["dotnet", BENCH, *map(str, args)], check=True, capture_output=True, text=True).stdout
    return out


def objective(y, x, w, solver, c):
    z = y * (x @ w)
    loss = np.sum(np.logaddexp(0.0, -z))
    penalty = np.sum(np.abs(w)) if solver == 6 else 0.5 * float(w @ w)
    return penalty + c * loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--out")
    a = parser.parse_args()
    if not os.path.exists(BENCH):
        sys.exit(f"build the benchmarks first: dotnet build -c Release benchmarks/FastLogReg.Benchmarks ({BENCH} is missing)")

    rows = ["| data | LIBLINEAR | eps | LIBLINEAR objective / (C n) | its time | FastLogReg solver | tolerance | objective | passes | time | ratio |",
            "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        shapes = [line.split("\t") for line in fastlogreg("--export-libsvm", tmp).strip().splitlines()]
        for path, n, d in shapes:
            name = os.path.basename(path)[: -len(".libsvm")]
            n, d = int(n), int(d)
            y, x = liblinearutil.svm_read_problem(path, return_scipy=True)
            dense = x.toarray()
            if dense.shape[1] < d:
                dense = np.hstack([dense, np.zeros((n, d - dense.shape[1]))])
            prob = liblinear.problem(y, x)
            for solver in (0, 6):
                for eps in (0.01, 1e-4):
                    param = liblinear.parameter(f"-s {solver} -c {a.c} -e {eps} -B -1 -q")
                    times = []
                    runs = 3
                    while len(times) < runs:
                        start = time.perf_counter()
                        model = liblinearutil.train(prob, param)
                        times.append(time.perf_counter() - start)
                        if len(times) == 1 and times[0] < 0.05:
                            runs = 31  # short trainings vary more from run to run (FastLogReg's side does the same)
                    w = np.array([model.get_decfun_coef(j + 1) for j in range(d)])
                    if model.get_labels()[0] != 1:
                        w = -w
                    f = objective(y, dense, w, solver, a.c) / (a.c * n)
                    lib_ms = sorted(times)[1] * 1000
                    matched = json.loads(fastlogreg("--match-objective", name, 1 if solver == 6 else 0, a.c, repr(f), a.threads))
                    for m in matched:
                        if not m["reached"]:
                            rows.append(f"| {name} | -s {solver} | {eps:g} | {f:.10g} | {lib_ms:.1f} ms | {m['solver']} | not reached | | | | |")
                            continue
                        rows.append(
                            f"| {name} | -s {solver} | {eps:g} | {f:.10g} | {lib_ms:.1f} ms | {m['solver']} | {m['tolerance']:g} | "
                            f"{m['objective']:.10g} | {m['passes']:g} | {m['median_ms']:.1f} ms | {m['median_ms'] / lib_ms:.2f} |")
                    print(rows[-1], flush=True)
    text = "\n".join(rows) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(f"FastLogReg threads: {a.threads}, C = {a.c}\n\n" + text)


if __name__ == "__main__":
    main()
