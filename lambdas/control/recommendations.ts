/**
 * The latest recommendation of each target, as the daily recommender stored it (lambdas/recommender):
 * one core for every entry point (the API's GET /recommendations). Times as ISO 8601.
 */
import type { AutoscalerConfig } from '../shared/config';
import type { StateStore, StoredRecommendation } from '../state/store';
import { targetOf } from './targets';

/** A stored recommendation with its times readable. */
export type RecommendationView = Omit<StoredRecommendation, 'computedAt' | 'trace'> & {
  readonly computedAt: string;
  readonly trace: Omit<StoredRecommendation['trace'], 'from' | 'to'> & { readonly from: string; readonly to: string };
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Every target's latest recommendation, or only `targetId`'s (an unknown target is UnknownTargetError);
 * in the config's order. Records of targets no longer in the config are left out.
 */
export async function latestRecommendations(config: AutoscalerConfig, store: StateStore, targetId?: string): Promise<RecommendationView[]> {
  const ids = targetId !== undefined ? [targetOf(config, targetId).id] : config.targets.map((t) => t.id);
  const byId = new Map((await store.listRecommendations()).map((r) => [r.targetId, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [{ ...r, computedAt: iso(r.computedAt), trace: { ...r.trace, from: iso(r.trace.from), to: iso(r.trace.to) } }];
  });
}
