import { OpenAPIObject } from '@nestjs/swagger';
import { RESPONSE_SCHEMAS } from './schemas';

type Codes = Partial<Record<number, string[]>>;

interface OperationContract {
  readonly success: [number, string | null];
  /** Who may call it, in words for the document; absent: anyone (no token). */
  readonly who?: string;
  readonly errors: Codes;
  /** Also answers text/csv (`format=csv`). */
  readonly csv?: true;
  readonly links?: Record<string, { operationId: string; parameters: Record<string, string>; requestBody?: object; description: string }>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uuidParam = { type: 'string', format: 'uuid' };
const positionParam = { type: 'string', pattern: '^[0-9]{1,19}$' };

/** Every operation may meet these: the rate limit, and the limits on what a request may be. */
const ANY: Codes = { 408: ['REQUEST_TIMEOUT'], 429: ['RATE_LIMITED'], 431: ['HEADERS_TOO_LARGE'] };
const WITH_BODY: Codes = {
  400: ['VALIDATION_FAILED', 'MALFORMED_REQUEST', 'JSON_TOO_DEEP'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};
const READ_YOUR_WRITES: Codes = { 503: ['PROJECTION_BEHIND', 'TOO_MANY_WAITERS', 'READ_MODEL_FAILED'] };
const QUERY_400 = ['VALIDATION_FAILED', 'POSITION_NOT_IN_LOG'];
const cardLinks = (from: string) => ({
  GetSubscription: { operationId: 'SubscriptionsController_get', parameters: { id: from }, description: 'the card just written' },
  GetSubscriptionEvents: { operationId: 'SubscriptionsController_events', parameters: { id: from }, description: "the card's events" },
  RenewSubscription: { operationId: 'RenewalsController_renew', parameters: { id: from }, description: 'renew the card' },
  RecordUsage: { operationId: 'UsageController_record', parameters: { id: from }, description: 'record usage on the card' },
});

const AUTH_400 = [...WITH_BODY[400]!, 'WEAK_PASSWORD', 'CODE_INVALID'];
const CREDENTIALS: Codes = { ...WITH_BODY, 400: AUTH_400 };
const OWNER = 'card owner';
const READERS = 'card owner (own cards), support, finance, auditor';

const OPERATIONS: Record<string, OperationContract> = {
  PlansController_list: { success: [200, 'PlanList'], errors: { 400: ['VALIDATION_FAILED'] } },
  AuthController_register: {
    success: [202, 'Registered'],
    errors: { ...CREDENTIALS, 429: ['RATE_LIMITED', 'CODE_RECENTLY_SENT'] },
  },
  AuthController_verify: { success: [200, 'Verified'], errors: { ...CREDENTIALS } },
  AuthController_login: {
    success: [200, 'Session'],
    errors: { ...CREDENTIALS, 401: ['INVALID_CREDENTIALS'], 429: ['RATE_LIMITED', 'ACCOUNT_LOCKED'] },
  },
  AuthController_refresh: { success: [200, 'Session'], errors: { ...CREDENTIALS, 401: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED'] } },
  AuthController_logout: { success: [204, null], errors: { ...CREDENTIALS } },
  AuthController_requestReset: { success: [202, 'Message'], errors: { ...CREDENTIALS } },
  AuthController_confirmReset: { success: [200, 'PasswordChanged'], errors: { ...CREDENTIALS } },
  AuthController_staffLogin: {
    success: [200, 'Session'],
    errors: { ...CREDENTIALS, 401: ['INVALID_CREDENTIALS'], 429: ['RATE_LIMITED', 'ACCOUNT_LOCKED'] },
  },
  AuthController_token: { success: [200, 'ClientToken'], errors: { ...CREDENTIALS, 401: ['INVALID_CREDENTIALS'] } },
  SandboxSmsController_list: {
    success: [200, 'SandboxSms'],
    errors: { 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] },
  },
  AccountsController_me: { success: [200, 'Me'], who: OWNER, errors: {} },
  AccountsController_erase: {
    success: [204, null],
    who: 'the card owner (own account), admin',
    errors: { 400: ['VALIDATION_FAILED'], 404: ['ACCOUNT_NOT_FOUND'] },
  },
  SubscriptionsController_open: {
    success: [201, 'SubscriptionCreated'],
    who: OWNER,
    errors: { ...WITH_BODY, 404: ['ACCOUNT_NOT_FOUND'], 409: ['SUBSCRIPTION_ALREADY_OPENED', 'ICCID_IN_USE', 'CONCURRENCY_CONFLICT'] },
    links: cardLinks('$response.body#/subscriptionId'),
  },
  SubscriptionsController_get: {
    success: [200, 'Subscription'],
    who: READERS,
    errors: { 400: QUERY_400, 404: ['SUBSCRIPTION_NOT_FOUND'], ...READ_YOUR_WRITES },
  },
  SubscriptionsController_find: {
    success: [200, 'CardList'],
    who: 'support, finance, auditor',
    errors: { 400: ['VALIDATION_FAILED'] },
  },
  SubscriptionsController_offers: {
    success: [200, 'Offers'],
    who: READERS,
    errors: { 400: ['VALIDATION_FAILED'], 404: ['SUBSCRIPTION_NOT_FOUND'], 422: ['UNKNOWN_PROMOTION_CODE', 'PROMOTION_NOT_APPLICABLE'] },
  },
  SubscriptionsController_verification: {
    success: [200, 'CardVerification'],
    who: READERS,
    errors: { 400: ['VALIDATION_FAILED'], 404: ['SUBSCRIPTION_NOT_FOUND'] },
  },
  SubscriptionsController_events: {
    success: [200, 'StoredEvents'],
    errors: { 400: ['VALIDATION_FAILED'], 404: ['SUBSCRIPTION_NOT_FOUND'] },
  },
  RenewalsController_renew: {
    success: [201, 'RenewalStarted'],
    who: OWNER,
    errors: {
      ...WITH_BODY,
      400: [...WITH_BODY[400]!, 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_INVALID'],
      404: ['SUBSCRIPTION_NOT_FOUND', 'PLAN_NOT_FOUND'],
      409: ['RENEWAL_IN_PROGRESS', 'CONCURRENCY_CONFLICT', 'DUPLICATE_EVENT_ID'],
      422: ['PLAN_NOT_IN_REGION', 'IDEMPOTENCY_KEY_REUSED', 'UNKNOWN_PROMOTION_CODE', 'PROMOTION_NOT_APPLICABLE'],
    },
    links: {
      GetRenewal: {
        operationId: 'RenewalsController_get',
        parameters: { id: '$request.path.id', renewalId: '$response.body#/renewalId', minPosition: '$response.body#/position' },
        description: "the renewal's status, once projected",
      },
      GetSubscription: {
        operationId: 'SubscriptionsController_get',
        parameters: { id: '$request.path.id', minPosition: '$response.body#/position' },
        description: 'the card after it',
      },
    },
  },
  AuditController_events: {
    success: [200, 'AuditEvents'],
    who: 'auditor',
    errors: { 400: ['VALIDATION_FAILED', 'POSITION_NOT_IN_LOG'] },
  },
  AuditController_proof: {
    success: [200, 'EventProof'],
    who: 'auditor',
    errors: { 400: ['VALIDATION_FAILED'], 404: ['EVENT_NOT_FOUND'] },
  },
  AutoRenewController_get: {
    success: [200, 'AutoRenew'],
    who: READERS,
    errors: { 400: ['VALIDATION_FAILED'], 404: ['SUBSCRIPTION_NOT_FOUND'] },
  },
  AutoRenewController_enable: {
    success: [200, 'AutoRenew'],
    who: OWNER,
    errors: { ...WITH_BODY, 404: ['SUBSCRIPTION_NOT_FOUND', 'PLAN_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 422: ['PLAN_NOT_IN_REGION'] },
  },
  AutoRenewController_disable: {
    success: [204, null],
    who: OWNER,
    errors: { 400: ['VALIDATION_FAILED'], 404: ['SUBSCRIPTION_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] },
  },
  RefundsController_refund: {
    success: [201, 'Refund'],
    who: 'finance',
    errors: {
      ...WITH_BODY,
      400: [...WITH_BODY[400]!, 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_INVALID'],
      404: ['RENEWAL_NOT_FOUND'],
      409: ['RENEWAL_NOT_PAID', 'CONCURRENCY_CONFLICT'],
      422: ['REFUND_EXCEEDS_PAYMENT', 'IDEMPOTENCY_KEY_REUSED'],
    },
  },
  FinanceController_payments: {
    success: [200, 'PaymentPage'],
    who: 'finance',
    csv: true,
    errors: { 400: ['VALIDATION_FAILED'] },
  },
  FinanceController_runs: { success: [200, 'ReconciliationRuns'], who: 'finance', errors: { 400: ['VALIDATION_FAILED'] } },
  FinanceController_run: {
    success: [200, 'ReconciliationRun'],
    who: 'finance',
    csv: true,
    errors: { 400: ['VALIDATION_FAILED'], 404: ['RUN_NOT_FOUND'] },
  },
  RenewalsController_get: {
    success: [200, 'Renewal'],
    who: READERS,
    errors: { 400: QUERY_400, 404: ['RENEWAL_NOT_FOUND', 'SUBSCRIPTION_NOT_FOUND'], ...READ_YOUR_WRITES },
  },
  UsageController_record: {
    success: [201, 'UsageRecorded'],
    who: 'machine client with the usage:record scope (the network usage feed)',
    errors: {
      ...WITH_BODY,
      404: ['SUBSCRIPTION_NOT_FOUND'],
      409: ['CONCURRENCY_CONFLICT'],
      422: ['INSUFFICIENT_DATA', 'SUBSCRIPTION_EXPIRED', 'USAGE_ID_REUSED'],
    },
    links: {
      GetSubscription: {
        operationId: 'SubscriptionsController_get',
        parameters: { id: '$request.path.id', minPosition: '$response.body#/position' },
        description: 'the card after it',
      },
    },
  },
  UsageBatchController_record: {
    success: [200, 'UsageBatch'],
    who: 'machine client with the usage:record scope (the network usage feed)',
    errors: { ...WITH_BODY },
  },
  HealthController_health: { success: [200, 'Health'], errors: { 503: ['UNHEALTHY'] } },
};

/** Request rules the validators enforce that the DTO decorators cannot say (parameters, closed bodies). */
const tightenParameters = (op: {
  parameters?: { name: string; in: string; required?: boolean; schema?: object; description?: string }[];
}): void => {
  for (const p of op.parameters ?? []) {
    if (p.in === 'path') p.schema = uuidParam;
    if (p.name === 'minPosition') p.schema = positionParam;
    if (p.name === 'asOf') p.schema = { type: 'string', format: 'date-time' };
    if (p.name === 'Idempotency-Key') {
      p.required = true;
      p.schema = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' };
    }
  }
};

const response = (status: number, codes: string[]) => ({
  description: `${codes.join(', ')}${status === 429 || status === 503 ? ' (with Retry-After)' : ''}`,
  content: { 'application/problem+json': { schema: { allOf: [ref('Problem'), { properties: { code: { enum: codes } } }] } } },
  ...(status === 429 || status === 503
    ? { headers: { 'Retry-After': { required: true, schema: { type: 'string', pattern: '^[0-9]+$' } } } }
    : {}),
});

/**
 * The spec is the contract: Nest's generator knows the routes and the request DTOs; this adds what
 * it cannot see (responses, every error with its codes, parameter formats, links for stateful
 * testing, closed request bodies). An operation the map does not know fails the build of the doc.
 */
export const applyContract = (doc: OpenAPIObject): OpenAPIObject => {
  doc.info.description = `${doc.info.description ?? ''}\n\nEvery error is application/problem+json with a stable \`code\`. Besides the responses listed per operation: a known path called with another method answers 405 METHOD_NOT_ALLOWED with \`Allow\`; an unknown path 404 ROUTE_NOT_FOUND; a bug 500 INTERNAL_ERROR, with nothing written.`;
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...(RESPONSE_SCHEMAS as Record<string, object>) } };
  // Unknown fields are refused (forbidNonWhitelisted), so request bodies are closed.
  for (const name of Object.keys(doc.components.schemas ?? {})) {
    if (name.endsWith('Dto')) (doc.components.schemas![name] as { additionalProperties?: boolean }).additionalProperties = false;
  }
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops) as { operationId: string; responses: Record<string, object>; parameters?: [] }[]) {
      const contract = OPERATIONS[op.operationId];
      if (!contract) throw new Error(`the OpenAPI contract does not describe ${op.operationId}`);
      tightenParameters(op as never);
      const [status, schema] = contract.success;
      op.responses = {
        [status]: {
          description: schema ?? 'done; no body',
          ...(schema
            ? {
                content: {
                  'application/json': { schema: ref(schema) },
                  ...(contract.csv ? { 'text/csv': { schema: { type: 'string', description: 'RFC 4180, a header row' } } } : {}),
                },
              }
            : {}),
          ...(contract.links ? { links: contract.links } : {}),
        },
      };
      const errors: Codes = { ...ANY, ...contract.errors };
      if (contract.who) {
        (op as { security?: object[] }).security = [{ bearer: [] }];
        (op as { description?: string }).description =
          `Who may call it: ${contract.who}. Another account's card answers 404, as a card that does not exist.`;
        errors[401] = ['UNAUTHENTICATED', 'TOKEN_INVALID'];
        errors[403] = ['FORBIDDEN'];
      } else (op as { security?: object[] }).security = [];
      for (const [code, list] of Object.entries(errors)) op.responses[code] = response(Number(code), list!);
    }
  }
  return doc;
};
