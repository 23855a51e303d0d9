// The exporter-toolkit web configuration file (--web.config.file): TLS, basic-auth users with bcrypt hashes, response headers.
// Format: prometheus/exporter-toolkit docs/web-configuration.md. Keys this exporter cannot honour
// (Go cipher-suite and curve names, rate_limit, client_allowed_sans) are refused by name rather
// than ignored, so a file written for a Go exporter never silently loses a security setting.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatIssue } from '../../config/parse-config.js';
import { parseBcrypt } from './bcrypt.js';

export const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** The headers exporter-toolkit allows, with the values it accepts where it restricts them. */
const HEADER_RULES: Readonly<Record<string, RegExp | undefined>> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': /^(deny|sameorigin)$/i,
  'X-Content-Type-Options': /^nosniff$/i,
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

const unsupported = (why: string) =>
  z
    .unknown()
    .refine(() => false, { message: `not supported by this exporter: ${why}` })
    .optional();

const tlsSchema = z
  .object({
    cert_file: z.string().min(1),
    key_file: z.string().min(1),
    client_ca_file: z.string().min(1).optional(),
    client_auth_type: z.enum(CLIENT_AUTH_TYPES).default('NoClientCert'),
    min_version: z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]).default('TLS12'),
    max_version: z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]).default('TLS13'),
    cert: unsupported('inline PEM; use cert_file'),
    key: unsupported('inline PEM; use key_file'),
    client_ca: unsupported('inline PEM; use client_ca_file'),
    client_allowed_sans: unsupported('SAN allow-lists'),
    cipher_suites: unsupported('Go cipher-suite names (Node uses OpenSSL defaults)'),
    curve_preferences: unsupported('Go curve names (Node uses OpenSSL defaults)'),
    prefer_server_cipher_suites: z.boolean().optional(),
  })
  .strict()
  .superRefine((tls, ctx) => {
    const order = Object.keys(TLS_VERSIONS);
    if (order.indexOf(tls.min_version) > order.indexOf(tls.max_version))
      ctx.addIssue({ code: 'custom', path: ['min_version'], message: `${tls.min_version} is above max_version ${tls.max_version}` });
    const verifies = tls.client_auth_type === 'VerifyClientCertIfGiven' || tls.client_auth_type === 'RequireAndVerifyClientCert';
    if (verifies && tls.client_ca_file === undefined)
      ctx.addIssue({ code: 'custom', path: ['client_ca_file'], message: `required when client_auth_type is ${tls.client_auth_type}` });
  });

const webConfigSchema = z
  .object({
    tls_server_config: tlsSchema.optional(),
    http_server_config: z
      .object({
        // Node's server here speaks HTTP/1.1; accepted for compatibility, HTTP/2 is not offered.
        http2: z.boolean().optional(),
        headers: z
          .record(z.string(), z.string())
          .superRefine((headers, ctx) => {
            for (const [name, value] of Object.entries(headers)) {
              if (!(name in HEADER_RULES))
                ctx.addIssue({
                  code: 'custom',
                  path: [name],
                  message: `not an allowed header; allowed: ${Object.keys(HEADER_RULES).join(', ')}`,
                });
              const rule = HEADER_RULES[name];
              if (rule && value !== '' && !rule.test(value))
                ctx.addIssue({ code: 'custom', path: [name], message: `value ${JSON.stringify(value)} does not match ${rule}` });
            }
          })
          .default({}),
      })
      .strict()
      .prefault({}),
    basic_auth_users: z
      .record(
        z
          .string()
          .min(1)
          .regex(/^[^:]*$/, 'a user name cannot contain ":"'),
        z.string(),
      )
      .superRefine((users, ctx) => {
        for (const [user, hash] of Object.entries(users)) {
          if (!parseBcrypt(hash))
            ctx.addIssue({
              code: 'custom',
              path: [user],
              message: 'expected a bcrypt hash such as "$2y$10$<53 characters>" (htpasswd -nBC 10 "" | tr -d \':\\n\')',
            });
        }
      })
      .default({}),
    rate_limit: unsupported('rate limiting'),
  })
  .strict();

export type WebConfig = z.output<typeof webConfigSchema>;
export type TlsServerConfig = NonNullable<WebConfig['tls_server_config']>;

/** Parses the web config file's text; a ConfigError lists every bad key. An empty file is an empty config (plain HTTP, no basic auth). */
export function parseWebConfig(text: string, source: string): WebConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message}`], source);
  }
  const result = webConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success)
    throw new ConfigError(
      result.error.issues.map((issue) => formatIssue(issue, webConfigSchema)),
      source,
    );
  // Empty header values mean "unset" (exporter-toolkit).
  const headers = Object.fromEntries(Object.entries(result.data.http_server_config.headers).filter(([, v]) => v !== ''));
  return { ...result.data, http_server_config: { ...result.data.http_server_config, headers } };
}
