// Keeps the README and docs/ true to the code: config examples, npm scripts, CLI flags, links, metric names,
// routes and alerts, the README's size and layout line, and every docs/ citation in the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseCli } from '../../src/cli.js';
import { parseConfigObject } from '../../src/config/parse-config.js';
import { runSimCli } from '../../src/demo/sim-cli.js';
import { allMetricSpecs, PROCESS_METRICS } from '../../src/model/metric-catalogue.js';
import {
  cliFlagProblems,
  codeBlocks,
  configExampleProblems,
  documentationPages,
  linkProblems,
  metricNameProblems,
  npmScriptProblems,
  targetProblem,
} from './doc-checks.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const pages = documentationPages(REPO, readdirSync(join(REPO, 'docs'))).map((file) => ({
  file,
  where: relative(REPO, file),
  text: readFileSync(file, 'utf8'),
}));
const design = read('docs/design.md');
const operations = read('docs/operations.md');
const readme = read('README.md');

const scripts: ReadonlySet<string> = new Set(
  Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts),
);
const specs = [...allMetricSpecs(), ...PROCESS_METRICS];
const metricNames: ReadonlySet<string> = new Set(specs.map((s) => s.name));
const histograms: ReadonlySet<string> = new Set(specs.filter((s) => s.type === 'histogram').map((s) => s.name));

/** agentswarm_ names in the docs that are not metrics: the PostgreSQL store's schema-version table. */
const NOT_METRICS = ['agentswarm_schema'];

/** The flags a --help prints, as the CLI itself knows them. */
function flagsOfHelp(help: string): Set<string> {
  return new Set([...help.matchAll(/(?<![\w-])--[a-z][a-z0-9.-]*[a-z0-9]/g)].map((m) => m[0]));
}

function exporterFlags(): Set<string> {
  let help = '';
  class Exit extends Error {}
  try {
    parseCli(['--help'], {}, '0.0.0', {
      out: (s) => {
        help += s;
      },
      exit: () => {
        throw new Exit();
      },
    });
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
  }
  return flagsOfHelp(help);
}

async function simFlags(): Promise<Set<string>> {
  let help = '';
  const code = await runSimCli(['--help'], {
    stdout: (s) => {
      help += s;
    },
    stderr: () => undefined,
    onSignal: () => () => undefined,
  });
  expect(code).toBe(0);
  return flagsOfHelp(help);
}

function filesUnder(dir: string): string[] {
  return (readdirSync(join(REPO, dir), { recursive: true }) as string[])
    .map((p) => join(dir, p))
    .filter((p) => statSync(join(REPO, p)).isFile());
}

describe('README and docs/: commands and examples', () => {
  it('covers the README and every page of docs/', () => {
    expect(pages.map((p) => p.where)).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/design.md',
        'docs/analysis.md',
        'docs/coordination.md',
        'docs/ingest.md',
        'docs/operations.md',
        'docs/performance.md',
      ]),
    );
  });

  it('has yaml config examples the real schemas accept, and json examples that parse', () => {
    expect(pages.flatMap((p) => configExampleProblems(p.text, p.where))).toEqual([]);
    // Not vacuous: the pages hold many exporter configs.
    expect(pages.flatMap((p) => codeBlocks(p.text)).filter((b) => b.lang === 'yaml').length).toBeGreaterThan(10);
  });

  it('names only npm scripts that package.json has', () => {
    expect(pages.flatMap((p) => npmScriptProblems(p.text, p.where, scripts))).toEqual([]);
  });

  it('names only flags the exporter and the simulator take', async () => {
    const exporter = exporterFlags();
    const sim = await simFlags();
    expect(exporter).toContain('--web.listen-address');
    expect(sim).toContain('--scenario');
    expect(pages.flatMap((p) => cliFlagProblems(p.text, p.where, exporter, sim))).toEqual([]);
  });

  it('has relative links that resolve to files, and anchors that resolve to headings', () => {
    expect(pages.flatMap((p) => linkProblems(p.text, p.file, REPO))).toEqual([]);
  });

  it('mentions only metric names of the catalogue', () => {
    expect(pages.flatMap((p) => metricNameProblems(p.text, p.where, new Set([...metricNames, ...NOT_METRICS]), histograms))).toEqual([]);
  });
});

describe('docs/design.md: the contracts match the code', () => {
  it('lists every configuration key at the schema default', () => {
    const block = codeBlocks(design).find((b) => b.lang === 'yaml' && b.text.startsWith('# every key at its default'));
    expect(block, 'the "# every key at its default" yaml block').toBeDefined();
    expect(parseConfigObject(parseYaml(block?.text ?? ''))).toEqual(parseConfigObject({}));
  });

  it('lists every metric of the catalogue', () => {
    expect(specs.filter((s) => !design.includes(`\`${s.name}\``)).map((s) => s.name)).toEqual([]);
  });

  it('lists every route the HTTP layer registers, with its method', () => {
    const sources = filesUnder('src/http')
      .filter((p) => p.endsWith('.ts'))
      .map((p) => read(p))
      .join('\n');
    const constants = new Map([...sources.matchAll(/export const (\w+_PATH) = '([^']+)'/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const routes = [...sources.matchAll(/router\.(get|post|put|delete)\(\s*(?:'([^']+)'|`\$\{(\w+)\}([^`]*)`|(\w+_PATH))/g)].map((m) => {
      const path = m[2] ?? (m[3] !== undefined ? `${constants.get(m[3]) ?? '?'}${m[4] ?? ''}` : (constants.get(m[5] ?? '') ?? '?'));
      return `${(m[1] ?? '').toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`;
    });
    expect(routes.length).toBeGreaterThan(12);
    expect(routes.filter((r) => !design.includes(`\`${r}`))).toEqual([]);
    // Paths served outside a router (the samples fast lane) are exported constants: each is in the table too.
    expect([...constants.values()].filter((path) => !design.includes(`\`GET ${path}`) && !design.includes(`\`POST ${path}`))).toEqual([]);
  });

  it('has a row per alerting rule with its severity, for:, coordination_type and priority', () => {
    interface Rule {
      alert?: string;
      for?: string;
      labels?: Record<string, string>;
    }
    const rules = filesUnder('alerts')
      .filter((p) => p.endsWith('.rules.yml'))
      .flatMap((p) => (parseYaml(read(p)) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules))
      .filter((r) => r.alert !== undefined);
    expect(rules.length).toBeGreaterThan(10);
    const rows = design.split('\n').filter((l) => l.startsWith('| `AgentSwarm'));
    const missing = rules.filter((r) => {
      const cells = [
        r.labels?.['severity'] ?? '',
        r.for ?? '',
        r.labels?.['coordination_type'] ? `\`${r.labels['coordination_type']}\`` : '—',
        r.labels?.['priority'] ? `\`${r.labels['priority']}\`` : '—',
      ];
      return !rows.some(
        (row) =>
          row.startsWith(`| \`${r.alert ?? ''}\``) &&
          row.slice(row.indexOf('|', 2)).replace(/\s+/g, ' ') === `${cells.map((c) => `| ${c} `).join('')}|`,
      );
    });
    expect(missing.map((r) => `${r.alert ?? ''} ${JSON.stringify(r.labels)} for ${r.for ?? ''}`)).toEqual([]);
  });
});

describe('docs/operations.md: the configuration reference', () => {
  it('has a row for every key the schema gives a default', () => {
    const leaves: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
        for (const [key, inner] of Object.entries(value)) walk(inner, path === '' ? key : `${path}.${key}`);
      } else leaves.push(path);
    };
    walk(parseConfigObject({}), '');
    expect(leaves.length).toBeGreaterThan(30);
    expect(leaves.filter((key) => !operations.includes(`| \`${key}`) && !operations.includes(`, \`${key}`))).toEqual([]);
  });
});

describe('README', () => {
  it('is at most 20 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20 * 1024);
  });

  it('names every src/ folder on its layout line', () => {
    const layout = readme.split('\n\n').find((p) => p.startsWith('Layout:')) ?? '';
    const folders = readdirSync(join(REPO, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((f) => !layout.includes(`\`${f}/\``))).toEqual([]);
  });

  it('keeps the two newcomer commands: install and start the demo, and run the tests', () => {
    const quickstart = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 1));
    const commands = codeBlocks(quickstart)
      .filter((b) => b.lang === 'sh')
      .map((b) => b.text.trim());
    expect(commands).toContain('npm ci && npm run demo');
    expect(commands).toContain('npm test');
    expect(scripts).toContain('demo');
    expect(scripts).toContain('test');
  });
});

/** A citation of a document outside the repository (written with escapes so that this file does not match the same grep). */
const OUTSIDE_CITATION = /DESIGN \u00a7|STYLE \d|RELIABILIT[Y]/;

/** docs/ paths the code names that belong to other projects: exporter-toolkit's web-configuration page. */
const EXTERNAL_DOCS: ReadonlySet<string> = new Set(['web-configuration.md']);

describe('citations in the code', () => {
  const trees = ['src', 'test', 'bench', 'grafana', 'deploy', 'prometheus', 'alerts'];
  const files = trees.flatMap(filesUnder).filter((p) => /\.(ts|js|mjs|ya?ml|md|json)$/.test(p) && !p.startsWith('test/docs/'));

  it('cite only documents of this repository (docs/…), never the design, style or reliability notes kept outside it', () => {
    const offenders = files.flatMap((p) =>
      read(p)
        .split('\n')
        .map((line, i) => ({ line, at: `${p}:${i + 1}` }))
        .filter(({ line }) => OUTSIDE_CITATION.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });

  it('point at docs/ files and headings that exist', () => {
    const problems = files.flatMap((p) =>
      [...read(p).matchAll(/(?<![\w/.-])docs\/([\w-]+\.(?:md|png))(#[\w-]+)?/g)].flatMap((m) => {
        if (EXTERNAL_DOCS.has(m[1] ?? '')) return [];
        const problem = targetProblem(`docs/${m[1] ?? ''}${m[2] ?? ''}`, REPO, REPO);
        return problem === undefined ? [] : [`${p}: ${problem}`];
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('the checks catch a deliberately broken page', () => {
  const exporter = new Set(['--web.listen-address', '--config.file', '--demo']);
  const sim = new Set(['--target', '--agents', '--scenario']);

  it('refuses a config example with a bad value or a misspelt key', () => {
    expect(configExampleProblems('```yaml\nanalysis:\n  step: fast\n```\n', 'broken.md')).toEqual([
      expect.stringMatching(/broken\.md:1: exporter config refused by the schema: .*analysis\.step/s),
    ]);
    expect(configExampleProblems('```yaml\nagents:\n  max_agent: 10\n```\n', 'broken.md')).toHaveLength(1);
    expect(configExampleProblems('```yaml\ntls_server_config:\n  min_version: TLS99\n```\n', 'broken.md')).toHaveLength(1);
    expect(configExampleProblems('```json\n{"a": 1,}\n```\n', 'broken.md')).toHaveLength(1);
  });

  it('finds a citation of the notes kept outside the repository, and not one into docs/', () => {
    expect(
      ['// the routes of DESIGN \u00a73', '// as STYLE ' + '9 says', '// per RELIABILIT' + 'Y.md'].filter((l) => OUTSIDE_CITATION.test(l)),
    ).toHaveLength(3);
    expect(
      OUTSIDE_CITATION.test('// the routes of docs/design.md#http-routes, docs/design.md#conventions 9, docs/reliability.md test 6'),
    ).toBe(false);
  });

  it('refuses an npm script, a flag, a link, an anchor and a metric name that do not exist', () => {
    expect(npmScriptProblems('run `npm run dmeo`', 'broken.md', scripts)).toEqual([
      'broken.md: "npm run dmeo": no such script in package.json',
    ]);
    expect(cliFlagProblems('npm run demo -- --web.listen-adress :8080', 'broken.md', exporter, sim)).toHaveLength(1);
    expect(cliFlagProblems('agentswarm-sim --target URL --agent 5', 'broken.md', exporter, sim)).toEqual([
      'broken.md:1: agentswarm-sim has no flag --agent',
    ]);
    const file = join(REPO, 'docs', 'broken.md');
    expect(
      linkProblems('[x](no-such-page.md) [y](design.md#no-such-heading) [z](#nowhere) [ok](design.md#metrics)', file, REPO),
    ).toHaveLength(3);
    expect(
      metricNameProblems(
        '`agentswarm_agent_helth_score` and `agentswarm_analysis_duration_seconds_bucket`',
        'broken.md',
        metricNames,
        histograms,
      ),
    ).toEqual(['broken.md: agentswarm_agent_helth_score: not in the metric catalogue']);
  });
});
