#!/bin/bash
# Auto (L-BFGS, trust-region Newton after 500 iterations) against L-BFGS and Newton named, multinomial, C = 1, intercept, one thread.
cd /work/main/benchmarks/FastLogReg.Benchmarks
for tol in 1e-6 1e-8; do
  for set in digits-raw correlated-classes-5000x30x5 digits 5000x20x5 20000x50x10 20000x100x10; do
    for s in Auto Lbfgs Newton; do
      echo -n "tol=$tol "; dotnet bin/Release/net10.0/FastLogReg.Benchmarks.dll --trace $set $s 0 1 $tol 1 5 | tail -1
    done
  done
done
echo "--- paths (two threads, default 100-point ridge path, tolerance 1e-6)"
dotnet bin/Release/net10.0/FastLogReg.Benchmarks.dll --path-cost - digits-raw,correlated-classes-5000x30x5,digits,20000x50x10 Auto,Lbfgs,Newton 0 2>/dev/null
