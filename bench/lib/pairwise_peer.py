#!/usr/bin/env python3
"""Peers of the swarm-scenario benches: pairwise-complete Pearson correlation of every metric's
agents, recomputed from the windows (numpy has no streaming state), run with BLAS on one thread.

usage: pairwise_peer.py <data.f64> <metrics> <n> <w> <min_overlap> <reps> <pandas_metrics>

<data.f64> holds <metrics> windows of n x w float64 (row-major, NaN = gap), the store's windows at
the end of the bench run. Prints one JSON object:
  numpy_ms       best of <reps> runs computing every metric's n x n matrix from mask products
                 (counts, sums, sums of squares and cross-products over the steps both agents have
                 are four matrix products per metric);
  pandas_ms      DataFrame.corr(min_periods=<min_overlap>) per metric (Cython pairwise loop), timed
                 on the first <pandas_metrics> metrics and scaled to all of them (pandas_metrics_timed);
  max_abs_diff   largest |numpy - pandas| over the timed metrics' pairs (both must agree), and
  nan_mismatches pairs one of them leaves undefined and the other not.
"""
import json
import sys
import time

import numpy as np


def pairwise_complete(x, min_overlap):
    """n x n Pearson r over the columns where both rows are finite; NaN below min_overlap."""
    mask = ~np.isnan(x)
    m = mask.astype(np.float64)
    # Centre each row on its own mean first: the sums below then stay small and r keeps its digits.
    counts = m.sum(axis=1)
    means = np.where(counts > 0, np.where(mask, x, 0.0).sum(axis=1) / np.maximum(counts, 1), 0.0)
    x0 = np.where(mask, x - means[:, None], 0.0)
    cnt = m @ m.T
    sx = x0 @ m.T  # sx[i, j]: sum of x_i over the steps i and j share
    sxx = (x0 * x0) @ m.T
    sxy = x0 @ x0.T
    with np.errstate(invalid="ignore", divide="ignore"):
        num = cnt * sxy - sx * sx.T
        var_i = cnt * sxx - sx * sx
        r = num / np.sqrt(var_i * var_i.T)
    r[cnt < min_overlap] = np.nan
    np.fill_diagonal(r, 1.0)
    return r


def main():
    path, metrics, n, w, min_overlap, reps, pandas_metrics = sys.argv[1], *map(int, sys.argv[2:8])
    data = np.fromfile(path, dtype=np.float64).reshape(metrics, n, w)
    info = {"numpy": np.__version__}

    def all_metrics():
        return [pairwise_complete(data[k], min_overlap) for k in range(metrics)]

    times = []
    for _ in range(max(1, reps)):
        start = time.perf_counter()
        ours = all_metrics()
        times.append((time.perf_counter() - start) * 1000)
    info["numpy_ms"] = min(times)
    info["numpy_median_ms"] = sorted(times)[len(times) // 2]

    timed = min(metrics, pandas_metrics)
    if timed > 0:
        import pandas as pd

        info["pandas"] = pd.__version__
        spent = 0.0
        worst = 0.0
        mismatched = 0
        for k in range(timed):
            frame = pd.DataFrame(data[k].T)
            start = time.perf_counter()
            r = frame.corr(min_periods=min_overlap).to_numpy()
            spent += (time.perf_counter() - start) * 1000
            off = ~np.eye(n, dtype=bool)  # pandas leaves r(i, i) undefined below min_periods
            diff = np.abs(r - ours[k])[off]
            both = ~np.isnan(diff)
            if both.any():
                worst = max(worst, float(diff[both].max()))
            mismatched += int((np.isnan(r[off]) != np.isnan(ours[k][off])).sum())
        info["pandas_ms"] = spent / timed * metrics
        info["pandas_metrics_timed"] = timed
        info["max_abs_diff"] = worst
        info["nan_mismatches"] = mismatched
    print(json.dumps(info))


if __name__ == "__main__":
    main()
