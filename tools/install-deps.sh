#!/usr/bin/env bash
# Installs with apt-get whatever a fresh Debian 12 machine lacks to build, test and benchmark
# simdnn. A no-op (no apt-get call at all) when everything is already there.
set -euo pipefail

packages=(cmake g++ make libxsimd-dev libgtest-dev libgmock-dev libbenchmark-dev python3 binutils
  # simdnn::onnx, simdnn-convert and their tests (PyTorch exports, the ONNX checker);
  # python3-torch is large (~1 GB installed) and only the tests use it.
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx python3-torch)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all dependencies present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
