import { money } from '@ledger/domain';
import { SandboxPaymentGateway } from './sandbox-payment-gateway';

const request = (token: string, paymentId = `pay-${token}`) => ({
  paymentId,
  amount: money(1999, 'EUR'),
  method: 'paypal' as const,
  token,
});

describe('sandbox payment gateway', () => {
  it('declines tok_decline tokens with card_declined', async () => {
    expect(await new SandboxPaymentGateway().capture(request('tok_decline_1'))).toMatchObject({
      status: 'failed',
      reason: 'card_declined',
    });
  });

  it('refuses tok_insufficient tokens with insufficient_funds', async () => {
    expect(await new SandboxPaymentGateway().capture(request('tok_insufficient'))).toMatchObject({
      status: 'failed',
      reason: 'insufficient_funds',
    });
  });

  it('captures anything else with a provider reference for the method', async () => {
    const result = await new SandboxPaymentGateway().capture(request('tok_ok'));
    expect(result).toMatchObject({ status: 'captured', amount: money(1999, 'EUR') });
    expect(result.status === 'captured' && result.providerReference).toMatch(/^pp_[0-9a-f]{16}$/);
  });

  it('charges once for the same payment id', async () => {
    const gateway = new SandboxPaymentGateway();
    const first = await gateway.capture(request('tok_ok', 'p-1'));
    const again = await gateway.capture(request('tok_ok', 'p-1'));
    expect(again).toEqual(first);
    expect(gateway.captures).toBe(1);
  });
});
