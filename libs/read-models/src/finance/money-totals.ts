/** Money of a day per currency: what the ledger booked, or what the provider's file reports. */
export type MoneyTotals = Record<
  string,
  { charges: number; fees: number; refunds: number; chargebacks: number; net: number; count: number }
>;

export const addToTotals = (
  out: MoneyTotals,
  m: { readonly currency: string; readonly kind: string; readonly grossMinor: number; readonly feeMinor: number | null },
): void => {
  const t = (out[m.currency] ??= { charges: 0, fees: 0, refunds: 0, chargebacks: 0, net: 0, count: 0 });
  t.count++;
  if (m.kind === 'charge') t.charges += m.grossMinor;
  if (m.kind === 'refund') t.refunds += m.grossMinor;
  if (m.kind === 'chargeback') t.chargebacks += m.grossMinor;
  t.fees += m.feeMinor ?? 0;
  t.net += m.grossMinor - (m.feeMinor ?? 0);
};
