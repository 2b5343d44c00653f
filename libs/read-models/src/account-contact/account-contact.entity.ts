import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Personal data lives here, never in event payloads, so that erasing a person does not mean
 * rewriting the (hash-chained, immutable) event log.
 */
@Entity({ name: 'account_contact' })
export class AccountContactEntity {
  @PrimaryColumn({ name: 'account_id', type: 'text' })
  accountId!: string;

  @Column({ name: 'phone_number', type: 'text' })
  phoneNumber!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
