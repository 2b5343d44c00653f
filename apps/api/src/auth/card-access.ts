import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, subscriptionStreamId } from '@ledger/domain';
import { EventStore } from '@ledger/event-store';
import { Subject } from '@ledger/identity';
import { DATA_SOURCE, EVENT_STORE } from '../infrastructure/tokens';

/**
 * Ownership on every card route: a card owner reaches only their own account's cards; another
 * account's card answers exactly as a card that does not exist (404), so ids cannot be probed.
 * The owner comes from card_iccid, written with the card (no projection lag); cards opened before
 * it existed are looked up in their stream.
 */
const MAX_KNOWN_OWNERS = 50_000;

@Injectable()
export class CardAccess {
  /** A card's owner never changes, so an answer once read stays true (bounded, oldest dropped first). */
  private readonly owners = new Map<string, string>();

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async accountOf(subscriptionId: string): Promise<string | null> {
    const known = this.owners.get(subscriptionId);
    if (known) return known;
    const [row] = await this.db.query('SELECT account_id FROM card_iccid WHERE subscription_id = $1', [subscriptionId]);
    if (row) return this.remember(subscriptionId, row.account_id as string);
    const [opened] = await this.store.readStream(subscriptionStreamId(subscriptionId));
    return opened?.type === 'SubscriptionOpened' ? (opened.data as { accountId: string }).accountId : null;
  }

  private remember(subscriptionId: string, accountId: string): string {
    this.owners.set(subscriptionId, accountId);
    if (this.owners.size > MAX_KNOWN_OWNERS) this.owners.delete(this.owners.keys().next().value as string);
    return accountId;
  }

  async check(subject: Subject | undefined, subscriptionId: string): Promise<void> {
    if (subject?.role !== 'owner') return;
    if ((await this.accountOf(subscriptionId)) !== subject.id) {
      throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    }
  }
}
