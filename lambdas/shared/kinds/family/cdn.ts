/** The cdn family's kinds: what the cdn function loads of the registry (../index.ts holds every family's). */
import { cloudfront } from '../cloudfront';
import type { FamilyKinds } from './view';

export const CDN_KINDS = { cloudfront } satisfies FamilyKinds<'cdn'>;
