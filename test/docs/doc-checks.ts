// Checks of one Markdown page against the repository: config examples against the real schema, npm scripts,
// CLI flags, relative links and their anchors, metric names against the catalogue. Each returns problems, [] when clean.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfigObject } from '../../src/config/parse-config.js';
import { parseWebConfig } from '../../src/http/web-config/web-config.js';

/** Top-level keys of the exporter's configuration file: a YAML block with any of them is an exporter config. */
export const EXPORTER_KEYS: ReadonlySet<string> = new Set(Object.keys(parseConfigObject({})).concat(['shard', 'query', 'otlp']));
/** Top-level keys of an exporter-toolkit web configuration file. */
const WEB_CONFIG_KEYS: ReadonlySet<string> = new Set(['tls_server_config', 'http_server_config', 'basic_auth_users']);

export interface CodeBlock {
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    blocks.push({ lang: match[1] ?? '', text: match[2] ?? '', line: markdown.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** The page without its fenced blocks (for prose checks that must not read code). */
function prose(markdown: string): string {
  return markdown.replace(/^```\w*\n[\s\S]*?^```/gm, '');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every ```yaml block parses; exporter configs pass the config schema, web configs the web-config schema. Every ```json block without a `…` placeholder parses. */
export function configExampleProblems(markdown: string, where: string): string[] {
  const problems: string[] = [];
  for (const block of codeBlocks(markdown)) {
    const at = `${where}:${block.line}`;
    if (block.lang === 'json') {
      if (block.text.includes('…')) continue;
      try {
        JSON.parse(block.text);
      } catch (error) {
        problems.push(`${at}: json block does not parse: ${message(error)}`);
      }
      continue;
    }
    if (block.lang !== 'yaml') continue;
    let doc: unknown;
    try {
      doc = parseYaml(block.text, { uniqueKeys: true });
    } catch (error) {
      problems.push(`${at}: yaml block does not parse: ${message(error)}`);
      continue;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue;
    const keys = Object.keys(doc);
    if (keys.some((k) => EXPORTER_KEYS.has(k))) {
      try {
        parseConfigObject(doc);
      } catch (error) {
        problems.push(`${at}: exporter config refused by the schema: ${message(error)}`);
      }
    } else if (keys.some((k) => WEB_CONFIG_KEYS.has(k))) {
      try {
        parseWebConfig(block.text, at);
      } catch (error) {
        problems.push(`${at}: web config refused by the schema: ${message(error)}`);
      }
    }
  }
  return problems;
}

/** Every `npm run X` names a script of package.json. */
export function npmScriptProblems(markdown: string, where: string, scripts: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const match of markdown.matchAll(/npm run ([a-z][\w:-]*)/g)) {
    const name = match[1] ?? '';
    if (!scripts.has(name)) problems.push(`${where}: "npm run ${name}": no such script in package.json`);
  }
  return problems;
}

/**
 * Flags of the two executables: on a line that runs agentswarm-exporter (or `npm run demo --`, `npm start --`),
 * every --flag must be one the exporter's CLI takes; on a line that runs agentswarm-sim, one the simulator takes.
 * Go-style dotted flags (`--web.listen-address`) are the exporter's wherever they appear.
 */
export function cliFlagProblems(
  markdown: string,
  where: string,
  exporterFlags: ReadonlySet<string>,
  simFlags: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  lines.forEach((line, i) => {
    const at = `${where}:${i + 1}`;
    const flags = [...line.matchAll(/(?<![\w-])--([a-z][a-z0-9.-]*[a-z0-9])/g)].map((m) => `--${m[1] ?? ''}`);
    const runsSim = /agentswarm-sim\b|npm run sim\b/.test(line);
    const runsExporter = /agentswarm-exporter\s+--|npm run demo --|npm start --|node dist\/src\/bin\/exporter\.js/.test(line);
    for (const flag of flags) {
      if (runsSim) {
        if (!simFlags.has(flag)) problems.push(`${at}: agentswarm-sim has no flag ${flag}`);
      } else if (runsExporter || /^--(web|config|log|storage)\./.test(flag)) {
        if (!exporterFlags.has(flag)) problems.push(`${at}: agentswarm-exporter has no flag ${flag}`);
      }
    }
  });
  return problems;
}

/** GitHub's heading anchors of a Markdown page (lower case, punctuation dropped, spaces to hyphens, duplicates numbered). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

/** Whether `target` (a path, optionally with #anchor) names an existing file and, for a Markdown file, an existing heading. */
export function targetProblem(target: string, fromDir: string, repo: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? undefined : resolve(fromDir, decodeURIComponent(path));
  if (file !== undefined) {
    if (!file.startsWith(repo)) return `${target}: outside the repository`;
    if (!existsSync(file)) return `${target}: no such file ${relative(repo, file)}`;
  }
  if (anchor === undefined || anchor === '' || file === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  if (!headingAnchors(readFileSync(file, 'utf8')).has(anchor))
    return `${target}: no heading with anchor #${anchor} in ${relative(repo, file)}`;
  return undefined;
}

/** Every relative link and image of the page resolves to a file, and its #anchor (same page or another page) to a heading. */
export function linkProblems(markdown: string, file: string, repo: string): string[] {
  const problems: string[] = [];
  const where = relative(repo, file);
  const own = headingAnchors(markdown);
  for (const match of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    if (target.startsWith('#')) {
      if (!own.has(target.slice(1))) problems.push(`${where}: ${target}: no heading with that anchor on this page`);
      continue;
    }
    const problem = targetProblem(target, dirname(file), repo);
    if (problem !== undefined) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

/**
 * Every exporter metric name the page mentions is in the catalogue (a histogram's _bucket, _sum and _count
 * included). Recorded series (`swarm:agentswarm_…:sum`) and name prefixes ending in `_` are not metric names.
 */
export function metricNameProblems(markdown: string, where: string, names: ReadonlySet<string>, histograms: ReadonlySet<string>): string[] {
  const problems = new Set<string>();
  for (const match of markdown.matchAll(/(?<![\w:.$-])agentswarm_[a-z0-9_]*[a-z0-9](?![\w:])/g)) {
    const name = match[0];
    if (names.has(name)) continue;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name && histograms.has(base)) continue;
    problems.add(`${where}: ${name}: not in the metric catalogue`);
  }
  return [...problems];
}

/** The Markdown pages the checks cover: the README and every page of docs/. */
export function documentationPages(repo: string, docNames: readonly string[]): string[] {
  return [join(repo, 'README.md'), ...docNames.filter((n) => n.endsWith('.md')).map((n) => join(repo, 'docs', n))];
}
