import { SettlementFileError, parseSettlement } from './settlement-file';

const SANDBOX = 'payout_id,provider_payment_id,reference,type,method,currency,gross_minor,fee_minor,net_minor,occurred_at\r\n';
const STRIPE =
  'balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,source_id,description,automatic_payout_id,payment_metadata[reference]\r\n';

describe('settlement files', () => {
  it('reads the sandbox format in minor units', () => {
    const file = parseSettlement(`${SANDBOX}po_1,pay_1,ref-1,charge,card,EUR,1599,47,1552,2026-12-01T10:00:00.000Z\r\n`);
    expect(file).toEqual({
      format: 'sandbox',
      ignored: 0,
      lines: [
        {
          line: 2,
          payoutId: 'po_1',
          reference: 'ref-1',
          kind: 'charge',
          currency: 'EUR',
          grossMinor: 1599,
          feeMinor: 47,
          netMinor: 1552,
          at: '2026-12-01T10:00:00.000Z',
        },
      ],
    });
  });

  it('maps a Stripe-style itemized payout report: decimal major units, lower-case currency, disputes as chargebacks', () => {
    const rows = [
      'txn_1,2026-12-01 10:00:00,2026-12-03 00:00:00,eur,15.99,0.47,15.52,charge,ch_1,renewal,po_9,ref-1',
      'txn_2,2026-12-01 11:00:00,2026-12-03 00:00:00,eur,-5.00,0.00,-5.00,refund,re_1,,po_9,ref-1',
      'txn_3,2026-12-01 12:00:00,2026-12-03 00:00:00,jpy,-1500,0,-1500,dispute,dp_1,,po_9,ref-2',
      'txn_4,2026-12-01 13:00:00,2026-12-03 00:00:00,eur,-1.00,0.00,-1.00,fee,fee_1,billing,po_9,',
    ];
    const file = parseSettlement(`${STRIPE}${rows.join('\r\n')}\r\n`);
    expect(file.format).toBe('stripe-itemized');
    expect(file.ignored).toBe(1);
    expect(file.lines.map((l) => [l.kind, l.reference, l.currency, l.grossMinor, l.feeMinor, l.netMinor, l.payoutId, l.at])).toEqual([
      ['charge', 'ref-1', 'EUR', 1599, 47, 1552, 'po_9', '2026-12-01T10:00:00.000Z'],
      ['refund', 'ref-1', 'EUR', -500, 0, -500, 'po_9', '2026-12-01T11:00:00.000Z'],
      ['chargeback', 'ref-2', 'JPY', -1500, 0, -1500, 'po_9', '2026-12-01T12:00:00.000Z'],
    ]);
  });

  it('refuses an amount with more decimals than its currency has, naming the line and column', () => {
    expect(() => parseSettlement(`${STRIPE}txn_1,2026-12-01 10:00:00,,eur,15.999,0,15.999,charge,ch_1,,po_9,ref-1\r\n`)).toThrow(
      /line 2, gross: "15.999"/,
    );
  });

  it('refuses a file without the columns it needs, or that is not CSV', () => {
    expect(() => parseSettlement('a,b\r\n1,2\r\n')).toThrow(SettlementFileError);
    expect(() => parseSettlement('')).toThrow(/empty/);
    expect(() => parseSettlement(`${SANDBOX}"unterminated\r\n`)).toThrow(/not CSV/);
  });
});
