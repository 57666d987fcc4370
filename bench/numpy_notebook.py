#!/usr/bin/python3
"""Times the lecture notebook's numpy training loop on data/iris.csv, one thread.

The algorithm is the notebook's: a 4-10-3-1 sigmoid network without biases, weights drawn
uniformly from [-1, 1], targets the raw class labels 0/1/2, full-batch gradient descent with
learning rate 0.1 on E = 1/2 sum (y - t)^2 for 100 epochs, backpropagation reusing the saved
activations, float64 as numpy defaults to. Prints the median time per epoch over several runs.

Given the path of simdnn's benchmark binary, it also runs simdnn's equivalent epoch
(network/iris_epoch/4-10-3-1, 5 repetitions, median) and prints the ratio:

    /usr/bin/python3 bench/numpy_notebook.py [build/release/bench/simdnn_bench]

Needs Debian's python3-numpy (apt-get install -y python3-numpy).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# One thread, like the other measurements in the issue; must be set before numpy loads its BLAS.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import numpy as np  # noqa: E402  (after the thread settings on purpose)

EPOCHS = 100
LEARNING_RATE = 0.1
SIMDNN_FILTER = "^network/iris_epoch/4-10-3-1/"


def load_iris(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :4], data[:, 4:5]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train(x, t, rng):
    """The notebook's loop; returns the final loss E so the work cannot be skipped."""
    w1 = rng.uniform(-1.0, 1.0, (4, 10))
    w2 = rng.uniform(-1.0, 1.0, (10, 3))
    w3 = rng.uniform(-1.0, 1.0, (3, 1))
    for _ in range(EPOCHS):
        a1 = sigmoid(x @ w1)
        a2 = sigmoid(a1 @ w2)
        y = sigmoid(a2 @ w3)
        d3 = (t - y) * y * (1.0 - y)
        d2 = (d3 @ w3.T) * a2 * (1.0 - a2)
        d1 = (d2 @ w2.T) * a1 * (1.0 - a1)
        w3 += LEARNING_RATE * (a2.T @ d3)
        w2 += LEARNING_RATE * (a1.T @ d2)
        w1 += LEARNING_RATE * (x.T @ d1)
    y = sigmoid(sigmoid(sigmoid(x @ w1) @ w2) @ w3)
    return 0.5 * float(np.sum((y - t) ** 2))


def numpy_epoch_us(x, t, runs):
    rng = np.random.default_rng(1)
    train(x, t, rng)  # warm-up: first-call costs of numpy and the allocator
    per_epoch = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        train(x, t, rng)
        per_epoch.append((time.perf_counter_ns() - start) / 1e3 / EPOCHS)
    return statistics.median(per_epoch)


def simdnn_epoch_us(binary):
    command = [
        binary,
        "--benchmark_filter=" + SIMDNN_FILTER,
        "--benchmark_format=json",
        "--benchmark_repetitions=5",
        "--benchmark_report_aggregates_only=true",
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    for entry in json.loads(output)["benchmarks"]:
        if entry.get("aggregate_name") == "median":
            return entry["name"], entry["real_time"] * to_us[entry["time_unit"]]
    raise RuntimeError("no median for %s in the output of %s" % (SIMDNN_FILTER, binary))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("simdnn_bench", nargs="?", help="simdnn's benchmark binary, for the ratio")
    parser.add_argument("--data", default=os.path.join(here, "..", "data", "iris.csv"))
    parser.add_argument("--runs", type=int, default=21, help="timed runs of %d epochs" % EPOCHS)
    args = parser.parse_args()

    x, t = load_iris(args.data)
    numpy_us = numpy_epoch_us(x, t, args.runs)
    print("numpy %s (notebook algorithm, float64, 1 thread): %.2f us per Iris epoch "
          "(median of %d runs x %d epochs)" % (np.__version__, numpy_us, args.runs, EPOCHS))
    if args.simdnn_bench:
        name, simdnn_us = simdnn_epoch_us(args.simdnn_bench)
        print("simdnn %s: %.3f us per Iris epoch (median of 5 repetitions)" % (name, simdnn_us))
        print("ratio numpy / simdnn: %.1fx" % (numpy_us / simdnn_us))
    return 0


if __name__ == "__main__":
    sys.exit(main())
