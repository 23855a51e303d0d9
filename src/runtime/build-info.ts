// Version and revision of this build, read once from package.json (works from src/ and dist/src/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What agentswarm_build_info labels: the package version, the git revision and the Node version. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodeVersion: string;
}

function findPackageJson(start: string): { version: string } {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agentswarm-exporter' && typeof pkg.version === 'string') return { version: pkg.version };
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return { version: '0.0.0' };
}

export function readBuildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  const { version } = findPackageJson(dirname(fileURLToPath(import.meta.url)));
  return { version, revision: env.AGENTSWARM_EXPORTER_REVISION ?? 'unknown', nodeVersion: process.version };
}
