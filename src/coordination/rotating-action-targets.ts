// Action targets whose signing secrets are re-read when their files change (a rotation without a restart).
import type { ActionConfig } from '../config/schema.js';
import { WatchedFile } from '../runtime/watched-file.js';
import { resolveActionTargets, type ActionTargets } from './action-delivery.js';
import { decodeSigningSecret } from './webhook-signature.js';

export interface RotatingActionTargets {
  readonly targets: ActionTargets;
  stop(): void;
}

/**
 * Resolves `coordination.actions` once (throwing, as resolveActionTargets does, on a missing or
 * invalid secret) and again whenever a `secret_file` changes; a changed file holding an invalid
 * secret keeps the previous one and is reported through `onError`. `special` serves paths that
 * are not files (the demo's in-memory secret).
 */
export function rotatingActionTargets(
  actions: Readonly<Partial<Record<string, ActionConfig>>>,
  hooks: {
    onChange?: (path: string) => void;
    onError?: (message: string) => void;
    special?: (path: string) => string | undefined;
    intervalMs?: number;
  },
): RotatingActionTargets {
  const files = new Map<string, WatchedFile<string>>();
  let current: ActionTargets = () => undefined;
  const readSecret = (path: string): string => {
    const special = hooks.special?.(path);
    if (special !== undefined) return special;
    let file = files.get(path);
    if (file === undefined) {
      file = WatchedFile.open(path, {
        parse: (text) => {
          decodeSigningSecret(text);
          return text;
        },
        ...(hooks.intervalMs !== undefined && { intervalMs: hooks.intervalMs }),
        onChange: () => {
          current = resolveActionTargets(actions, readSecret);
          hooks.onChange?.(path);
        },
        ...(hooks.onError && { onError: hooks.onError }),
      });
      files.set(path, file);
    }
    return file.current();
  };
  try {
    current = resolveActionTargets(actions, readSecret);
  } catch (error) {
    for (const file of files.values()) file.stop();
    throw error;
  }
  return {
    targets: (type) => current(type),
    stop: () => {
      for (const file of files.values()) file.stop();
    },
  };
}
