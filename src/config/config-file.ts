// Reading the YAML config file into the raw object parseConfigObject validates, with file errors in words.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './parse-config.js';

/** "no such file (ENOENT)": why a file could not be read, in words with the code. */
export function fileErrorInWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const words: Readonly<Record<string, string>> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
  };
  return words[code] === undefined ? code : `${words[code]} (${code})`;
}

/**
 * The mapping at the top of the YAML file at `path` (duplicate keys refused); {} for an empty
 * file. Throws a ConfigError naming the file when it cannot be read, is not YAML or is not a mapping.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`--config.file: cannot read ${path}: ${fileErrorInWords(error)}`], path);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message}`], path);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(['(top level): expected a mapping'], path);
  return doc as Record<string, unknown>;
}
