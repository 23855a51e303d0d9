// Holm's step-down adjustment of a family of p-values (Holm, "A Simple Sequentially Rejective
// Multiple Test Procedure", Scand. J. Statist. 6, 1979): rejecting where the adjusted p < α keeps
// the family-wise error rate at α for any dependence between the tests. Same values as R's
// p.adjust(p, "holm") and statsmodels' multipletests(method="holm").

/** Adjusted p-values in the input order; NaN entries stay NaN and do not count towards the family size. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, i) => ({ p, i })).filter((e) => Number.isFinite(e.p));
  order.sort((x, y) => x.p - y.p || x.i - y.i);
  const m = order.length;
  const out = pValues.map(() => Number.NaN);
  let running = 0;
  order.forEach((e, k) => {
    running = Math.max(running, Math.min(1, (m - k) * e.p));
    out[e.i] = running;
  });
  return out;
}
