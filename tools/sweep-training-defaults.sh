#!/usr/bin/env bash
# tools/sweep-training-defaults.sh — the measurement behind simdnn-train's defaults (README,
# "Training defaults"): held-out accuracy on Iris 4-10-3 after E epochs, for seed 1 and as the
# mean over seeds 1-10, for each setup below. Needs a built simdnn-train (release-train preset).
# Usage: tools/sweep-training-defaults.sh [path/to/simdnn-train]
set -euo pipefail
cd "$(dirname "$0")/.."
train="${1:-build/release/tools/simdnn-train}"
epochs=(10 20 30 50 100 200 500 1000 2000)
setups=(
  "new defaults|"
  "sigmoid, mse, sgd 0.5 (old defaults)|--activation sigmoid --loss mse --optimizer sgd --lr 0.5"
  "relu, adam 0.01|--activation relu --lr 0.01"
  "tanh, adam 0.01|--activation tanh --lr 0.01"
  "tanh, rprop|--activation tanh --optimizer rprop"
)
held_out() {  # <epochs> <seed> <flags...>: the test accuracy in percent
  local e="$1" seed="$2"
  shift 2
  "$train" data/iris.csv --layers 4,10,3 --epochs "$e" --seed "$seed" --test-fraction 0.2 \
    --quiet "$@" | sed -n 's/^test accuracy *\([0-9.]*\)%.*/\1/p'
}
printf '%-40s' "setup (seed 1 / mean of seeds 1-10)"
printf '%14s' "${epochs[@]}"
printf '\n'
for setup in "${setups[@]}"; do
  name="${setup%%|*}"
  read -r -a flags <<<"${setup#*|}"
  printf '%-40s' "$name"
  for e in "${epochs[@]}"; do
    values=()
    for seed in $(seq 1 10); do values+=("$(held_out "$e" "$seed" "${flags[@]}")"); done
    printf '%14s' "$(printf '%s\n' "${values[@]}" |
      awk 'NR == 1 { first = $1 } { sum += $1 } END { printf "%.1f / %.1f", first, sum / NR }')"
  done
  printf '\n'
done
