import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far a projection has applied the global log; written in the same transaction as its rows. */
@Entity({ name: 'projection_checkpoint' })
export class CheckpointEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'bigint' })
  position!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
