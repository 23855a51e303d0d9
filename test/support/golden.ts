// Golden files: the committed text a test compares with, rewritten only on an explicit UPDATE_GOLDEN=1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The environment switch that lets a golden test rewrite its file (then review the diff before committing it). */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * The expected text of the golden file at `path`. With `update`, `actual` is written there first.
 * A missing file throws: a first run must not write its own expectation and pass against it.
 */
export function goldenText(path: string, actual: string, update = UPDATE_GOLDEN): string {
  if (update) writeFileSync(path, actual);
  if (!existsSync(path))
    throw new Error(`golden file ${path} is missing: run the test with UPDATE_GOLDEN=1 to write it, then review and commit it`);
  return readFileSync(path, 'utf8');
}
