"""tests/onnx/torch_onnx_helper.py — the Python side of onnx_test (run with Debian's
/usr/bin/python3, where python3-torch and python3-onnx are installed).

  torch_onnx_helper.py export DIR   builds the reference PyTorch models with fixed seeds, exports
                                    each with torch.onnx.export (opset 14) to DIR/<name>.onnx, and
                                    writes 1,000 random rows DIR/<name>.inputs.f32 and PyTorch's
                                    outputs for them DIR/<name>.outputs.f32 (raw little-endian
                                    float32, row-major), then DIR/done
  torch_onnx_helper.py check FILE   onnx.checker.check_model(full_check=True) on FILE, then strict
                                    shape inference; prints "ok" and the graph's ops

Exit status: 0 success, 1 failure (the reason on stderr), 77 when a module it needs (torch, onnx)
is missing: ctest and the GoogleTest side report that as skipped, with this reason.
"""

import os
import sys

SKIP = 77
ROWS = 1000


def need(module):
    try:
        return __import__(module)
    except ImportError as error:
        print(f"skipped: python module {module} is missing ({error}); on Debian: "
              f"apt-get install python3-{module}", file=sys.stderr)
        sys.exit(SKIP)


def models(torch):
    nn = torch.nn

    class Standardized(nn.Module):
        """(x - mean) / std before the network, as buffers: exported as Sub and Div."""

        def __init__(self, mean, std, net):
            super().__init__()
            self.register_buffer("mean", mean)
            self.register_buffer("std", std)
            self.net = net

        def forward(self, x):
            return self.net((x - self.mean) / self.std)

    torch.manual_seed(1)
    iris = nn.Sequential(nn.Linear(4, 10), nn.Sigmoid(), nn.Linear(10, 3), nn.Sigmoid())
    torch.manual_seed(2)
    digits = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10), nn.Softmax(dim=1))
    torch.manual_seed(3)
    mean = torch.randn(8) * 3.0
    std = torch.rand(8) * 2.0 + 0.5
    tanh_net = Standardized(mean, std, nn.Sequential(nn.Linear(8, 16), nn.Tanh(),
                                                     nn.Linear(16, 16), nn.LeakyReLU(0.05),
                                                     nn.Linear(16, 2)))
    # (name, module, input width, scale of the random inputs, offset)
    return [("iris_4_10_3_sigmoid", iris, 4, 2.0, 0.0),
            ("digits_64_32_10_relu_softmax", digits, 64, 1.0, 0.0),
            ("tanh_standardized_8_16_16_2", tanh_net, 8, 3.0, 1.0)]


def export(directory):
    # A stale marker from an earlier run must not let the tests run on old files when this run
    # skips or fails.
    done = os.path.join(directory, "done")
    if os.path.exists(done):
        os.remove(done)
    torch = need("torch")
    need("onnx")
    os.makedirs(directory, exist_ok=True)
    for name, module, width, scale, offset in models(torch):
        module.eval()
        generator = torch.Generator().manual_seed(1234)
        rows = torch.randn(ROWS, width, generator=generator) * scale + offset
        with torch.no_grad():
            outputs = module(rows)
        path = os.path.join(directory, name + ".onnx")
        torch.onnx.export(module, torch.zeros(1, width), path, opset_version=14,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        rows.numpy().astype("<f4").tofile(os.path.join(directory, name + ".inputs.f32"))
        outputs.numpy().astype("<f4").tofile(os.path.join(directory, name + ".outputs.f32"))
        print(f"exported {path}")
    with open(done, "w", encoding="utf-8") as marker:
        marker.write(f"torch {torch.__version__}\n")


def check(path):
    onnx = need("onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    opset = [entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")]
    print("ok opset", opset[0] if opset else "?", "ops", " ".join(n.op_type for n in model.graph.node))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("export", "check"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        (export if sys.argv[1] == "export" else check)(sys.argv[2])
    except SystemExit:
        raise
    except Exception as error:  # the reason, one line, for the test log
        print(f"torch_onnx_helper: {sys.argv[1]} failed: {type(error).__name__}: {error}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
