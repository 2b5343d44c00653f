import { Money } from '@ledger/domain';
import { ProviderPayment } from '@ledger/payments';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Minor units shown as the payer reads them (9.99 EUR → €9.99), with the currency's own decimals. */
export const formatMoney = (m: Money): string => {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: m.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(m.amountMinor / 10 ** digits);
};

const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem}</style>
</head>
<body><main><p><strong>PSP sandbox</strong> — test payments only, no money moves.</p>
<h1>${escape(title)}</h1>
${body}
</main></body></html>
`;

export interface PageAction {
  readonly path: string;
  readonly label: string;
}

/** The approval / challenge page: what is paid, and one form per choice (works without JavaScript). */
export const actionPage = (
  title: string,
  payment: ProviderPayment,
  description: string | undefined,
  actions: readonly PageAction[],
): string => {
  const amount = formatMoney(payment.amount);
  const details = `<dl>
<dt>Amount</dt><dd id="amount">${escape(amount)}</dd>
${description ? `<dt>For</dt><dd>${escape(description)}</dd>\n` : ''}<dt>Payment</dt><dd><code>${escape(payment.id)}</code></dd>
</dl>`;
  if (payment.status !== 'requires_action')
    return layout(title, `${details}\n<p role="status">This payment is already ${escape(payment.status)}.</p>`);
  const forms = actions
    .map(
      (a) =>
        `<form method="post" action="${escape(a.path)}"><button type="submit" aria-label="${escape(`${a.label} ${amount}`)}">${escape(a.label)}</button></form>`,
    )
    .join('\n');
  return layout(title, `${details}\n<section aria-label="Choose">\n${forms}\n</section>`);
};

export const donePage = (payment: ProviderPayment): string =>
  layout(
    'Done',
    `<p role="status">Payment <code>${escape(payment.id)}</code> is ${escape(payment.status)}. You can return to the shop.</p>`,
  );

export const conflictPage = (payment: ProviderPayment, action: string): string =>
  layout(
    'Not possible',
    `<p role="alert">Cannot ${escape(action)} payment <code>${escape(payment.id)}</code>: it is ${escape(payment.status)}.</p>`,
  );

export const notFoundPage = (): string => layout('Payment not found', '<p role="alert">There is no such payment waiting for you.</p>');
