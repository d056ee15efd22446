"""Dense-layer products for `npm run bench -- backends` (bench/backends.ts): the three matrix products
of one training step of a Dense layer (forward x·W, weight gradient xᵀ·dy, input gradient dy·Wᵀ),
float32, timed in numpy and in PyTorch on the same shapes, with the BLAS library each process loaded.
Thread counts come from the environment (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, set by the caller
before the libraries load) and torch.set_num_threads.
Prints one JSON line: {"shape", "threads", "numpy_ms", "torch_ms", "gflop", "blas_libraries", "numpy", "torch"}.
Run: /usr/bin/python3 bench/reference/gemm.py --batch 32 --inputs 36992 --units 512 --threads 1
"""
import argparse
import json
import time

import numpy
import torch

from blas import loaded_blas


def median_ms(run, repeats):
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--inputs", type=int, required=True)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = numpy.random.default_rng(0)
    x = rng.random((args.batch, args.inputs), dtype=numpy.float32)
    w = rng.random((args.inputs, args.units), dtype=numpy.float32)
    dy = rng.random((args.batch, args.units), dtype=numpy.float32)
    tx, tw, tdy = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(dy)

    def numpy_step():
        x @ w
        x.T @ dy
        dy @ w.T

    def torch_step():
        tx @ tw
        tx.T @ tdy
        tdy @ tw.T

    print(json.dumps({
        "shape": [args.batch, args.inputs, args.units], "threads": args.threads,
        "numpy_ms": median_ms(numpy_step, args.repeats), "torch_ms": median_ms(torch_step, args.repeats),
        "gflop": 3 * 2 * args.batch * args.inputs * args.units / 1e9,
        "blas_libraries": loaded_blas(), "numpy": numpy.__version__, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
