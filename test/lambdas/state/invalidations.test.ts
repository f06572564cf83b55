import { MemoryInvalidationStore } from '../../../lambdas/state/invalidations';
import { invalidationStoreContract } from './invalidations-contract';

invalidationStoreContract('MemoryInvalidationStore', async () => new MemoryInvalidationStore());
