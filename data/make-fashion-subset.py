#!/usr/bin/python3
"""Writes data/fashion-mnist/: the first 6000 train and 1000 test Fashion-MNIST records, from Debian's
dataset-fashion-mnist idx files. Run from the repository root: /usr/bin/python3 data/make-fashion-subset.py"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
OUT = "data/fashion-mnist"


def subset(name, n, images):
    raw = gzip.open(os.path.join(SRC, name)).read()
    if images:
        magic, _count, rows, cols = struct.unpack(">IIII", raw[:16])
        assert magic == 2051, name
        data = struct.pack(">IIII", magic, n, rows, cols) + raw[16:16 + n * rows * cols]
    else:
        magic, _count = struct.unpack(">II", raw[:8])
        assert magic == 2049, name
        data = struct.pack(">II", magic, n) + raw[8:8 + n]
    with open(os.path.join(OUT, name), "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(data)


os.makedirs(OUT, exist_ok=True)
for split, n in [("train", 6000), ("t10k", 1000)]:
    subset(f"{split}-images-idx3-ubyte.gz", n, True)
    subset(f"{split}-labels-idx1-ubyte.gz", n, False)
