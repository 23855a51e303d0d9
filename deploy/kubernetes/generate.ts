// Writes deploy/kubernetes's generated manifests from the rules pack: `npm run generate:k8s` (add --check to only compare).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO, generatedFiles } from './render-manifests.js';

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const checkOnly = process.argv.includes('--check');
let drifted = 0;
for (const { path, text } of generatedFiles()) {
  if (readOrEmpty(path) === text) continue;
  if (checkOnly) {
    drifted += 1;
    process.stderr.write(`${relative(REPO, path)}: differs from its sources; run npm run generate:k8s\n`);
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${relative(REPO, path)}\n`);
  }
}
process.exitCode = drifted > 0 ? 1 : 0;
