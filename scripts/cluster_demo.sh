#!/usr/bin/env bash
# Sharded training on a real three-silo Orleans cluster with Redis membership, on this box (not run in CI).
# Starts redis-server on a private port, three silo processes (fastlogreg-silo silo), trains a 200,000 x 20 CSV on 6
# shards, kills one silo with SIGKILL in the middle of the fit, and checks that the model file equals, byte for byte,
# the one trained on this machine alone (fastlogreg-silo train --local); then trains with the main tool
# (fastlogreg train --cluster redis:…) against fastlogreg train on this machine, and starts a silo capped at a narrower
# SIMD width, which a job spread over it must refuse. Needs: redis-server (apt-get install
# redis-server), /usr/bin/python3 with numpy (to write the data), the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server > /dev/null || { echo "redis-server is not installed (apt-get install redis-server)"; exit 2; }
dotnet build -c Release -v q src/FastLogReg.Silo > /dev/null
host="dotnet src/FastLogReg.Silo/bin/Release/net10.0/fastlogreg-silo.dll"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done; redis-cli -p 6390 shutdown nosave > /dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

/usr/bin/python3 - "$work/train.csv" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(23)
n, d = 200_000, 20
x = rng.normal(size=(n, d))
w = rng.normal(size=d)
y = (rng.random(n) < 1 / (1 + np.exp(-(x @ w)))).astype(int)
with open(sys.argv[1], "w") as f:
    f.write(",".join(f"x{j}" for j in range(d)) + ",y\n")
    for i in range(n):
        f.write(",".join(f"{v:.6f}" for v in x[i]) + f",{y[i]}\n")
PY

redis-server --port 6390 --save "" --appendonly no > "$work/redis.log" 2>&1 &
pids+=($!)
sleep 1
export FASTLOGREG_REDIS=localhost:6390 FASTLOGREG_CLUSTER_ID="demo-$$"
for k in 0 1 2; do
  $host silo --silo-port $((11111 + k)) --gateway-port $((30000 + k)) > "$work/silo$k.log" 2>&1 &
  pids+=($!)
done
sleep 8
echo "three silos up (Redis membership on port 6390)"

$host train --local --data "$work/train.csv" --model "$work/local.json" --tolerance 1e-9
# Each evaluation waits 300 ms (--evaluation-delay) so that the kill lands in the middle of the fit.
$host train --data "$work/train.csv" --model "$work/cluster.json" --shards 6 --tolerance 1e-9 --call-timeout 20 --gateway-port 30000 \
  --progress --evaluation-delay 300 > "$work/train.log" 2>&1 &
train=$!
until grep -q '^evaluation 5$' "$work/train.log"; do
  kill -0 $train 2> /dev/null || { cat "$work/train.log"; echo "FAIL: training ended before the fifth evaluation"; exit 1; }
  sleep 0.1
done
echo "evaluation 5 reached: killing silo 2 (pid ${pids[3]}) with SIGKILL"
kill -9 "${pids[3]}"
wait $train || { cat "$work/train.log"; exit 1; }
grep -v '^evaluation' "$work/train.log"
if cmp -s "$work/local.json" "$work/cluster.json"; then
  echo "OK: the cluster's model equals the local one byte for byte"
else
  echo "FAIL: the models differ"; diff <(head -c 2000 "$work/local.json") <(head -c 2000 "$work/cluster.json") || true; exit 1
fi

# The main tool: fastlogreg train --cluster redis:… against fastlogreg train on this machine (all rows, no split).
dotnet build -c Release -v q src/FastLogReg.Cli > /dev/null
cli="dotnet src/FastLogReg.Cli/bin/Release/net10.0/FastLogReg.Cli.dll"
$cli train --data "$work/train.csv" --model "$work/cli-local.json" --solver lbfgs --tolerance 1e-9 --test-fraction 0 --quiet
$cli train --data "$work/train.csv" --model "$work/cli-cluster.json" --solver lbfgs --tolerance 1e-9 --cluster "redis:localhost:6390" --shards 6
/usr/bin/python3 - "$work/cli-local.json" "$work/cli-cluster.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
same = a["coefficients"] == b["coefficients"] and a["intercepts"] == b["intercepts"]
print("OK: fastlogreg train --cluster saved the weights of fastlogreg train, bit for bit" if same else "FAIL: the weights differ")
sys.exit(0 if same else 1)
PY

# A silo whose kernels run narrower joins: a job whose shards land on it and on the others is refused (12 shards over
# three silos: all of them avoid the narrow one with probability (2/3)^12, under 1%).
FASTLOGREG_MAX_SIMD_WIDTH=128 $host silo --silo-port 11115 --gateway-port 30005 > "$work/silo-narrow.log" 2>&1 &
pids+=($!)
sleep 8
if $cli train --data "$work/train.csv" --model "$work/mixed.json" --solver lbfgs --cluster "redis:localhost:6390" --shards 12 --quiet 2> "$work/mixed.err"; then
  echo "NOTE: every shard landed on a full-width silo this time (no mismatch to refuse)"
elif grep -q "different SIMD widths" "$work/mixed.err"; then
  echo "OK: refused: $(cat "$work/mixed.err")"
else
  cat "$work/mixed.err"; echo "FAIL: unexpected error"; exit 1
fi
