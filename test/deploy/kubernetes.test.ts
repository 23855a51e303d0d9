// deploy/kubernetes rendered by the real `kubectl kustomize`: every object validates (committed schema subsets and kubernetes-models' full schemas), the generated rules and dashboards equal their sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BASE_DIR, OVERLAY_DIR, generatedFiles, parseMatcher } from '../../deploy/kubernetes/render-manifests.js';
import { findBinary } from '../support/promtool.js';
import { alertRules, allRuleFiles, dashboardFiles, readYaml, REPO, ALERTMANAGER_CONFIG } from '../rules-pack/support/pack.js';
import { LABEL_KEY_PATTERN, SCHEMAS } from './support/k8s-schemas.js';
import { validate } from './support/schema-subset.js';

const kubectl = findBinary('kubectl');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function render(dir: string): K8sObject[] {
  const result = spawnSync(kubectl ?? 'kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  expect(result.status, result.stderr).toBe(0);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as K8sObject);
}

function validateObject(o: K8sObject): string[] {
  const schema = SCHEMAS[`${o.apiVersion}/${o.kind}`];
  if (!schema) return [`${o.apiVersion}/${o.kind}: no schema (an unexpected kind)`];
  const errors = validate(o, schema, `${o.kind}/${o.metadata.name}`);
  const labelMaps = [
    o.metadata.labels ?? {},
    ...(o.kind === 'Deployment' ? [(o.spec as unknown as DeploymentSpec).template.metadata.labels] : []),
  ];
  for (const map of labelMaps)
    for (const key of Object.keys(map)) if (!LABEL_KEY_PATTERN.test(key)) errors.push(`${o.kind}/${o.metadata.name}: bad label key ${key}`);
  // A ConfigMap (as every object) must stay under etcd's 1 MiB.
  if (Buffer.byteLength(JSON.stringify(o)) > 1024 * 1024) errors.push(`${o.kind}/${o.metadata.name}: larger than 1 MiB`);
  return errors;
}

/**
 * The kubernetes-models class of an object (the OpenAPI schemas of Kubernetes and of the
 * prometheus-operator CRDs, checked with ajv): types, required fields, formats and enums. They allow
 * unknown fields, which the committed subsets above refuse; the two checks complement each other.
 */
async function fullSchemaModel(o: K8sObject): Promise<{ validate(): void } | undefined> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const path =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${o.kind}`
      : `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${o.kind}`;
  const module = (await import(path).catch(() => undefined)) as Record<string, new (data: unknown) => { validate(): void }> | undefined;
  const Model = module?.[o.kind];
  return Model === undefined ? undefined : new Model(o);
}

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string };
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: { securityContext: { runAsNonRoot?: boolean; runAsUser?: number }; containers: Container[]; volumes: Volume[] };
  };
}

function one(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}

function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`unexpected quantity ${quantity}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** Peak RSS figures of docs/performance.md: the memory bench at 1,000 agents, the cycle bench at 5,000. */
function benchPeaks(): { thousand: number; fiveThousand: number } {
  const doc = readFileSync(join(REPO, 'docs/performance.md'), 'utf8');
  const thousand = /exporter, analysis cycles running[^|]*\|[^|]*\|\s*\d+–(\d+) MiB/.exec(doc);
  const fiveThousand = [...doc.matchAll(/^\| 5,000 \|[^\n]*?\| (\d+) MiB \|/gm)].map((m) => Number(m[1]));
  if (!thousand || fiveThousand.length === 0) throw new Error('docs/performance.md: peak RSS rows not found');
  return { thousand: Number(thousand[1]), fiveThousand: Math.max(...fiveThousand) };
}

describe('generated manifests', () => {
  it('commits exactly what the generator renders from the rule files, dashboards and Alertmanager config (npm run generate:k8s)', () => {
    for (const { path, text } of generatedFiles()) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });

  it("translates Alertmanager matchers into the operator's matcher objects", () => {
    expect(parseMatcher('coordination_type=~".+"')).toEqual({ name: 'coordination_type', matchType: '=~', value: '.+' });
    expect(parseMatcher('severity="critical"')).toEqual({ name: 'severity', matchType: '=', value: 'critical' });
    expect(parseMatcher('alertname!=Foo')).toEqual({ name: 'alertname', matchType: '!=', value: 'Foo' });
    expect(() => parseMatcher('not a matcher')).toThrow(/unsupported matcher/);
  });
});

describe('schema subset validator', () => {
  const deployment = SCHEMAS['apps/v1/Deployment']!;
  const good = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'i', securityContext: { readOnlyRootFilesystem: true } }] },
      },
    },
  };

  it('accepts a minimal Deployment and rejects a misspelt field, a wrong type and a missing required field', () => {
    expect(validate(good, deployment)).toEqual([]);
    const misspelt = structuredClone(good);
    (misspelt.spec.template.spec.containers[0]!.securityContext as Record<string, unknown>) = { readOnlyRootFileSystem: true };
    expect(validate(misspelt, deployment).join()).toMatch(/unknown field readOnlyRootFileSystem/);
    const wrongType = structuredClone(good) as unknown as { spec: { replicas: unknown } };
    wrongType.spec.replicas = '1';
    expect(validate(wrongType, deployment).join()).toMatch(/replicas: expected integer, got string/);
    const noContainers = structuredClone(good) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    delete noContainers.spec.template.spec.containers;
    expect(validate(noContainers, deployment).join()).toMatch(/missing required field containers/);
  });

  it('rejects a duration Prometheus would not parse and an upper-case name', () => {
    const sm = SCHEMAS['monitoring.coreos.com/v1/ServiceMonitor']!;
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'Bad' },
      spec: { selector: {}, endpoints: [{ port: 'http', interval: '15 seconds' }] },
    };
    const errors = validate(monitor, sm).join('\n');
    expect(errors).toMatch(/metadata\.name: "Bad" does not match/);
    expect(errors).toMatch(/interval: "15 seconds" does not match/);
  });
});

describe.skipIf(kubectl === undefined)('kubectl kustomize deploy/kubernetes', () => {
  const base = kubectl ? render(BASE_DIR) : [];
  const overlay = kubectl ? render(OVERLAY_DIR) : [];

  it.each([
    ['base', base],
    ['overlay', overlay],
  ] as const)('renders the %s into objects that all validate against their schemas', (_name, objects) => {
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  it.each([
    ['base', base],
    ['overlay', overlay],
  ] as const)(
    'renders the %s into objects that validate against the full Kubernetes and prometheus-operator schemas (kubernetes-models)',
    async (_name, objects) => {
      const errors: string[] = [];
      for (const o of objects) {
        const model = await fullSchemaModel(o);
        if (model === undefined) errors.push(`${o.apiVersion}/${o.kind}: no model`);
        else {
          try {
            model.validate();
          } catch (error) {
            errors.push(`${o.kind}/${o.metadata.name}: ${(error as Error).message}`);
          }
        }
      }
      expect(errors).toEqual([]);
    },
  );

  it('refuses, with kubernetes-models, a Deployment whose replicas is a string and a ServiceMonitor without endpoints', async () => {
    const deployment = one(base, 'Deployment');
    const broken = await fullSchemaModel({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } });
    expect(() => broken?.validate()).toThrow(/replicas/);
    const monitor = one(base, 'ServiceMonitor');
    const { endpoints: _dropped, ...rest } = monitor.spec ?? {};
    const noEndpoints = await fullSchemaModel({ ...monitor, spec: rest });
    expect(() => noEndpoints?.validate()).toThrow(/endpoints/);
  });

  it('renders the expected kinds and references Secrets without embedding one', () => {
    expect(new Set(base.map((o) => o.kind))).toEqual(new Set(['ConfigMap', 'Service', 'Deployment', 'ServiceMonitor', 'PrometheusRule']));
    expect(new Set(overlay.map((o) => o.kind))).toEqual(
      new Set([
        'Namespace',
        'ConfigMap',
        'Service',
        'Deployment',
        'ServiceMonitor',
        'PrometheusRule',
        'AlertmanagerConfig',
        'PersistentVolumeClaim',
      ]),
    );
    const deployment = one(overlay, 'Deployment').spec as unknown as DeploymentSpec;
    const secretVolume = deployment.template.spec.volumes.find((v) => v.secret);
    const amc = one(overlay, 'AlertmanagerConfig').spec as {
      receivers: { webhookConfigs: { httpConfig: { authorization: { credentials: unknown } } }[] }[];
    };
    expect(secretVolume?.secret?.secretName).toBe('agentswarm-exporter-tokens');
    expect(amc.receivers[0]?.webhookConfigs[0]?.httpConfig.authorization.credentials).toEqual({
      name: 'agentswarm-exporter-tokens',
      key: 'webhook-token',
    });
    // The exporter's config file names the files the Secret's keys become.
    const config = base.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('agentswarm-exporter-config'));
    const configText = Object.values(config?.data ?? {}).join('');
    for (const key of ['ingest-token', 'webhook-token', 'api-token']) expect(configText).toContain(`/etc/agentswarm/secrets/${key}`);
  });

  it('runs the exporter non-root on a read-only root filesystem, probed on /-/healthy and /-/ready, wired to what it mounts', () => {
    for (const objects of [base, overlay]) {
      const spec = one(objects, 'Deployment').spec as unknown as DeploymentSpec;
      const pod = spec.template.spec;
      const [container] = pod.containers;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container?.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container?.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http' });
      expect(container?.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http' });
      expect(container?.ports.map((p) => p.name)).toContain('http');
      // Every mount has a volume, and the config volume names the (hash-suffixed) generated ConfigMap.
      const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
      for (const mount of container?.volumeMounts ?? []) expect(volumes.has(mount.name), mount.name).toBe(true);
      const configMaps = new Set(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
      for (const v of pod.volumes) if (v.configMap) expect(configMaps.has(v.configMap.name), v.configMap.name).toBe(true);
      const configArg = container?.args.find((a) => a.startsWith('--config.file='));
      const configMount = container?.volumeMounts.find((m) => m.name === 'config');
      expect(configArg?.startsWith(`--config.file=${configMount?.mountPath}/`)).toBe(true);
      // Writable paths are volumes: the store's directory.
      expect(container?.volumeMounts.find((m) => m.mountPath === '/var/lib/agentswarm')?.readOnly).not.toBe(true);
      // The Service selects the pod, on the port the ServiceMonitor scrapes.
      const service = one(objects, 'Service').spec as { selector: Record<string, string>; ports: { name: string }[] };
      expect(spec.template.metadata.labels).toMatchObject(service.selector);
      expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
      const monitor = one(objects, 'ServiceMonitor').spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string }[];
      };
      expect(one(objects, 'Service').metadata.labels).toMatchObject(monitor.selector.matchLabels);
      expect(service.ports.map((p) => p.name)).toContain(monitor.endpoints[0]?.port);
      expect(monitor.endpoints[0]?.path).toBe('/metrics');
    }
  });

  it('sizes memory from the bench figures in docs/performance.md', () => {
    const peaks = benchPeaks();
    const baseResources = (one(base, 'Deployment').spec as unknown as DeploymentSpec).template.spec.containers[0]!.resources;
    const overlayResources = (one(overlay, 'Deployment').spec as unknown as DeploymentSpec).template.spec.containers[0]!.resources;
    // Base: 1,000 agents' peak fits the request; overlay: 5,000 agents' peak does.
    expect(mebibytes(baseResources.requests.memory!)).toBeGreaterThanOrEqual(peaks.thousand);
    expect(mebibytes(overlayResources.requests.memory!)).toBeGreaterThanOrEqual(peaks.fiveThousand);
    for (const r of [baseResources, overlayResources]) expect(mebibytes(r.limits.memory!)).toBeGreaterThan(mebibytes(r.requests.memory!));
  });

  it('ships a PrometheusRule equal to the rule files, whose exporter job is the Service the operator names it after', () => {
    const rendered = one(base, 'PrometheusRule').spec as { groups: unknown[] };
    const fromFiles = allRuleFiles()
      .slice()
      .sort((a, b) => Number(a.path.includes('/alerts/')) - Number(b.path.includes('/alerts/')) || a.path.localeCompare(b.path))
      .flatMap((f) => f.groups);
    expect(rendered.groups).toEqual(fromFiles);
    expect(alertRules().length).toBeGreaterThan(0);
    // The operator sets job = the Service's name unless jobLabel says otherwise.
    const down = alertRules().find((r) => r.alert === 'AgentSwarmExporterDown');
    expect(down?.expr).toContain(`job="${one(base, 'Service').metadata.name}"`);
    expect((one(base, 'ServiceMonitor').spec as { jobLabel?: string }).jobLabel).toBeUndefined();
  });

  it('passes promtool check rules on the PrometheusRule it renders', () => {
    const promtool = findBinary('promtool');
    if (!promtool) return;
    const dir = mkdtempSync(join(tmpdir(), 'agentswarm-k8s-'));
    try {
      const path = join(dir, 'prometheusrule-spec.rules.yml');
      writeFileSync(path, JSON.stringify(one(overlay, 'PrometheusRule').spec));
      const result = spawnSync(promtool, ['check', 'rules', path], { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships one sidecar-labelled ConfigMap per dashboard, holding the committed JSON', () => {
    const maps = base.filter((o) => o.metadata.labels?.grafana_dashboard === '1');
    const dashboards = dashboardFiles();
    expect(maps).toHaveLength(dashboards.length);
    for (const { file, text } of dashboards) {
      const map = maps.find((m) => m.data?.[file] !== undefined);
      expect(map?.data?.[file], file).toBe(text);
    }
  });

  it('routes acting alerts to the exporter like alerts/alertmanager.yml does', () => {
    const source = readYaml<{
      route: {
        routes: {
          receiver: string;
          matchers: string[];
          group_by: string[];
          group_wait: string;
          group_interval: string;
          repeat_interval: string;
        }[];
      };
      inhibit_rules: unknown[];
    }>(ALERTMANAGER_CONFIG);
    const route = source.route.routes.find((r) => r.receiver === 'agentswarm-exporter')!;
    const amc = one(overlay, 'AlertmanagerConfig').spec as {
      route: Record<string, unknown>;
      receivers: { webhookConfigs: { url: string }[] }[];
      inhibitRules: unknown[];
    };
    expect(amc.route).toMatchObject({
      receiver: 'agentswarm-exporter',
      groupBy: route.group_by,
      groupWait: route.group_wait,
      groupInterval: route.group_interval,
      repeatInterval: route.repeat_interval,
    });
    expect(amc.route.matchers).toEqual([{ name: 'coordination_type', matchType: '=~', value: '.+' }]);
    expect(amc.inhibitRules).toHaveLength(source.inhibit_rules.length);
    // The webhook URL names the Service in the overlay's namespace, on the exporter's webhook route.
    const ns = one(overlay, 'Service').metadata.namespace;
    expect(amc.receivers[0]?.webhookConfigs[0]?.url).toBe(`http://${one(overlay, 'Service').metadata.name}.${ns}.svc:10464/api/v1/alerts`);
  });

  it('labels what the Prometheus and Alertmanager CRs select with the release label (the kube-prometheus-stack pitfall)', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule'])
      expect(one(base, kind).metadata.labels?.release, kind).toBe('kube-prometheus-stack');
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'AlertmanagerConfig'])
      expect(one(overlay, kind).metadata.labels?.release, kind).toBe('monitoring');
    for (const o of overlay) if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('agentswarm');
  });
});
