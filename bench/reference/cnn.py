"""PyTorch reference for `npm run bench -- backends` (bench/backends.ts).

The same two architectures as src/models/cnn.ts, Keras semantics ('valid' 3x3 convolutions, 2x2
max-pooling, Glorot-uniform kernels do not matter for speed), trained with Adam on random data:
  seed    Seed 000 §5.2.2: 150x150x3 -> Conv32/64/128 + pool -> Dense512 -> Dropout(0.5) -> sigmoid, BCE
  fashion Seed 001 §5.2 on Fashion-MNIST: 28x28x1 -> Conv32 + pool -> Conv64 + pool -> Dense128 -> Dense10, CE
Prints one JSON line: {"model", "mode", "batch", "steps", "threads", "device", "img_per_s", "peak_rss_mb", "torch", "blas",
"onednn", "blas_libraries"}: blas is the BLAS_INFO PyTorch was built with (Linear layers' products; Debian's 1.13 says
"generic": whatever libblas.so.3 the loader finds), blas_libraries the BLAS actually loaded, onednn whether convolutions
run on oneDNN (MKL-DNN).
--device cuda runs on the GPU in fp32 (TF32 matmuls and cuDNN TF32 convolutions switched off).
Run with Debian's python3-torch: /usr/bin/python3 bench/reference/cnn.py --model seed --mode train
"""
import argparse
import json
import re
import resource
import time

import torch

from blas import loaded_blas
from torch import nn


def blocks(channels_in, filters):
    layers = []
    for f in filters:
        layers += [nn.Conv2d(channels_in, f, 3), nn.ReLU(), nn.MaxPool2d(2)]
        channels_in = f
    return layers


def side_after(size, count):
    for _ in range(count):
        size = (size - 2) // 2
    return size


def build(model):
    if model == "seed":
        side = side_after(150, 3)
        net = nn.Sequential(*blocks(3, [32, 64, 128]), nn.Flatten(), nn.Linear(128 * side * side, 512), nn.ReLU(),
                            nn.Dropout(0.5), nn.Linear(512, 1), nn.Sigmoid())
        return net, (3, 150, 150), nn.BCELoss(), lambda n: torch.randint(0, 2, (n, 1)).float()
    side = side_after(28, 2)
    net = nn.Sequential(*blocks(1, [32, 64]), nn.Flatten(), nn.Linear(64 * side * side, 128), nn.ReLU(), nn.Linear(128, 10))
    return net, (1, 28, 28), nn.CrossEntropyLoss(), lambda n: torch.randint(0, 10, (n,))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["seed", "fashion"], required=True)
    parser.add_argument("--mode", choices=["train", "infer"], required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first, as the tfjs side runs")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    net, shape, loss_fn, labels = build(args.model)
    net = net.to(device)
    x = torch.rand(args.batch, *shape, device=device)
    y = labels(args.batch).to(device)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        if args.mode == "train":
            net.train()
            optimizer.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            optimizer.step()
        else:
            net.eval()
            with torch.no_grad():
                net(x)

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    seconds = time.perf_counter() - start
    print(json.dumps({
        "model": args.model, "mode": args.mode, "batch": args.batch, "steps": args.steps, "threads": args.threads,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu", "img_per_s": args.batch * args.steps / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "blas": (re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show()) or [None, "unknown"])[1],
        "onednn": torch.backends.mkldnn.is_available(),
        "blas_libraries": loaded_blas(),
    }))


if __name__ == "__main__":
    main()
