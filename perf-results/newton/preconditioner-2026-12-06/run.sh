#!/bin/bash
# Trust-region Newton's preconditioner: before (LIBLINEAR's mix 0.99·I + 0.01·diag) in /tmp/base, after (the diagonal on
# dense rows, class-averaged for K classes) in /work/main. --trace NAME SOLVER 0 1 TOL 1 3: C = 1, intercept, one thread.
for set in correlated-50000x500:1e-6 correlated-20000x100:1e-8 offset-20000x100:1e-8 correlated-2000x100:1e-8 breast-cancer-raw:1e-8 digits-3v8-raw:1e-8 breast-cancer:1e-8 digits-raw:1e-8 correlated-classes-5000x30x5:1e-8 digits:1e-8 20000x50x10:1e-8; do
  name=${set%%:*}; tol=${set##*:}
  for side in before:/tmp/base after:/work/main; do
    echo -n "${side%%:*} tol=$tol "
    dotnet ${side#*:}/benchmarks/FastLogReg.Benchmarks/bin/Release/net10.0/FastLogReg.Benchmarks.dll --trace $name Newton 0 1 $tol 1 3 | tail -1
  done
done
for set in correlated-50000x500 digits-raw correlated-classes-5000x30x5; do
  for side in before:/tmp/base after:/work/main; do
    echo -n "${side%%:*} Auto tol=1e-8 "
    dotnet ${side#*:}/benchmarks/FastLogReg.Benchmarks/bin/Release/net10.0/FastLogReg.Benchmarks.dll --trace $set Auto 0 1 1e-8 1 3 | tail -1
  done
done
for side in before:/tmp/base after:/work/main; do
  echo -n "${side%%:*} sparse 20000x500000x600 Newton C=1 1e-8: "
  dotnet ${side#*:}/benchmarks/FastLogReg.Benchmarks/bin/Release/net10.0/FastLogReg.Benchmarks.dll --sparse-fit 20000x500000x600 Newton 1e-8 1 1 | tail -1
done
