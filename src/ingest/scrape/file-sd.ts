// Prometheus file_sd files (JSON or YAML target groups) parsed into scrape targets; pure.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ScrapeTarget, resolveTarget } from './scrape-target.js';

/** One target group, as Prometheus' file_sd documents it. */
const groupSchema = z.object({
  targets: z.array(z.string().min(1)),
  labels: z.record(z.string(), z.string()).optional(),
});
const fileSchema = z.array(groupSchema);

export type FileSdParse =
  { readonly ok: true; readonly targets: readonly ScrapeTarget[] } | { readonly ok: false; readonly reason: string };

/**
 * Parses a file_sd file's text. The format follows the extension like Prometheus (`.json`, or
 * `.yml`/`.yaml`). Labels understood: `swarm`, `agent`, `agent_label`, `type`, and Prometheus'
 * `__scheme__` (default http), `__metrics_path__` (default /metrics) and `__param_<name>` (query
 * parameters). Each `targets` entry is `host:port`. Other labels are ignored.
 */
export function parseFileSd(text: string, path: string): FileSdParse {
  let raw: unknown;
  try {
    if (/\.json$/i.test(path)) raw = JSON.parse(text);
    else if (/\.ya?ml$/i.test(path)) raw = parseYaml(text);
    else return { ok: false, reason: `${path}: expected a .json, .yml or .yaml file` };
  } catch (error) {
    return { ok: false, reason: `${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message}` };
  }
  // An empty YAML file is an empty list of groups, as in Prometheus.
  const parsed = fileSchema.safeParse(raw ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${path}: ${issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : 'invalid'}` };
  }
  const targets: ScrapeTarget[] = [];
  for (const [g, group] of parsed.data.entries()) {
    const labels = group.labels ?? {};
    const scheme = labels['__scheme__'] ?? 'http';
    if (scheme !== 'http' && scheme !== 'https')
      return { ok: false, reason: `${path}: ${g}.labels.__scheme__: expected http or https, got ${JSON.stringify(scheme)}` };
    const metricsPath = labels['__metrics_path__'] ?? '/metrics';
    for (const [t, address] of group.targets.entries()) {
      const bad = { ok: false, reason: `${path}: ${g}.targets.${t}: expected host:port, got ${JSON.stringify(address)}` } as const;
      // A target is an address only: a scheme, path, user info or query belongs in the labels.
      if (/[/@?#\s\\]/.test(address)) return bad;
      let url: URL;
      try {
        url = new URL(`${scheme}://${address}${metricsPath.startsWith('/') ? '' : '/'}${metricsPath}`);
      } catch {
        return bad;
      }
      for (const [name, value] of Object.entries(labels)) {
        if (name.startsWith('__param_')) url.searchParams.set(name.slice('__param_'.length), value);
      }
      targets.push(
        resolveTarget(
          url,
          { swarm: labels['swarm'], agent: labels['agent'], agent_label: labels['agent_label'], type: labels['type'] },
          path,
        ),
      );
    }
  }
  return { ok: true, targets };
}
