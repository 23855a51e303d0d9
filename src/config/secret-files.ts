// Secrets the config names by file: read once at start (a password), or watched and re-read (tokens).
import { readFileSync } from 'node:fs';
import type { Logger } from '../runtime/logger.js';
import { WatchedFile } from '../runtime/watched-file.js';
import { fileErrorInWords } from './config-file.js';
import { ConfigError } from './parse-config.js';

/** A secret read once at start (the PostgreSQL password: a connection is opened with it once). */
export function readSecretOnce(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`${key}: cannot read ${path}: ${fileErrorInWords(error)}`], 'configuration');
  }
  if (text === '') throw new ConfigError([`${key}: ${path} is empty`], 'configuration');
  return text;
}

/**
 * A token file, re-read when it changes (rotation without a restart, docs/reliability.md);
 * undefined when not configured. The watcher is pushed onto `watched`, which the caller stops.
 */
export function watchToken(path: string | undefined, key: string, logger: Logger, watched: { stop(): void }[]): (() => string) | undefined {
  if (path === undefined) return undefined;
  const parse = (raw: string): string => {
    const text = raw.trim();
    if (text === '') throw new Error('empty');
    return text;
  };
  let file: WatchedFile<string>;
  try {
    file = WatchedFile.open(path, {
      parse,
      onChange: () => logger.info({ component: 'web', file: key }, 'token file changed: the new token applies, the old one is refused'),
      onError: (message) => logger.warn({ component: 'web', file: key }, message),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [code === undefined ? `${key}: ${path} is empty` : `${key}: cannot read ${path}: ${fileErrorInWords(error)}`],
      'configuration',
    );
  }
  watched.push(file);
  return () => file.current();
}
