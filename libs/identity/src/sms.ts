/** Sends a text to a phone number; a real provider is an adapter behind this port. */
export interface SmsPort {
  send(phoneNumber: string, text: string): Promise<void>;
}

export interface SentSms {
  readonly phoneNumber: string;
  readonly text: string;
  readonly sentAt: string;
}

/**
 * The sandbox provider: keeps the last messages in memory so tests and the local console can read
 * the code that would have been texted (GET /v1/sandbox/sms). Never enabled with a real provider.
 */
export class SandboxSms implements SmsPort {
  private readonly sent: SentSms[] = [];

  async send(phoneNumber: string, text: string): Promise<void> {
    this.sent.push({ phoneNumber, text, sentAt: new Date().toISOString() });
    if (this.sent.length > 200) this.sent.shift();
  }

  /** Newest first. */
  messagesTo(phoneNumber: string): SentSms[] {
    return this.sent.filter((m) => m.phoneNumber === phoneNumber).reverse();
  }

  lastCode(phoneNumber: string): string | null {
    return /\b(\d{6})\b/.exec(this.messagesTo(phoneNumber)[0]?.text ?? '')?.[1] ?? null;
  }
}
