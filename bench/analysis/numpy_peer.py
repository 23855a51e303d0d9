#!/usr/bin/env python3
"""The numpy peer of the analysis benchmarks, run with OpenBLAS pinned to one thread.

usage: numpy_peer.py corrcoef <data.f64> <n> <w> <reps> <ref_rows> <ref_out.f64>
       numpy_peer.py robust   <data.f64> <n> <w> <reps>

<data.f64> holds an n x w row-major float64 window. Prints one JSON object: the median and the
best time of <reps> runs in milliseconds, plus what the caller checks its own result against
(corrcoef: the full matrix of the first <ref_rows> rows, written to <ref_out.f64>; robust: the
robust z of every row's last value).
"""
import json
import sys
import time

import numpy as np


def timed(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return out, times[len(times) // 2], times[0]


def main():
    op, path, n, w, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    x = np.fromfile(path, dtype=np.float64).reshape(n, w)
    info = {"numpy": np.__version__}
    if op == "corrcoef":
        _, median, best = timed(lambda: np.corrcoef(x), reps)
        ref_rows, ref_out = int(sys.argv[6]), sys.argv[7]
        np.corrcoef(x[:ref_rows]).astype(np.float64).tofile(ref_out)
    elif op == "robust":
        def robust():
            med = np.median(x, axis=1)
            mad = np.median(np.abs(x - med[:, None]), axis=1)
            return (x[:, -1] - med) / (1.4826 * mad)

        z, median, best = timed(robust, reps)
        info["z"] = z.tolist()
    else:
        raise SystemExit(f"unknown op {op}")
    info.update({"median_ms": median, "best_ms": best})
    print(json.dumps(info))


if __name__ == "__main__":
    main()
