/**
 * Metric math for the in-memory CloudWatch: an expression (lambdas/shared/metric-math.ts parses it)
 * evaluated at one period from the values of the ids it references. Arithmetic, comparisons, ABS,
 * CEIL, FLOOR, FILL, IF and SUM/AVG/MIN/MAX over an array; anything else (SEARCH, METRICS, RATE...) is
 * refused as the in-memory CloudWatch's limit, not AWS's.
 */
import { type MathNode, parseMath } from '../../lambdas/shared/metric-math';
import { FakeServiceError } from './recorder';

const parsed = new Map<string, MathNode>();

/** The expression's value at one period, or undefined where a series it needs has no datapoint. */
export function evaluateExpression(expression: string, lookup: (id: string) => number | undefined): number | undefined {
  let tree = parsed.get(expression);
  if (!tree) {
    tree = parseMath(expression);
    parsed.set(expression, tree);
  }
  const v = evaluate(tree, lookup);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

type Value = number | undefined | Value[];

function evaluate(n: MathNode, lookup: (id: string) => number | undefined): Value {
  const num = (x: MathNode) => {
    const v = evaluate(x, lookup);
    if (Array.isArray(v)) throw new FakeServiceError('ValidationError', 'the in-memory CloudWatch evaluates arrays only inside SUM, AVG, MIN and MAX');
    return v;
  };
  switch (n.type) {
    case 'number':
      return n.value;
    case 'string':
      throw new FakeServiceError('ValidationError', `the in-memory CloudWatch does not evaluate strings ("${n.value}")`);
    case 'id':
      return lookup(n.name);
    case 'array':
      return n.items.map((x) => evaluate(x, lookup));
    case 'unary': {
      const v = num(n.arg);
      return v === undefined ? undefined : n.op === '-' ? -v : v ? 0 : 1;
    }
    case 'binary': {
      const a = num(n.left),
        b = num(n.right);
      if (a === undefined || b === undefined) return undefined;
      const ops: Record<string, (x: number, y: number) => number> = {
        '+': (x, y) => x + y,
        '-': (x, y) => x - y,
        '*': (x, y) => x * y,
        '/': (x, y) => x / y,
        '^': (x, y) => x ** y,
        '==': (x, y) => +(x === y),
        '!=': (x, y) => +(x !== y),
        '<': (x, y) => +(x < y),
        '>': (x, y) => +(x > y),
        '<=': (x, y) => +(x <= y),
        '>=': (x, y) => +(x >= y),
        AND: (x, y) => +(!!x && !!y),
        OR: (x, y) => +(!!x || !!y),
      };
      return ops[n.op](a, b);
    }
    case 'call': {
      const reduce: Record<string, (xs: number[]) => number> = {
        SUM: (xs) => xs.reduce((s, x) => s + x, 0),
        AVG: (xs) => xs.reduce((s, x) => s + x, 0) / xs.length,
        MIN: (xs) => Math.min(...xs),
        MAX: (xs) => Math.max(...xs),
      };
      if (reduce[n.name] && n.args.length === 1 && n.args[0].type === 'array') {
        const xs = (evaluate(n.args[0], lookup) as Value[]).filter((x): x is number => typeof x === 'number');
        return xs.length ? reduce[n.name](xs) : undefined;
      }
      const unary: Record<string, (x: number) => number> = { ABS: Math.abs, CEIL: Math.ceil, FLOOR: Math.floor };
      if (unary[n.name] && n.args.length === 1) {
        const v = num(n.args[0]);
        return v === undefined ? undefined : unary[n.name](v);
      }
      if (n.name === 'FILL' && n.args.length === 2) return num(n.args[0]) ?? num(n.args[1]);
      if (n.name === 'IF' && (n.args.length === 2 || n.args.length === 3)) {
        const c = num(n.args[0]);
        return c === undefined ? undefined : c ? num(n.args[1]) : n.args[2] ? num(n.args[2]) : undefined;
      }
      throw new FakeServiceError('ValidationError', `${n.name}(${n.args.length} arguments) is not evaluated by the in-memory CloudWatch`);
    }
  }
}
