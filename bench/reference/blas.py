"""Which BLAS library a reference process really loaded: PyTorch built with BLAS_INFO=generic (Debian's) and numpy
call whatever libblas.so.3 the dynamic loader finds, so the build flags alone do not say."""


def loaded_blas():
    """The shared BLAS libraries mapped into this process."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if any(name in path for name in ("blas", "blis", "mkl", "atlas")):
                found.add(path)
    return sorted(found)
