// docker-compose stack and image: valid offline, wired to the pack read-only, secrets shared by path, non-root image with a healthcheck.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse-config.js';
import { findBinary } from '../support/promtool.js';
import { ALERTMANAGER_CONFIG, REPO } from './support/pack.js';

const dockerCompose = findBinary('docker-compose');

interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string[];
  command?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
}

const compose = parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

describe.skipIf(dockerCompose === undefined)('docker-compose', () => {
  it('accepts docker-compose.yml offline (docker-compose config -q)', () => {
    const result = spawnSync(dockerCompose ?? 'docker-compose', ['-f', join(REPO, 'docker-compose.yml'), 'config', '-q'], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: REPO,
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('docker-compose.yml', () => {
  it('runs the exporter, the simulator, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['agentswarm-exporter', 'alertmanager', 'grafana', 'prometheus', 'secrets', 'simulator']);
  });

  it('pins every third-party image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it.each([
    ['prometheus', './prometheus:/etc/agentswarm/prometheus:ro'],
    ['prometheus', './alerts:/etc/agentswarm/alerts:ro'],
    ['alertmanager', './alerts:/etc/agentswarm/alerts:ro'],
    ['grafana', './grafana/provisioning:/etc/grafana/provisioning:ro'],
    ['grafana', './grafana/dashboards:/var/lib/grafana/dashboards/agentswarm:ro'],
  ])('mounts the pack into %s read-only: %s', (service, volume) => {
    expect(services[service]?.volumes).toContain(volume);
  });

  it('mounts every repository directory read-only', () => {
    const writable = Object.entries(services).flatMap(([name, s]) =>
      (s.volumes ?? []).filter((v) => v.startsWith('./') && !v.endsWith(':ro')).map((v) => `${name}: ${v}`),
    );
    expect(writable).toEqual([]);
  });

  it('points Prometheus at the config whose relative rule paths match the mounts', () => {
    expect(services.prometheus?.command).toContain('--config.file=/etc/agentswarm/prometheus/prometheus.yml');
    const config = readFileSync(join(REPO, 'prometheus/prometheus.yml'), 'utf8');
    expect(config).toContain('- ../alerts/*.rules.yml');
    expect(config).toContain("targets: ['agentswarm-exporter:10464']");
    expect(config).toContain("targets: ['alertmanager:9093']");
  });

  it('starts the simulator against the exporter with 20 agents and the day scenario, receiving the coordination webhooks', () => {
    const sim = services.simulator;
    expect(sim?.entrypoint).toEqual(['node', 'dist/src/bin/sim.js']);
    expect(sim?.command?.slice(0, 6)).toEqual(['--target', 'http://agentswarm-exporter:10464', '--agents', '20', '--scenario', 'day']);
    const exporterConfig = parseConfigText(readFileSync(join(REPO, 'alerts/compose/agentswarm-exporter.yml'), 'utf8'));
    const action = exporterConfig.coordination.actions.default;
    expect(action?.url).toBe(`http://simulator:${sim?.command?.[7]}/coordination`);
    expect(sim?.command?.slice(6)).toEqual(['--receiver-port', sim?.command?.[7], '--receiver-secret-file', action?.secret_file]);
    expect(sim?.volumes).toContain('secrets:/etc/agentswarm/secrets:ro');
  });

  it('shares the webhook token file between Alertmanager and the exporter, at the same path', () => {
    const am = parseYaml(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as {
      receivers: { webhook_configs?: { http_config?: { authorization?: { credentials_file?: string } } }[] }[];
    };
    const credentials = am.receivers.flatMap((r) => r.webhook_configs ?? []).map((w) => w.http_config?.authorization?.credentials_file);
    const exporterConfig = parseConfigText(
      readFileSync(join(REPO, 'alerts/compose/agentswarm-exporter.yml'), 'utf8'),
      'alerts/compose/agentswarm-exporter.yml',
    );
    expect(credentials).toEqual([exporterConfig.web.auth.webhook_token_file]);
    for (const name of ['agentswarm-exporter', 'alertmanager']) {
      expect(services[name]?.volumes, name).toContain('secrets:/etc/agentswarm/secrets:ro');
      expect(services[name]?.depends_on, name).toMatchObject({ secrets: { condition: 'service_completed_successfully' } });
    }
    expect(exporterConfig.web.auth.webhook_token_file?.startsWith('/etc/agentswarm/secrets/')).toBe(true);
  });

  it("gives every service a healthcheck on a port it serves, or none (the image's exporter check is not inherited)", () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const imageCheck = /HEALTHCHECK[\s\S]*?127\.0\.0\.1:(\d+)/.exec(dockerfile)?.[1];
    expect(imageCheck).toBe('10464');
    const exporterConfig = parseConfigText(readFileSync(join(REPO, 'alerts/compose/agentswarm-exporter.yml'), 'utf8'));
    // The port each service listens on inside its container.
    const serves: Record<string, string | undefined> = {
      'agentswarm-exporter': exporterConfig.web.listen_address.split(':').pop(),
      simulator: services.simulator?.command?.[services.simulator.command.indexOf('--receiver-port') + 1],
      prometheus: '9090',
      alertmanager: '9093',
      grafana: '3000',
      secrets: undefined,
    };
    for (const [name, service] of Object.entries(services)) {
      const built = service.build !== undefined;
      const check = service.healthcheck;
      if (check?.disable === true) {
        expect(serves[name], `${name} serves a port but has no healthcheck`).toBeUndefined();
        continue;
      }
      // Services built from the Dockerfile inherit its check unless they declare their own.
      const target = check?.test !== undefined ? /127\.0\.0\.1:(\d+)/.exec(check.test.join(' '))?.[1] : built ? imageCheck : undefined;
      if (target === undefined) {
        expect(built, `${name}: no healthcheck is fine for a third-party image`).toBe(false);
        continue;
      }
      expect(target, name).toBe(serves[name]);
    }
    expect(services.secrets?.healthcheck?.disable).toBe(true);
    expect(services.simulator?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${serves.simulator ?? '?'}/-/healthy`);
  });

  it('gives the exporter a configuration the exporter itself accepts', () => {
    const text = readFileSync(join(REPO, 'alerts/compose/agentswarm-exporter.yml'), 'utf8');
    const config = parseConfigText(text, 'alerts/compose/agentswarm-exporter.yml');
    expect(config.web.listen_address).toBe(':10464');
    expect(services['agentswarm-exporter']?.command).toContain('--config.file=/etc/agentswarm/exporter.yml');
    expect(services['agentswarm-exporter']?.volumes).toContain('./alerts/compose/agentswarm-exporter.yml:/etc/agentswarm/exporter.yml:ro');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs from another', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(lastStage).toMatch(/COPY --from=build/);
    expect(lastStage).not.toMatch(/npm (ci|install)/);
  });

  it('runs as a non-root user', () => {
    const user = [...lastStage.matchAll(/^USER (\S+)/gm)].pop()?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('checks health with node fetch of /-/healthy', () => {
    expect(lastStage).toMatch(/^HEALTHCHECK .*\n?.*node.*fetch\('http:\/\/127\.0\.0\.1:10464\/-\/healthy'/m);
  });

  it('starts the exporter binary the package declares', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(lastStage).toContain(`ENTRYPOINT ["node", "${pkg.bin['agentswarm-exporter']}"]`);
    expect(services.simulator?.entrypoint).toEqual(['node', pkg.bin['agentswarm-sim']]);
  });

  it('keeps the build context to what the build needs', () => {
    const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
    expect(
      ignore
        .split('\n')
        .filter((l) => l.startsWith('!'))
        .sort(),
    ).toEqual(['!package-lock.json', '!package.json', '!src/', '!tsconfig.build.json', '!tsconfig.json']);
  });
});
