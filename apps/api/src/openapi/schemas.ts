/** Response shapes, as the handlers answer them; the schemathesis suite holds the server to them. */
const position = {
  type: 'string',
  pattern: '^[0-9]{1,19}$',
  description: 'a log position (decimal); pass it as minPosition to read your own write',
};
const uuid = { type: 'string', format: 'uuid' };
const time = { type: 'string', format: 'date-time' };
const money = { $ref: '#/components/schemas/Money' };
const obj = (required: string[], properties: Record<string, object>, extra = true) => ({
  type: 'object',
  required,
  properties,
  ...(extra ? {} : { additionalProperties: false }),
});

export const RESPONSE_SCHEMAS: Record<string, object> = {
  Problem: obj(['type', 'title', 'status', 'detail', 'code'], {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', pattern: '^[A-Z0-9_]+$', description: 'stable, for clients; listed per status in each response' },
    field: { type: 'string', description: 'the input at fault, when there is one' },
    errors: {
      type: 'array',
      items: obj(['field', 'code', 'message'], { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } }),
    },
    limit: obj(['name'], { name: { type: 'string' }, value: { type: 'integer' } }),
    instance: { type: 'string' },
  }),
  Money: obj(['amountMinor', 'currency'], { amountMinor: { type: 'integer' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } }),
  Plan: obj(['planId', 'region', 'kind', 'days', 'dataMb', 'listPrice'], {
    planId: { type: 'string' },
    region: { enum: ['EU', 'US', 'APAC'] },
    kind: { enum: ['daily', 'monthly', 'annual'] },
    days: { type: 'integer', minimum: 1 },
    dataMb: { type: 'integer', minimum: 0 },
    listPrice: money,
  }),
  PlanList: obj(['plans'], { plans: { type: 'array', items: { $ref: '#/components/schemas/Plan' } } }),
  Registered: obj(['verification'], { verification: { type: 'string' } }),
  Verified: obj(['accountId', 'verified'], { accountId: uuid, verified: { type: 'boolean' }, position: { ...position, nullable: true } }),
  Session: obj(['accessToken', 'tokenType', 'expiresIn', 'refreshToken'], {
    accountId: uuid,
    staffId: uuid,
    role: { type: 'string' },
    accessToken: { type: 'string' },
    tokenType: { enum: ['Bearer'] },
    expiresIn: { type: 'integer', minimum: 1 },
    refreshToken: { type: 'string' },
  }),
  ClientToken: obj(['accessToken', 'tokenType', 'expiresIn', 'scope'], {
    accessToken: { type: 'string' },
    tokenType: { enum: ['Bearer'] },
    expiresIn: { type: 'integer' },
    scope: { type: 'string' },
  }),
  Message: obj(['sent'], { sent: { type: 'string' } }),
  PasswordChanged: obj(['accountId', 'passwordChanged'], { accountId: uuid, passwordChanged: { type: 'boolean' } }),
  SandboxSms: obj(['messages'], {
    messages: {
      type: 'array',
      items: obj(['phoneNumber', 'text', 'sentAt'], { phoneNumber: { type: 'string' }, text: { type: 'string' }, sentAt: time }),
    },
  }),
  Me: obj(['accountId', 'phoneNumber', 'cards'], {
    accountId: uuid,
    phoneNumber: { type: 'string', nullable: true },
    cards: {
      type: 'array',
      items: obj(['subscriptionId', 'iccid', 'region'], {
        subscriptionId: uuid,
        iccid: { type: 'string' },
        region: { type: 'string' },
        expiresAt: { ...time, nullable: true },
      }),
    },
  }),
  SubscriptionCreated: obj(['subscriptionId', 'position'], { subscriptionId: uuid, position }),
  Bucket: obj(['bucketId', 'expiresAt', 'mbGranted', 'mbRemaining'], {
    bucketId: { type: 'string' },
    expiresAt: time,
    mbGranted: { type: 'integer', minimum: 0 },
    mbRemaining: { type: 'integer', minimum: 0 },
  }),
  Subscription: obj(
    ['subscriptionId', 'accountId', 'iccid', 'region', 'status', 'dataRemainingMb', 'expiresAt', 'plansBought', 'buckets'],
    {
      subscriptionId: uuid,
      accountId: uuid,
      iccid: { type: 'string', pattern: '^[0-9]{19,20}$' },
      region: { enum: ['EU', 'US', 'APAC'] },
      status: { enum: ['new', 'active', 'expired'] },
      dataRemainingMb: { type: 'integer', minimum: 0 },
      expiresAt: { ...time, nullable: true },
      plansBought: { type: 'integer', minimum: 0 },
      pendingRenewalId: { type: 'string', nullable: true },
      buckets: { type: 'array', items: { $ref: '#/components/schemas/Bucket' } },
      position,
      asOf: time,
    },
  ),
  RenewalStarted: obj(['renewalId', 'status', 'links', 'position'], {
    renewalId: uuid,
    status: {
      enum: ['completed', 'failed', 'pending', 'abandoned'],
      description: 'pending: the payment goes on without the client (poll links.self); completed, failed and abandoned are final',
    },
    reason: {
      type: 'string',
      description: 'why the payment failed or was abandoned: card_declined, insufficient_funds, paypal_declined, …',
    },
    nextAction: obj(['type', 'url'], {
      type: { enum: ['approve', 'three_d_secure'] },
      url: { type: 'string', description: "the provider's page where the owner approves or authenticates" },
    }),
    links: obj(['self'], { self: { type: 'string', description: 'GET it until the renewal is no longer pending' } }),
    position,
  }),
  PaymentPage: obj(['date', 'payments'], {
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    next: { type: 'string', description: 'pass as `after` for the next page' },
    payments: {
      type: 'array',
      items: obj(['paymentId', 'renewalId', 'subscriptionId', 'method', 'currency', 'amountMinor', 'status', 'selectedAt', 'history'], {
        paymentId: { type: 'string' },
        renewalId: uuid,
        subscriptionId: uuid,
        accountId: { type: 'string', nullable: true },
        region: { type: 'string', nullable: true },
        planId: { type: 'string' },
        method: { enum: ['card', 'paypal', 'apple_pay'] },
        currency: { type: 'string' },
        listMinor: { type: 'integer' },
        discountsMinor: { type: 'integer' },
        promotions: { type: 'string', description: 'the promotion ids applied, space-separated' },
        amountMinor: { type: 'integer' },
        feeMinor: { type: 'integer', nullable: true, description: "the provider's fee as booked at capture" },
        netMinor: { type: 'integer', nullable: true },
        refundedMinor: { type: 'integer' },
        chargebackLostMinor: { type: 'integer' },
        status: { enum: ['pending', 'action_required', 'captured', 'failed', 'abandoned', 'refunded', 'partially_refunded'] },
        chargeback: { enum: ['open', 'won', 'lost'], nullable: true },
        entitlementGranted: { type: 'boolean' },
        revocations: { type: 'integer' },
        providerReference: { type: 'string', nullable: true },
        selectedAt: time,
        capturedAt: { ...time, nullable: true },
        history: {
          type: 'array',
          items: obj(['at', 'status'], { at: { type: 'string' }, status: { type: 'string' }, detail: { type: 'string' } }),
        },
      }),
    },
  }),
  ReconciliationRuns: obj(['day', 'runs'], {
    day: { type: 'string' },
    runs: { type: 'array', items: { $ref: '#/components/schemas/ReconciliationRunSummary' } },
  }),
  ReconciliationRunSummary: obj(['seq', 'day', 'breaks', 'hash', 'previousHash'], {
    seq: { type: 'integer' },
    day: { type: 'string' },
    breaks: { type: 'integer' },
    settlementSha256: { type: 'string' },
    ledgerSha256: { type: 'string' },
    reportSha256: { type: 'string', description: 'SHA-256 of the stored report (canonical JSON)' },
    previousHash: { type: 'string' },
    hash: { type: 'string', description: 'SHA-256 over the previous hash, the day and the three SHA-256 above' },
    ranAt: time,
  }),
  ReconciliationRun: obj(['run', 'report'], {
    run: { $ref: '#/components/schemas/ReconciliationRunSummary' },
    report: {
      type: 'object',
      description:
        'day, asOf, graceHours, inputs (SHA-256 of the file and of the ledger input), settlement (format, lines, ignored), payments, matched, pending (count, amounts per currency), breaks, totals (ledger and provider, per currency), revenue (per currency, method, region, plan, promotion)',
    },
  }),
  Refund: obj(['refundId', 'renewalId', 'status', 'amountMinor'], {
    refundId: uuid,
    renewalId: uuid,
    status: { enum: ['refunded', 'pending', 'refused'], description: 'pending: the provider has not answered yet; it is asked again' },
    amountMinor: { type: 'integer', minimum: 1 },
    reason: { type: 'string', description: "the provider's reason for a refused refund" },
  }),
  Renewal: obj(['renewalId', 'subscriptionId', 'planId', 'status', 'price', 'paymentMethod'], {
    renewalId: uuid,
    subscriptionId: uuid,
    planId: { type: 'string' },
    status: { enum: ['pending', 'completed', 'failed', 'abandoned'] },
    reason: { type: 'string' },
    price: money,
    paymentMethod: { enum: ['card', 'paypal', 'apple_pay'] },
    newExpiry: { ...time, nullable: true },
    nextAction: obj(['type', 'url'], { type: { enum: ['approve', 'three_d_secure'] }, url: { type: 'string' } }),
    refundedMinor: { type: 'integer', minimum: 0 },
    revokedMb: { type: 'integer', minimum: 0, description: 'data taken back by refunds and lost chargebacks' },
    chargeback: { enum: ['open', 'won', 'lost'], nullable: true },
    history: {
      type: 'array',
      description: "every step of the renewal's payment as the card recorded it, oldest first",
      items: obj(['at', 'event'], { at: { type: 'string' }, event: { type: 'string' }, detail: { type: 'string' } }),
    },
  }),
  UsageBatch: obj(['accepted', 'duplicate', 'refused', 'results'], {
    accepted: { type: 'integer', minimum: 0 },
    duplicate: { type: 'integer', minimum: 0 },
    refused: { type: 'integer', minimum: 0 },
    results: {
      type: 'array',
      items: obj(['index', 'subscriptionId', 'usageId', 'status'], {
        index: { type: 'integer', minimum: 0 },
        subscriptionId: uuid,
        usageId: { type: 'string' },
        status: { enum: ['accepted', 'duplicate', 'refused'] },
        dataRemainingMb: { type: 'integer' },
        position,
        code: {
          type: 'string',
          description:
            'why a record was refused (the codes of POST /v1/subscriptions/{id}/usage, MEASURED_AT_OUT_OF_RANGE, CONCURRENCY_CONFLICT)',
        },
        detail: { type: 'string' },
        field: { type: 'string' },
      }),
    },
  }),
  UsageRecorded: obj(['usageId', 'mb', 'dataRemainingMb', 'position'], {
    usageId: { type: 'string' },
    mb: { type: 'integer', minimum: 0 },
    dataRemainingMb: { type: 'integer', minimum: 0 },
    position,
  }),
  StoredEvents: obj(['subscriptionId', 'events'], {
    subscriptionId: uuid,
    events: {
      type: 'array',
      items: obj(['eventId', 'type', 'revision', 'position', 'recordedAt', 'data', 'metadata'], {
        eventId: { type: 'string' },
        type: { type: 'string' },
        revision: { type: 'integer', minimum: 0 },
        position,
        recordedAt: time,
        data: { type: 'object' },
        metadata: { type: 'object' },
      }),
    },
  }),
  Health: obj(['status', 'projection', 'projections'], {
    status: { enum: ['ok', 'degraded'] },
    projection: obj(['position'], { position }),
    projections: {
      type: 'array',
      items: obj(['name', 'state', 'quarantinedCount', 'quarantined'], {
        name: { type: 'string' },
        state: { type: 'string' },
        quarantinedCount: { type: 'integer', minimum: 0 },
        quarantined: { type: 'array', description: 'the cards set aside, with events and errors (staff only)' },
      }),
    },
  }),
};
