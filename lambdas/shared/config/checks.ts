/**
 * Rules across fields that more than one kind of target checks (lambdas/shared/kinds): a ladder of
 * sizes that only goes up, a missing-data fallback within the target's bounds.
 */
import { NODE_MEMORY_GIB } from '../../engine/redis';
import type { MissingDataConfig } from './fields';
import { formatPath } from './paths';

/** Where in the config a target sits (`['targets', 3]`); its issues are reported below it. */
export type ConfigPath = readonly (string | number)[];

/**
 * Where a config check reports a problem: the schema's refinement context at synth (zod's
 * `$RefinementCtx` has this method), named here so the kinds' checks load no schema library.
 */
export interface IssueSink {
  addIssue(issue: { readonly code: 'custom'; readonly path: (string | number)[]; readonly message: string }): void;
}

/** EC2-style sizes below `xlarge`, smallest first; `<n>xlarge` follow by n, `metal` comes last. */
const NAMED_SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'];

/**
 * The order of an instance class's or node type's size token (`db.r6g.2xlarge` -> `2xlarge`):
 * nano < micro < small < medium < large < xlarge < 2xlarge < ... < 48xlarge < metal; undefined for a
 * token that is none of these.
 */
export function sizeRank(type: string): number | undefined {
  const size = type.slice(type.lastIndexOf('.') + 1);
  const named = NAMED_SIZES.indexOf(size);
  if (named >= 0) return named;
  const n = /^([1-9]\d{0,2})xlarge$/.exec(size);
  if (n) return NAMED_SIZES.length - 2 + Number(n[1]);
  return size === 'metal' ? Number.MAX_SAFE_INTEGER : undefined;
}

/**
 * A ladder goes from smallest to largest, each rung larger than the one before, so that "one rung up"
 * always means more capacity. ElastiCache node types compare by memory (NODE_MEMORY_GIB) where both are
 * listed, everything else by its size token.
 */
export function checkLadder(ladder: readonly string[], path: ConfigPath, ctx: IssueSink): void {
  const at = (i: number) => formatPath([...path, i]);
  ladder.forEach((rung, i) => {
    if (sizeRank(rung) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `"${rung}" has a size that cannot be ordered (${NAMED_SIZES.join(', ')}, 2xlarge ... 48xlarge or metal)`,
      });
      return;
    }
    if (i === 0 || sizeRank(ladder[i - 1]) === undefined) return;
    const prev = ladder[i - 1];
    const memory =
      Object.hasOwn(NODE_MEMORY_GIB, prev) && Object.hasOwn(NODE_MEMORY_GIB, rung) ? ([NODE_MEMORY_GIB[prev], NODE_MEMORY_GIB[rung]] as const) : undefined;
    const larger = memory ? memory[1] > memory[0] : (sizeRank(rung) as number) > (sizeRank(prev) as number);
    if (!larger) {
      const gib = (v: number) => ` (${v} GiB)`;
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `"${rung}"${memory ? gib(memory[1]) : ''} is not larger than ${at(i - 1)} "${prev}"${memory ? gib(memory[0]) : ''}: a ladder goes from smallest to largest`,
      });
    }
  });
}

/** A fallback count that is set exactly when `fixed` asks for it, within the target's bounds; the fallback no sooner than lateness. */
export function checkMissingData(
  m: MissingDataConfig,
  [min, max]: [number, number],
  [minName, maxName]: [string, string],
  target: ConfigPath,
  ctx: IssueSink,
): void {
  const at = (...path: string[]) => [...target, 'missingData', ...path];
  if (m.fallback === 'fixed' && m.count === undefined) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: 'is required with fallback "fixed" (the least count while the metrics are missing)' });
  }
  if (m.fallback === 'hold' && m.count !== undefined) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: `${m.count} is only used with fallback "fixed"; fallback "hold" keeps the current count` });
  }
  if (m.count !== undefined && (m.count < min || m.count > max)) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: `${m.count} is outside ${minName}-${maxName} (${min}-${max})` });
  }
  if (m.fallbackAfterSeconds < m.lateAfterSeconds) {
    ctx.addIssue({
      code: 'custom',
      path: at('fallbackAfterSeconds'),
      message: `${m.fallbackAfterSeconds} is below lateAfterSeconds ${m.lateAfterSeconds}: metrics are missing only after they are late`,
    });
  }
}
