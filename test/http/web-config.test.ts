// --web.config.file against a real HTTPS client: TLS with an openssl-made certificate, basic auth with crypt(3) bcrypt hashes, headers, changes without restart.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/parse-config.js';
import { parseWebConfig } from '../../src/http/web-config/web-config.js';
import { findBinary } from '../support/promtool.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

const openssl = findBinary('openssl');
const vectors = JSON.parse(readFileSync(new URL('../fixtures/bcrypt/vectors.json', import.meta.url), 'utf8')) as {
  password: string;
  hash: string;
}[];
const alice = vectors.find((v) => v.password === 'correct horse battery staple' && v.hash.startsWith('$2y$'))!;
const bob = vectors.find((v) => v.password === 'pässwörd-ünïcode-日本語' && v.hash.startsWith('$2b$'))!;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

interface ClientOptions {
  ca: Buffer;
  auth?: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  cert?: Buffer;
  key?: Buffer;
}

/** One HTTPS GET that verifies the server's certificate against `ca` (no rejectUnauthorized: false). */
function get(url: string, path: string, options: ClientOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        ca: options.ca,
        servername: 'localhost',
        agent: false,
        ...(options.maxVersion && { maxVersion: options.maxVersion }),
        ...(options.cert && { cert: options.cert, key: options.key }),
        headers: options.auth ? { authorization: options.auth } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), fingerprint }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe('web config file parsing', () => {
  const problems = (text: string): string[] => {
    try {
      parseWebConfig(text, 'web.yml');
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    return [];
  };

  it('accepts the exporter-toolkit keys it honours and defaults TLS to 1.2..1.3', () => {
    const config = parseWebConfig(
      stringify({
        tls_server_config: { cert_file: 'c', key_file: 'k' },
        basic_auth_users: { alice: alice.hash },
        http_server_config: { http2: true, headers: { 'X-Frame-Options': 'deny', 'Content-Security-Policy': '' } },
      }),
      'web.yml',
    );
    expect(config.tls_server_config).toMatchObject({ min_version: 'TLS12', max_version: 'TLS13', client_auth_type: 'NoClientCert' });
    // An empty header value means unset.
    expect(config.http_server_config.headers).toEqual({ 'X-Frame-Options': 'deny' });
    expect(parseWebConfig('', 'web.yml').basic_auth_users).toEqual({});
  });

  it.each([
    ['an unknown key', { tls_server_config: { cert_file: 'c', key_file: 'k', certfile: 'x' } }, /tls_server_config\.certfile: unknown key/],
    [
      'a header outside the allowed set',
      { http_server_config: { headers: { 'X-Powered-By': 'me' } } },
      /headers\.X-Powered-By: not an allowed header/,
    ],
    [
      'a restricted header value',
      { http_server_config: { headers: { 'X-Frame-Options': 'allow' } } },
      /X-Frame-Options: value "allow" does not match/,
    ],
    ['a password instead of a hash', { basic_auth_users: { alice: 'hunter2' } }, /basic_auth_users\.alice: expected a bcrypt hash/],
    [
      'Go cipher-suite names',
      { tls_server_config: { cert_file: 'c', key_file: 'k', cipher_suites: ['TLS_AES_128_GCM_SHA256'] } },
      /cipher_suites: not supported by this exporter/,
    ],
    [
      'min_version above max_version',
      { tls_server_config: { cert_file: 'c', key_file: 'k', min_version: 'TLS13', max_version: 'TLS12' } },
      /min_version: TLS13 is above max_version TLS12/,
    ],
    [
      'client verification without a CA',
      { tls_server_config: { cert_file: 'c', key_file: 'k', client_auth_type: 'RequireAndVerifyClientCert' } },
      /client_ca_file: required when client_auth_type is RequireAndVerifyClientCert/,
    ],
    [
      'an unknown TLS version',
      { tls_server_config: { cert_file: 'c', key_file: 'k', min_version: 'TLS14' } },
      /min_version: expected one of/,
    ],
  ])('refuses %s, naming the key', (_name, doc, pattern) => {
    expect(problems(stringify(doc)).join('\n')).toMatch(pattern);
  });
});

describe.skipIf(openssl === undefined)('exporter behind --web.config.file', () => {
  let dir = '';
  let exporter: TestExporter | undefined;
  let ca: Buffer;
  const webConfig = (doc: unknown): void => writeAtomically(join(dir, 'web.yml'), stringify(doc));
  const makeCert = (name: string, cn: string, signer?: string): void => {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.crt`);
    execFileSync(openssl ?? 'openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    if (signer === undefined) {
      execFileSync(openssl ?? 'openssl', [
        'req',
        '-x509',
        '-new',
        '-key',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ]);
    } else {
      const csr = join(dir, `${name}.csr`);
      execFileSync(openssl ?? 'openssl', ['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${cn}`]);
      execFileSync(openssl ?? 'openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        join(dir, `${signer}.crt`),
        '-CAkey',
        join(dir, `${signer}.key`),
        '-CAcreateserial',
        '-out',
        cert,
        '-days',
        '1',
      ]);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentswarm-webcfg-'));
    makeCert('server', 'localhost');
    makeCert('client-ca', 'agentswarm test client CA');
    makeCert('client', 'scraper', 'client-ca');
    makeCert('rogue-ca', 'rogue CA');
    makeCert('rogue', 'scraper', 'rogue-ca');
    ca = readFileSync(join(dir, 'server.crt'));
    writeFileSync(join(dir, 'api.token'), 'api-secret-token\n');
    webConfig({
      tls_server_config: { cert_file: join(dir, 'server.crt'), key_file: join(dir, 'server.key'), min_version: 'TLS13' },
      basic_auth_users: { alice: alice.hash },
      http_server_config: { headers: { 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=31536000' } },
    });
    exporter = await startTestExporter({ web: { config_file: join(dir, 'web.yml'), auth: { api_token_file: join(dir, 'api.token') } } });
  });

  afterAll(async () => {
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate, verified by the client against it', async () => {
    expect(exporter!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await get(exporter!.url, '/metrics', { ca, auth: basic('alice', alice.password) });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('# TYPE');
    expect(reply.fingerprint).toBe(new X509Certificate(ca).fingerprint256);
  });

  it('refuses a TLS 1.2 client when min_version is TLS13', async () => {
    await expect(get(exporter!.url, '/metrics', { ca, maxVersion: 'TLSv1.2', auth: basic('alice', alice.password) })).rejects.toThrow(
      /version|protocol|alert/i,
    );
  });

  it('answers 401 with a Basic challenge to no credentials, a wrong password and an unknown user', async () => {
    for (const auth of [
      undefined,
      basic('alice', 'wrong password'),
      basic('alice', `${alice.password} `),
      basic('mallory', alice.password),
    ]) {
      const reply = await get(exporter!.url, '/metrics', { ca, ...(auth && { auth }) });
      expect(reply.status, auth).toBe(401);
      expect(reply.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(JSON.parse(reply.body)).toMatchObject({ error: expect.stringMatching(/basic_auth_users/) });
    }
  });

  it('sets the configured response headers, on refusals too', async () => {
    for (const auth of [basic('alice', alice.password), undefined]) {
      const reply = await get(exporter!.url, '/metrics', { ca, ...(auth && { auth }) });
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
    }
  });

  it('keeps the probes open and lets a configured bearer token through to its route, but not an unknown one', async () => {
    expect((await get(exporter!.url, '/-/healthy', { ca })).status).toBe(200);
    expect((await get(exporter!.url, '/api/v1/coordination/tasks?limit=1', { ca, auth: 'Bearer api-secret-token' })).status).toBe(200);
    expect((await get(exporter!.url, '/metrics', { ca, auth: 'Bearer not-a-configured-token' })).status).toBe(401);
    // Basic auth passes the gate, but the API still wants its bearer token.
    expect((await get(exporter!.url, '/api/v1/coordination/tasks?limit=1', { ca, auth: basic('alice', alice.password) })).status).toBe(401);
  });

  it('applies a changed web config without a restart: new user in, old password out, headers changed', async () => {
    webConfig({
      tls_server_config: { cert_file: join(dir, 'server.crt'), key_file: join(dir, 'server.key'), min_version: 'TLS13' },
      basic_auth_users: { bob: bob.hash },
      http_server_config: { headers: { 'X-Frame-Options': 'deny' } },
    });
    const took = await eventually(
      async () => (await get(exporter!.url, '/metrics', { ca, auth: basic('bob', bob.password) })).status === 200,
    );
    expect(took).toBeLessThan(2000);
    const old = await get(exporter!.url, '/metrics', { ca, auth: basic('alice', alice.password) });
    expect(old.status).toBe(401);
    expect(old.headers['x-frame-options']).toBe('deny');
    expect(old.headers['x-content-type-options']).toBeUndefined();
  });

  it('keeps the last good config when the file turns invalid, and says so in the log', async () => {
    writeAtomically(join(dir, 'web.yml'), 'basic_auth_users: { bob: not-a-hash }\n');
    await eventually(() => exporter!.logs.some((l) => l.includes('keeping the previous web config')));
    expect((await get(exporter!.url, '/metrics', { ca, auth: basic('bob', bob.password) })).status).toBe(200);
    expect((await get(exporter!.url, '/metrics', { ca })).status).toBe(401);
  });

  it('serves a replaced certificate on the next handshake', async () => {
    makeCert('server2', 'localhost');
    const ca2 = readFileSync(join(dir, 'server2.crt'));
    webConfig({
      tls_server_config: { cert_file: join(dir, 'server2.crt'), key_file: join(dir, 'server2.key') },
      basic_auth_users: { bob: bob.hash },
    });
    await eventually(async () => {
      try {
        return (await get(exporter!.url, '/metrics', { ca: ca2, auth: basic('bob', bob.password) })).status === 200;
      } catch {
        return false;
      }
    });
    // The old certificate is no longer presented.
    await expect(get(exporter!.url, '/metrics', { ca, auth: basic('bob', bob.password) })).rejects.toThrow(/self[- ]signed|certificate/i);
    ca = ca2;
  });

  it('with RequireAndVerifyClientCert, serves a client whose certificate the client CA signed and refuses others', async () => {
    // requestCert is fixed when the server starts: a separate exporter with the policy from the start.
    const file = join(dir, 'web-mtls.yml');
    writeFileSync(
      file,
      stringify({
        tls_server_config: {
          cert_file: join(dir, 'server.crt'),
          key_file: join(dir, 'server.key'),
          client_auth_type: 'RequireAndVerifyClientCert',
          client_ca_file: join(dir, 'client-ca.crt'),
        },
      }),
    );
    const mtls = await startTestExporter({ web: { config_file: file } });
    const serverCa = readFileSync(join(dir, 'server.crt'));
    try {
      const signed = await get(mtls.url, '/metrics', {
        ca: serverCa,
        cert: readFileSync(join(dir, 'client.crt')),
        key: readFileSync(join(dir, 'client.key')),
      });
      expect(signed.status).toBe(200);
      const none = await get(mtls.url, '/metrics', { ca: serverCa });
      expect(none.status).toBe(403);
      const rogue = await get(mtls.url, '/metrics', {
        ca: serverCa,
        cert: readFileSync(join(dir, 'rogue.crt')),
        key: readFileSync(join(dir, 'rogue.key')),
      });
      expect(rogue.status).toBe(403);
      expect(JSON.parse(rogue.body)).toMatchObject({ error: expect.stringMatching(/client_auth_type RequireAndVerifyClientCert/) });
    } finally {
      await mtls.stop();
    }
  });
});
