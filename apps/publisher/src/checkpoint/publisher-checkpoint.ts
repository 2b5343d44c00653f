/** The publisher's checkpoints: the ledger's one checkpoint store, in its `publisher_checkpoint` table. */
export { CheckpointStore, SqlCheckpointStore } from '@ledger/event-store';
