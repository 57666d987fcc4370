#!/usr/bin/env bash
# tests/onnx/trained_roundtrip.sh TRAIN CONVERT PYTHON HELPER DATA WORKDIR — issue 15's "done
# when": a model trained by simdnn-train, exported to ONNX, passes the ONNX checker (PyTorch-free
# tooling) and comes back into simdnn unchanged: the re-imported model file is byte for byte the
# one simdnn-train saved. Exit 77 (skipped, reason printed) when the checker's module is missing.
set -euo pipefail
train=$1 convert=$2 python=$3 helper=$4 data=$5 work=$6
rm -rf "$work" && mkdir -p "$work"
"$train" "$data" --seed 3 --epochs 20 --quiet --save "$work/trained.simdnn"
"$convert" "$work/trained.simdnn" "$work/trained.onnx"
set +e
"$python" "$helper" check "$work/trained.onnx"
status=$?
set -e
if [ "$status" -eq 77 ]; then exit 77; fi
if [ "$status" -ne 0 ]; then echo "the ONNX checker rejected simdnn's export" >&2; exit 1; fi
"$convert" "$work/trained.onnx" "$work/back.simdnn"
if ! cmp "$work/trained.simdnn" "$work/back.simdnn"; then
  echo "simdnn -> ONNX -> simdnn changed the model file" >&2
  exit 1
fi
echo "trained model: checker ok, round trip byte-identical"
