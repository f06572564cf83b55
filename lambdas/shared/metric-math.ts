/**
 * CloudWatch metric math, as far as the config needs to understand it: parse an expression, list the
 * query ids it references, tell how many time series it returns, rename its ids, and find the filter
 * of a SEARCH. Evaluation lives with the in-memory CloudWatch (sim/cloud/metric-math.ts).
 *
 * The grammar follows the CloudWatch User Guide, "Using math expressions with CloudWatch metrics":
 * arithmetic (+ - * / ^), comparison and logical operators (used inside IF), numbers, strings in single
 * or double quotes, arrays in square brackets, functions in upper case (`SUM(METRICS())`), and query
 * ids, whose first character is a lowercase letter (MetricDataQuery.Id: "The first character must be a
 * lowercase letter").
 */

export type MathNode =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'id'; readonly name: string; readonly at: number }
  | { readonly type: 'array'; readonly items: readonly MathNode[] }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly MathNode[] }
  | { readonly type: 'unary'; readonly op: '-' | 'NOT'; readonly arg: MathNode }
  | { readonly type: 'binary'; readonly op: string; readonly left: MathNode; readonly right: MathNode };

/** An expression CloudWatch would not accept; `at` is the character offset. */
export class MathSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = 'MathSyntaxError';
  }
}

interface Token {
  readonly kind: 'number' | 'string' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '^', '(', ')', '[', ']', ','];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'number', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new MathSyntaxError(`string opened at character ${i + 1} is never closed`, i);
      out.push({ kind: 'string', text: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new MathSyntaxError(`unexpected character ${JSON.stringify(c)} at character ${i + 1}`, i);
    out.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

/** Binary operators by precedence, loosest first. */
const LEVELS: readonly (readonly string[])[] = [['OR'], ['AND'], ['==', '!=', '<', '>', '<=', '>='], ['+', '-'], ['*', '/'], ['^']];

/** Parses one metric math expression. */
export function parseMath(src: string): MathNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text || (t.kind !== 'op' && t.kind !== 'name')) {
      throw new MathSyntaxError(`expected "${text}" at character ${t.at + 1}, found ${t.kind === 'end' ? 'the end' : JSON.stringify(t.text)}`, t.at);
    }
  };
  const isOp = (t: Token, ops: readonly string[]) => (t.kind === 'op' || (t.kind === 'name' && /^[A-Z]+$/.test(t.text))) && ops.includes(t.text);

  const binary = (level: number): MathNode => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (isOp(peek(), LEVELS[level])) {
      const op = next().text;
      // `^` binds to the right, the others to the left.
      const right = op === '^' ? binary(level) : binary(level + 1);
      left = { type: 'binary', op, left, right };
    }
    return left;
  };
  const unary = (): MathNode => {
    const t = peek();
    if (t.kind === 'op' && t.text === '-') {
      next();
      return { type: 'unary', op: '-', arg: unary() };
    }
    if (t.kind === 'name' && t.text === 'NOT' && tokens[pos + 1]?.text !== '(') {
      next();
      return { type: 'unary', op: 'NOT', arg: unary() };
    }
    return primary();
  };
  const list = (close: string): MathNode[] => {
    const items: MathNode[] = [];
    if (peek().kind === 'op' && peek().text === close) {
      next();
      return items;
    }
    for (;;) {
      items.push(binary(0));
      const t = next();
      if (t.kind === 'op' && t.text === close) return items;
      if (!(t.kind === 'op' && t.text === ',')) {
        throw new MathSyntaxError(`expected "," or "${close}" at character ${t.at + 1}, found ${t.kind === 'end' ? 'the end' : JSON.stringify(t.text)}`, t.at);
      }
    }
  };
  const primary = (): MathNode => {
    const t = next();
    if (t.kind === 'number') return { type: 'number', value: Number(t.text) };
    if (t.kind === 'string') return { type: 'string', value: t.text };
    if (t.kind === 'op' && t.text === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') return { type: 'array', items: list(']') };
    if (t.kind === 'name') {
      if (peek().kind === 'op' && peek().text === '(') {
        if (!/^[A-Z][A-Z0-9_]*$/.test(t.text))
          throw new MathSyntaxError(`"${t.text}" at character ${t.at + 1} is not a function (functions are upper case)`, t.at);
        next();
        return { type: 'call', name: t.text, args: list(')') };
      }
      if (/^[a-z]/.test(t.text)) return { type: 'id', name: t.text, at: t.at };
      throw new MathSyntaxError(`"${t.text}" at character ${t.at + 1} is neither a query id (first character a lowercase letter) nor a function call`, t.at);
    }
    throw new MathSyntaxError(`unexpected ${t.kind === 'end' ? 'end' : JSON.stringify(t.text)} at character ${t.at + 1}`, t.at);
  };

  const tree = binary(0);
  const rest = peek();
  if (rest.kind !== 'end') throw new MathSyntaxError(`unexpected ${JSON.stringify(rest.text)} at character ${rest.at + 1}`, rest.at);
  return tree;
}

/** Every node of the tree, depth first. */
function walk(node: MathNode, visit: (n: MathNode) => void): void {
  visit(node);
  if (node.type === 'array') for (const x of node.items) walk(x, visit);
  else if (node.type === 'call') for (const x of node.args) walk(x, visit);
  else if (node.type === 'unary') walk(node.arg, visit);
  else if (node.type === 'binary') {
    walk(node.left, visit);
    walk(node.right, visit);
  }
}

/** The query ids an expression references, in order of first use. */
export function referencedIds(node: MathNode): string[] {
  const ids: string[] = [];
  walk(node, (n) => {
    if (n.type === 'id' && !ids.includes(n.name)) ids.push(n.name);
  });
  return ids;
}

/** The SEARCH calls of an expression. */
export function searchCalls(node: MathNode): MathNode[] {
  const calls: MathNode[] = [];
  walk(node, (n) => {
    if (n.type === 'call' && n.name === 'SEARCH') calls.push(n);
  });
  return calls;
}

/** The same expression text with ids renamed (`m1` -> `c0_m1`); everything else kept as written. */
export function renameIds(src: string, rename: (id: string) => string): string {
  const ids: { at: number; name: string }[] = [];
  walk(parseMath(src), (n) => {
    if (n.type === 'id') ids.push({ at: n.at, name: n.name });
  });
  ids.sort((a, b) => b.at - a.at);
  let out = src;
  for (const { at, name } of ids) out = out.slice(0, at) + rename(name) + out.slice(at + name.length);
  return out;
}

/**
 * What an expression returns: a single number (`scalar`), one time series (`series`) or an array of
 * them (`many`). The alarm and the engine need exactly one series.
 */
export type MathShape = 'scalar' | 'series' | 'many';

/**
 * Functions that reduce: over an array, one series ("SUM([m1, m2])" is the sum at each time); over one
 * series, a single number ("SUM(m1)" sums its datapoints). CloudWatch User Guide, metric math functions.
 */
const REDUCERS = new Set(['AVG', 'MAX', 'MIN', 'STDDEV', 'SUM']);
/** Functions that return an array whatever they are given. */
const ARRAYS = new Set(['SEARCH', 'METRICS', 'SORT', 'SLICE', 'ANOMALY_DETECTION_BAND', 'INSIGHT_RULE_METRIC']);
/** Functions that return one series or a number from their arguments. */
const SERIES = new Set(['FIRST', 'LAST', 'TIME_SERIES', 'SERVICE_QUOTA']);
/** Functions whose result has the shape of their arguments (the widest of them). */
const ELEMENTWISE = new Set([
  'ABS',
  'AND',
  'CEIL',
  'DATAPOINT_COUNT',
  'DB_PERF_INSIGHTS',
  'DIFF',
  'DIFF_TIME',
  'EXP',
  'FILL',
  'FLOOR',
  'IF',
  'LOG',
  'LOG10',
  'MAX_VALUE',
  'MIN_VALUE',
  'NOT',
  'OR',
  'PERIOD',
  'RATE',
  'REMOVE_EMPTY',
  'RUNNING_SUM',
  'STDDEV_VALUE',
  'SUM_VALUE',
]);

export const METRIC_MATH_FUNCTIONS: ReadonlySet<string> = new Set([...REDUCERS, ...ARRAYS, ...SERIES, ...ELEMENTWISE]);

const widest = (shapes: readonly MathShape[]): MathShape => (shapes.includes('many') ? 'many' : shapes.includes('series') ? 'series' : 'scalar');

/**
 * The shape of an expression, given the shape of each query id it may reference. Throws on an unknown
 * function or id (the caller names it).
 */
export function shapeOf(node: MathNode, ids: (id: string) => MathShape | undefined): MathShape {
  switch (node.type) {
    case 'number':
    case 'string':
      return 'scalar';
    case 'id': {
      const s = ids(node.name);
      if (!s) throw new MathSyntaxError(`references "${node.name}", which is not an id of this metric's queries`, node.at);
      return s;
    }
    case 'array':
      return 'many';
    case 'unary':
      return shapeOf(node.arg, ids);
    case 'binary':
      return widest([shapeOf(node.left, ids), shapeOf(node.right, ids)]);
    case 'call': {
      if (!METRIC_MATH_FUNCTIONS.has(node.name)) throw new MathSyntaxError(`${node.name} is not a CloudWatch metric math function`, 0);
      const args = node.args.map((a) => shapeOf(a, ids));
      if (REDUCERS.has(node.name)) return args.length === 1 && args[0] === 'many' ? 'series' : args.length > 1 ? 'series' : 'scalar';
      if (ARRAYS.has(node.name)) return 'many';
      if (SERIES.has(node.name)) return 'series';
      return widest(args);
    }
  }
}

/**
 * The property filters of a SEARCH's query string (`{AWS/EC2,InstanceId} MetricName="CPUUtilization"
 * InstanceId="i-1"`): each `Name=Value` or `Name="Value"` term, by name. CloudWatch User Guide,
 * "CloudWatch search expression syntax".
 */
export function searchFilters(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:^|[\s(])"?([A-Za-z0-9_.:/-]+)"?\s*=\s*("([^"]*)"|([^\s()"]+))/g;
  for (let m = re.exec(query); m; m = re.exec(query)) out[m[1]] = m[3] ?? m[4];
  return out;
}
