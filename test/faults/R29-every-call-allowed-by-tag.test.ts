/**
 * R29 with `permissions: by-tag`: every AWS call is allowed by roles that name no resource of a target,
 * only the tag `autoscaler:scaled-by=<prefix>` on it (the in-memory world carries it on every resource
 * the config names), no role holds an action its code never uses, and every call a tag-conditioned
 * statement allows is refused on the same resource untagged or tagged for another deployment.
 */
import { parseConfig } from '../../lambdas/shared/config';
import { ALL_KINDS_CONFIG } from '../support/configs';
import { describeEveryCallAllowed } from './support-iam';

describeEveryCallAllowed(parseConfig({ ...ALL_KINDS_CONFIG, permissions: 'by-tag' }));
