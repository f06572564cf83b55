/** The database family's kinds: what the database function loads of the registry (../index.ts holds every family's). */

import { rdsInstance } from '../rds-instance';
import { rdsReplicas } from '../rds-replicas';
import { rdsStorage } from '../rds-storage';
import { redis } from '../redis';
import type { FamilyKinds } from './view';

export const DATABASE_KINDS = { 'rds-replicas': rdsReplicas, 'rds-storage': rdsStorage, 'rds-instance': rdsInstance, redis } satisfies FamilyKinds<'database'>;
