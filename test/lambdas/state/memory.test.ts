import { MemoryStateStore } from '../../../lambdas/state/memory';
import { storeContract } from './store-contract';

storeContract('MemoryStateStore', async () => new MemoryStateStore());
