// Finds the first of several names of one tool on PATH (Debian's prometheus-alertmanager, upstream's alertmanager).
import { spawnSync } from 'node:child_process';
import { findBinary } from '../../support/promtool.js';

/** The first name found on PATH; if none is, the shared rule applies (skip loudly, fail under CI). */
export function findAnyBinary(names: readonly [string, ...string[]]): string | undefined {
  for (const name of names) {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
    const path = found.stdout.trim();
    if (found.status === 0 && path !== '') return path;
  }
  return findBinary(names[0]);
}
