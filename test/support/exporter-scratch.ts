// What a test that runs the exporter as a child process leaves behind, cleaned after each test: the
// processes (killed by PID), the action target (stopped) and the temp folder (removed), in that order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ActionTarget } from '../coordination/fixtures/action-target.js';
import { stopExporter, type ExporterProcess } from './exporter-process.js';

export interface ExporterScratch {
  /** A fresh temp folder named `prefix…`, removed after the test. */
  dir(prefix: string): string;
  /** Registers a started process, to be killed after the test if it still runs; returns it. */
  track<T extends ExporterProcess>(exporter: T): T;
  /** A started action target, stopped after the test. */
  target(): Promise<ActionTarget>;
}

/** Call at the top of a test file: registers the afterEach that cleans what each test made. */
export function exporterScratch(): ExporterScratch {
  let started: ExporterProcess[] = [];
  let targets: ActionTarget[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    const [exporters, stopping, removing] = [started, targets, dirs];
    started = [];
    targets = [];
    dirs = [];
    for (const e of exporters) await stopExporter(e);
    for (const t of stopping) await t.stop();
    for (const d of removing) rmSync(d, { recursive: true, force: true });
  });
  return {
    dir(prefix) {
      const made = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(made);
      return made;
    },
    track(exporter) {
      started.push(exporter);
      return exporter;
    },
    async target() {
      const made = await new ActionTarget().start();
      targets.push(made);
      return made;
    },
  };
}
