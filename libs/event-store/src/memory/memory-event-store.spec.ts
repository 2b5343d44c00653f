import { runEventStoreContract } from '../contract/event-store.contract';
import { MemoryEventStore } from './memory-event-store';

runEventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
});
