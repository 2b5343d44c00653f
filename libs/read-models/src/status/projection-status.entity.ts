import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ProjectionState = 'running' | 'stopped' | 'failed';

/**
 * The last state a runner reported for a projection. A failure names the event it could not
 * apply; `heartbeatAt` lets a reader in another process tell a live runner from a dead one.
 */
@Entity({ name: 'projection_status' })
export class ProjectionStatusEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  state!: ProjectionState;

  @Column({ name: 'failed_event_id', type: 'text', nullable: true })
  failedEventId!: string | null;

  @Column({ name: 'failed_position', type: 'bigint', nullable: true })
  failedPosition!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;

  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt!: Date;
}
