#!/usr/bin/env node
// agentswarm-sim executable: a simulated agent swarm pushing to an exporter (see src/demo/sim-cli.ts).
import { runSimCli } from '../demo/sim-cli.js';

runSimCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agentswarm-sim: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
