// The folder-dependency check of docs/dependencies.md: reads every .ts file's imports with the
// TypeScript pre-processor (static, type-only, re-exports and dynamic imports; comments ignored) and
// reports upward imports against the declared order, undeclared folders and cycles between folders.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** The pseudo-folder of files that sit directly in the checked root (main.ts, cli.ts). */
export const ROOT_FILES = '(root)';

/** One import of one file, resolved to the file it names (paths relative to the checked root, '/' separated). */
export interface ImportEdge {
  readonly file: string;
  readonly target: string;
  readonly specifier: string;
}

/**
 * The declared order, top (may import everything below it) to bottom (imports nothing of the
 * project): the first word of each line of the fenced block whose info string ends in
 * `folder-order`. Throws when the document has no such block, so a rename of the block cannot
 * silently turn the check off.
 */
export function readDeclaredOrder(markdown: string): string[] {
  const block = /^```[^\n]*folder-order[^\n]*\n([\s\S]*?)^```/m.exec(markdown);
  if (block?.[1] === undefined) throw new Error('no ```folder-order block in the document');
  const order = block[1]
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((word) => word !== '');
  if (order.length === 0) throw new Error('the ```folder-order block lists no folder');
  return order;
}

function tsFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(root, path));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const posix = (path: string): string => path.split(sep).join('/');

/** Every relative import of every .ts file below `root` that lands inside `root`. */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const path of tsFiles(root)) {
    const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue; // a package, not a folder of ours
      const target = relative(root, normalize(join(dirname(path), ref.fileName)));
      if (target.startsWith('..')) continue;
      edges.push({ file: posix(relative(root, path)), target: posix(target), specifier: ref.fileName });
    }
  }
  return edges.sort((a, b) => a.file.localeCompare(b.file) || a.target.localeCompare(b.target));
}

/** Top-level folder of a root-relative path; files directly in the root belong to ROOT_FILES. */
export function topFolder(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? ROOT_FILES : path.slice(0, slash);
}

/** Folder (any depth) of a root-relative path; ROOT_FILES for the root itself. */
function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ROOT_FILES : path.slice(0, slash);
}

/** Strongly connected components with more than one folder (Tarjan), each sorted, in a stable order. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/**
 * Every breach of the rules, one line each, empty when the tree keeps them:
 * - `undeclared`: a top-level folder (or ROOT_FILES) with .ts files that the order does not list;
 * - `upward`: a file imports a top-level folder listed above its own;
 * - `cycle`: folders (at any depth, e.g. ingest/otlp and ingest/scrape) that import each other,
 *   directly or round a loop, with one import per edge of the loop named.
 */
export function checkFolderDependencies(root: string, order: readonly string[]): string[] {
  const problems: string[] = [];
  const rank = new Map(order.map((folder, i) => [folder, i] as const));
  const undeclared = new Set(
    tsFiles(root)
      .map((path) => topFolder(posix(relative(root, path))))
      .filter((folder) => !rank.has(folder)),
  );
  for (const folder of [...undeclared].sort()) problems.push(`undeclared: ${folder} is not in the declared order`);

  const edges = importEdges(root);
  const graph = new Map<string, Set<string>>();
  const example = new Map<string, ImportEdge>();
  for (const edge of edges) {
    const from = topFolder(edge.file);
    const to = topFolder(edge.target);
    const fromRank = rank.get(from);
    const toRank = rank.get(to);
    if (from !== to && fromRank !== undefined && toRank !== undefined && toRank < fromRank) {
      problems.push(`upward: ${edge.file} imports '${edge.specifier}' (${from} may not import ${to}, which is above it)`);
    }
    const a = folderOf(edge.file);
    const b = folderOf(edge.target);
    if (a === b) continue;
    let out = graph.get(a);
    if (out === undefined) graph.set(a, (out = new Set()));
    out.add(b);
    if (!example.has(`${a}\0${b}`)) example.set(`${a}\0${b}`, edge);
  }
  for (const component of cycles(graph)) {
    const members = new Set(component);
    const witnesses: string[] = [];
    for (const from of component) {
      for (const to of [...(graph.get(from) ?? [])].sort()) {
        const edge = members.has(to) ? example.get(`${from}\0${to}`) : undefined;
        if (edge !== undefined) witnesses.push(`${edge.file} -> ${edge.target}`);
      }
    }
    problems.push(`cycle: ${component.join(' ⇄ ')} (${witnesses.join('; ')})`);
  }
  return problems;
}
