import {
  CreatePaymentRequest,
  PaymentProvider,
  ProviderPayment,
  ProviderRejectedError,
  ProviderUnavailableError,
  RefundRequest,
} from './payment-provider.port';

export interface PspClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** For the whole exchange, body included: a provider that accepts and never answers must not hang a renewal. */
  readonly timeoutMs: number;
}

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

/** The payment provider over HTTP. Anything but a clear 4xx means "unknown outcome": see ProviderUnavailableError. */
export class PspClient implements PaymentProvider {
  private readonly baseUrl: string;

  constructor(private readonly options: PspClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  createPayment(request: CreatePaymentRequest): Promise<ProviderPayment> {
    return this.call({ method: 'POST', path: '/v1/payments', body: request, idempotencyKey: request.reference });
  }

  async findPayment(reference: string): Promise<ProviderPayment | null> {
    const list = await this.call<{ data?: ProviderPayment[] }>({
      method: 'GET',
      path: `/v1/payments?reference=${encodeURIComponent(reference)}`,
    });
    if (!Array.isArray(list.data)) throw new ProviderUnavailableError('provider answered a list without data');
    return list.data[0] ?? null;
  }

  capturePayment(paymentId: string): Promise<ProviderPayment> {
    return this.call({ method: 'POST', path: `/v1/payments/${encodeURIComponent(paymentId)}/capture` });
  }

  cancelPayment(paymentId: string): Promise<ProviderPayment> {
    return this.call({ method: 'POST', path: `/v1/payments/${encodeURIComponent(paymentId)}/cancel` });
  }

  refundPayment(paymentId: string, request: RefundRequest): Promise<ProviderPayment> {
    const body = { reference: request.reference, amountMinor: request.amountMinor };
    return this.call({
      method: 'POST',
      path: `/v1/payments/${encodeURIComponent(paymentId)}/refunds`,
      body,
      idempotencyKey: request.reference,
    });
  }

  private async call<T>({ method, path, body, idempotencyKey }: Call): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      throw new ProviderUnavailableError(`${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    // A timeout, a rate limit or a conflict in flight at the provider says nothing final: ask again later.
    if (status >= 500 || status < 200 || (status >= 300 && status < 400) || status === 408 || status === 429) {
      throw new ProviderUnavailableError(`${method} ${path}: provider answered ${status}`);
    }
    const parsed = parseJson(text);
    if (status >= 400) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
      const message = typeof error?.message === 'string' ? error.message : `provider answered ${status}`;
      throw new ProviderRejectedError(status, code, message);
    }
    // A 2xx we cannot read may still mean the work was done: the caller must look it up again.
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
      throw new ProviderUnavailableError(`${method} ${path}: unreadable ${status} answer`);
    }
    return parsed as T;
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
