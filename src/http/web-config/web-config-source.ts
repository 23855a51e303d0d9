// The web config kept current: the file and the certificate/key/CA files it names, polled by stat and re-read on change.
// exporter-toolkit re-reads the file on every request; a stat poll every 500 ms gives the same
// "no restart" promise without a read per request. A change that cannot be read, parsed or loaded
// keeps the last good state (a half-written certificate must never turn TLS or auth off).
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { TLS_VERSIONS, parseWebConfig, type WebConfig } from './web-config.js';

export interface WebConfigState {
  readonly config: WebConfig;
  /** The options of the current TLS context; undefined = plain HTTP. */
  readonly tls: SecureContextOptions | undefined;
}

export interface WebConfigSourceOptions {
  /** Stat poll period, ms (default 500). */
  readonly intervalMs?: number;
  readonly onChange?: (state: WebConfigState) => void;
  /** A change that was refused; reported once per distinct problem. */
  readonly onError?: (message: string) => void;
}

function statKey(path: string): string {
  // Follows symlinks: a Kubernetes Secret volume swaps a `..data` symlink.
  const s = statSync(path);
  return `${path}:${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function referencedFiles(config: WebConfig): string[] {
  const tls = config.tls_server_config;
  return tls ? [tls.cert_file, tls.key_file, ...(tls.client_ca_file === undefined ? [] : [tls.client_ca_file])] : [];
}

/** Reads the web config and its files into a state; throws with the file and reason on any problem. */
export function loadWebConfig(path: string): WebConfigState {
  const config = parseWebConfig(readFileSync(path, 'utf8'), path);
  const tls = config.tls_server_config;
  if (!tls) return { config, tls: undefined };
  const read = (file: string, key: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(
        `${path}: tls_server_config.${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  const options: SecureContextOptions = {
    cert: read(tls.cert_file, 'cert_file'),
    key: read(tls.key_file, 'key_file'),
    ...(tls.client_ca_file !== undefined && { ca: read(tls.client_ca_file, 'client_ca_file') }),
    minVersion: TLS_VERSIONS[tls.min_version],
    maxVersion: TLS_VERSIONS[tls.max_version],
    honorCipherOrder: tls.prefer_server_cipher_suites ?? true,
  };
  try {
    // Fails here, not at the next handshake, on a key that does not match its certificate.
    createSecureContext(options);
  } catch (error) {
    throw new Error(`${path}: tls_server_config: ${tls.cert_file} / ${tls.key_file}: ${(error as Error).message}`);
  }
  return { config, tls: options };
}

/**
 * `new WebConfigSource(path)` loads the file (throwing: a start-up error) and polls it and the files
 * it names. TLS cannot be switched on or off without a restart (the listening socket is HTTP or
 * HTTPS); such a change is refused and reported.
 */
export class WebConfigSource {
  private state: WebConfigState;
  private key: string;
  private lastProblem: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly path: string,
    private readonly options: WebConfigSourceOptions = {},
  ) {
    this.state = loadWebConfig(path);
    this.key = this.statKeys(this.state.config);
    this.timer = setInterval(() => this.poll(), Math.max(10, options.intervalMs ?? 500));
    this.timer.unref();
  }

  current(): WebConfigState {
    return this.state;
  }

  private statKeys(config: WebConfig): string {
    return [this.path, ...referencedFiles(config)].map(statKey).join('|');
  }

  /** Checks the files now (the timer calls it); true when a new state was taken. */
  poll(): boolean {
    let next: WebConfigState;
    let key: string;
    try {
      if (this.statKeys(this.state.config) === this.key && this.lastProblem === undefined) return false;
      next = loadWebConfig(this.path);
      key = this.statKeys(next.config);
      if ((next.tls === undefined) !== (this.state.tls === undefined)) {
        throw new Error(`${this.path}: tls_server_config cannot be ${next.tls ? 'added' : 'removed'} without a restart`);
      }
    } catch (error) {
      const problem = `${(error as Error).message}; keeping the previous web config`;
      if (problem !== this.lastProblem) this.options.onError?.(problem);
      this.lastProblem = problem;
      return false;
    }
    this.key = key;
    this.state = next;
    this.lastProblem = undefined;
    this.options.onChange?.(next);
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
