/**
 * Reading a config file from disk (CDK app, simulator, CLI); the Lambdas get the parsed config bundled.
 *
 * The YAML is checked before the schema sees a value, so that a hostile or broken file (an alias bomb, a
 * huge or deeply nested document, a repeated key) ends in a ConfigError whose every line names a path,
 * never in an exception with a stack trace, a stalled synth or a silently merged key.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { type AutoscalerConfig, ConfigError, formatPath, parseConfig } from './config';

/** Limits of the YAML itself. */
export const YAML_LIMITS = {
  /**
   * Bytes of a config file. A config at the most targets the schema allows (1,000) takes about 250 KB;
   * the limit is four times that, and keeps a hostile file from costing memory and time before validation.
   */
  maxBytes: 1024 * 1024,
  /** Nesting of maps and lists. The schema's deepest value is 7 levels down (`targets[i].triggers[j].ecsDeployment.paths[k]`). */
  maxDepth: 16,
  /**
   * Values (maps, lists, scalars) of the document with every alias expanded. A 1,000-target config holds
   * about 30,000; an alias bomb (each alias doubling the one before) holds billions.
   */
  maxValues: 200_000,
  /** Problems of the YAML reported at once (repeated keys); the rest are counted. */
  maxProblems: 20,
} as const;

type Path = (string | number)[];

export function loadConfigFile(file: string): AutoscalerConfig {
  let text: string;
  try {
    text = readAtMost(file, YAML_LIMITS.maxBytes);
  } catch (err) {
    if (err instanceof TooLarge) throw new ConfigError([tooLarge('more than')], file);
    throw new ConfigError([`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`], file);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, source: string): AutoscalerConfig {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > YAML_LIMITS.maxBytes) throw new ConfigError([tooLarge(bytes.toLocaleString('en-US'))], source);
  const lines = new LineCounter();
  // Repeated keys are found below, with their path; warnings (an unknown directive...) go unprinted.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, lineCounter: lines, logLevel: 'error' });
  const structural = inspect(doc, lines);
  // A stack overflow in the parser is the consequence of a nesting already reported.
  const syntax = doc.errors
    .filter((e) => !(structural.nestedTooDeep && /call stack/i.test(e.message)))
    .map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `${formatPath(pathAt(doc, e.pos[0]))}: line ${line}, column ${col}: ${e.message.split('\n')[0]}`;
    });
  const problems = [...syntax, ...structural.problems];
  if (problems.length) throw new ConfigError(problems, source);
  let raw: unknown;
  try {
    // Aliases were counted above: the expansion is bounded, so yaml's own alias guard is not needed.
    raw = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    throw new ConfigError([`(root): the YAML cannot be read (${(err as Error).message})`], source);
  }
  return parseConfig(raw, source);
}

function tooLarge(size: string): string {
  const max = YAML_LIMITS.maxBytes.toLocaleString('en-US');
  return `(root): the file holds ${size === 'more than' ? `more than ${max}` : size} bytes; a config may hold at most ${max} bytes (1 MiB)`;
}

class TooLarge extends Error {}

/** The file's text, read no further than `max` bytes (a device or a pipe may never end). */
function readAtMost(file: string, max: number): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new TooLarge();
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// ---- the document's shape, before any value is built ----

/** A node of the parsed document (a map, a list, a scalar or an alias), as far as the walk needs it. */
interface YamlNode {
  readonly range?: readonly number[] | null;
  readonly anchor?: string;
}

/** Values and height of a node's expansion. */
interface Size {
  readonly values: number;
  readonly height: number;
}

/** Stops the walk at the first problem that makes the rest of the document unreadable (depth, aliases). */
class Stop extends Error {}

/**
 * One walk over the document in its own order, expanding no alias: sizes of anchored nodes are kept,
 * so an alias adds its anchor's size in one step. Finds a nesting deeper than `maxDepth`, an expansion
 * past `maxValues`, an alias to no anchor or to a value that contains it, a repeated key and a key that
 * is a map or a list.
 */
function inspect(doc: Document, lines: LineCounter): { problems: string[]; nestedTooDeep: boolean } {
  const problems: string[] = [];
  let dropped = 0;
  let nestedTooDeep = false;
  let values = 0;
  const anchors = new Map<string, YamlNode>();
  const sizes = new Map<YamlNode, Size>();
  const open = new Set<YamlNode>();
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  const at = (node: YamlNode | null | undefined) => (lineOf(node) !== undefined ? ` (line ${lineOf(node)})` : '');

  const report = (path: Path, message: string) => {
    if (problems.length < YAML_LIMITS.maxProblems) problems.push(`${formatPath(path)}: ${message}`);
    else dropped++;
  };
  const stop = (path: Path, message: string): never => {
    report(path, message);
    throw new Stop();
  };
  const deeper = (path: Path, node: YamlNode | null | undefined, how: string): never => {
    nestedTooDeep = true;
    return stop(path, `${how}nested more than ${YAML_LIMITS.maxDepth} levels deep${at(node)}; a config needs at most 7`);
  };
  const count = (n: number, path: Path, message: string) => {
    values += n;
    if (values > YAML_LIMITS.maxValues) stop(path, message);
  };

  /** The key's name in the path; `undefined` for a key that is a map or a list. */
  const keyName = (key: unknown): string | undefined => {
    const k = isAlias(key) ? anchors.get(key.source) : key;
    if (k === null || k === undefined) return '';
    if (isScalar(k)) return String(k.value);
    return undefined;
  };

  const walk = (node: unknown, path: Path, depth: number): Size => {
    if (node === null || node === undefined) {
      count(1, path, `the document holds more than ${YAML_LIMITS.maxValues.toLocaleString('en-US')} values`);
      return { values: 1, height: 0 };
    }
    const n = node as YamlNode;
    if (depth > YAML_LIMITS.maxDepth) deeper(path, n, '');
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        report(path, `the alias *${node.source}${at(n)} names no anchor (&${node.source}) before it`);
        return { values: 1, height: 0 };
      }
      if (open.has(target)) stop(path, `the alias *${node.source}${at(n)} refers to a value that contains it`);
      const size = sizes.get(target) as Size;
      if (depth + size.height > YAML_LIMITS.maxDepth) deeper(path, n, `the alias *${node.source} makes the document `);
      count(
        size.values,
        path,
        `the alias *${node.source}${at(n)} expands the document past ${YAML_LIMITS.maxValues.toLocaleString('en-US')} values; aliases may not multiply it`,
      );
      return size;
    }
    count(1, path, `the document holds more than ${YAML_LIMITS.maxValues.toLocaleString('en-US')} values`);
    // An anchor is known from its node on (yaml resolves an alias to the last anchor before it).
    if (n.anchor) anchors.set(n.anchor, n);
    open.add(n);
    let total = 1;
    let height = 0;
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const name = keyName(pair.key);
        const keyPath = [...path, name ?? '?'];
        if (name === undefined) report(keyPath, `a key must be a plain value, not a map or a list${at(pair.key as YamlNode)}`);
        else if (seen.has(name)) report(keyPath, `the key is repeated${at(pair.key as YamlNode)}, first on line ${seen.get(name)}; keys of a map are unique`);
        else seen.set(name, lineOf(pair.key as YamlNode));
        const k = walk(pair.key, keyPath, depth + 1);
        const v = walk(pair.value, keyPath, depth + 1);
        total += k.values + v.values;
        height = Math.max(height, 1 + k.height, 1 + v.height);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const s = walk(item, [...path, i], depth + 1);
        total += s.values;
        height = Math.max(height, 1 + s.height);
      });
    }
    open.delete(n);
    const size = { values: total, height };
    if (n.anchor) sizes.set(n, size);
    return size;
  };

  try {
    walk(doc.contents, [], 0);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  if (dropped) problems.push(`(root): ${dropped} more problem(s) of the YAML not shown`);
  return { problems, nestedTooDeep };
}

/** The path of the deepest value whose text holds `offset`, to place a syntax error in the config. */
function pathAt(doc: Document, offset: number): Path {
  const path: Path = [];
  const holds = (n: unknown) => {
    const range = (n as YamlNode | null)?.range;
    return !!range && range[0] <= offset && offset < Math.max(range[1], range[2] ?? 0);
  };
  let node: unknown = doc.contents;
  for (let depth = 0; depth <= YAML_LIMITS.maxDepth && node; depth++) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (holds(pair.value) || holds(pair.key)) {
          path.push(name);
          next = holds(pair.value) ? pair.value : undefined;
          break;
        }
      }
    } else if (isSeq(node)) {
      const i = node.items.findIndex(holds);
      if (i >= 0) {
        path.push(i);
        next = node.items[i];
      }
    }
    node = next;
  }
  return path;
}
