import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFolderDependencies, readDeclaredOrder, ROOT_FILES } from './folder-dependencies.js';

const REPO = join(import.meta.dirname, '../..');
const SRC = join(REPO, 'src');
const FIXTURES = join(REPO, 'test/fixtures/folder-dependencies');
const ORDER = readDeclaredOrder(readFileSync(join(REPO, 'docs/dependencies.md'), 'utf8'));
const FIXTURE_ORDER = ['app', 'lib'];

describe('src/ folder dependencies (docs/dependencies.md)', () => {
  it('imports only downward in the declared order and has no cycle between folders', () => {
    expect(checkFolderDependencies(SRC, ORDER)).toEqual([]);
  });

  it('declares only folders that exist, each once', () => {
    const missing = ORDER.filter(
      (folder) => folder !== ROOT_FILES && !(existsSync(join(SRC, folder)) && statSync(join(SRC, folder)).isDirectory()),
    );
    expect(missing).toEqual([]);
    expect(new Set(ORDER).size).toBe(ORDER.length);
  });

  describe('on a copy of src/ with one deliberately wrong import', () => {
    let copy: string | undefined;
    afterEach(() => {
      if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
      copy = undefined;
    });

    it('reports model/ importing http/ (the bottom reaching for the top) and the loop it closes', () => {
      copy = mkdtempSync(join(tmpdir(), 'folder-deps-'));
      cpSync(SRC, copy, { recursive: true, filter: (path) => !path.includes(`${join(SRC, 'web')}`) });
      const clock = join(copy, 'model/clock.ts');
      writeFileSync(clock, `${readFileSync(clock, 'utf8')}\nexport type { ProblemBody } from '../http/problem.js';\n`);
      const problems = checkFolderDependencies(copy, ORDER);
      expect(problems[0]).toBe("upward: model/clock.ts imports '../http/problem.js' (model may not import http, which is above it)");
      expect(problems).toHaveLength(2);
      expect(problems[1]).toMatch(/^cycle: .*\bhttp ⇄ .*\bmodel\b.*model\/clock\.ts -> http\/problem\.js/);
    });
  });
});

describe('checkFolderDependencies on fixture trees', () => {
  it('passes a tree that imports only downward', () => {
    expect(checkFolderDependencies(join(FIXTURES, 'clean'), FIXTURE_ORDER)).toEqual([]);
  });

  it('fails an upward import, even a type-only one, and names the file, the import and the rule', () => {
    expect(checkFolderDependencies(join(FIXTURES, 'upward'), FIXTURE_ORDER)).toEqual([
      "upward: lib/util.ts imports '../app/main.js' (lib may not import app, which is above it)",
      'cycle: app ⇄ lib (app/main.ts -> lib/util.js; lib/util.ts -> app/main.js)',
    ]);
  });

  it('fails the same tree when the order is turned round, on the other import', () => {
    expect(checkFolderDependencies(join(FIXTURES, 'clean'), ['lib', 'app'])).toEqual([
      "upward: app/main.ts imports '../lib/util.js' (app may not import lib, which is above it)",
    ]);
  });

  it('fails a cycle between two subfolders of one top folder (a dynamic import counts)', () => {
    expect(checkFolderDependencies(join(FIXTURES, 'cycle'), FIXTURE_ORDER)).toEqual([
      'cycle: app/one ⇄ app/two (app/one/a.ts -> app/two/b.js; app/two/b.ts -> app/one/c.js)',
    ]);
  });

  it('fails a folder missing from the declared order', () => {
    expect(checkFolderDependencies(join(FIXTURES, 'undeclared'), FIXTURE_ORDER)).toEqual([
      'undeclared: extra is not in the declared order',
    ]);
  });
});

describe('readDeclaredOrder', () => {
  it('reads the first word of each line of the folder-order block', () => {
    expect(readDeclaredOrder('# x\n\n```text folder-order\ntop   the top\n\nbottom  the bottom\n```\n')).toEqual(['top', 'bottom']);
  });

  it('throws when the block is missing, so the check cannot be switched off by a rename', () => {
    expect(() => readDeclaredOrder('# x\n\n```text\ntop\n```\n')).toThrow(/folder-order/);
  });
});
