import { FastifyInstance, FastifyReply } from 'fastify';
import { PaymentMethodType } from '@ledger/domain';
import { PspLedger } from './ledger';
import { PageAction, actionPage, conflictPage, donePage, notFoundPage } from './pages';

type Action = 'approve' | 'cancel' | 'complete' | 'fail';

interface Flow {
  readonly page: 'paypal' | '3ds';
  readonly method: PaymentMethodType;
  readonly title: string;
  readonly actions: readonly { readonly action: Action; readonly label: string }[];
}

/** What the payer sees: PayPal's approval and the issuer's 3-D Secure challenge. No API key: the payer has none. */
const FLOWS: readonly Flow[] = [
  {
    page: 'paypal',
    method: 'paypal',
    title: 'Approve your PayPal payment',
    actions: [
      { action: 'approve', label: 'Approve and pay' },
      { action: 'cancel', label: 'Cancel and return' },
    ],
  },
  {
    page: '3ds',
    method: 'card',
    title: 'Confirm it is you (3-D Secure)',
    actions: [
      { action: 'complete', label: 'Complete' },
      { action: 'fail', label: 'Fail' },
    ],
  },
];

const html = (reply: FastifyReply, status: number, page: string): FastifyReply =>
  reply.code(status).type('text/html; charset=utf-8').send(page);

export const registerOwnerRoutes = (app: FastifyInstance, ledger: PspLedger): void => {
  for (const flow of FLOWS) {
    const find = (id: string) => {
      try {
        const rec = ledger.get(id);
        return rec.payment.method === flow.method ? rec : undefined;
      } catch {
        return undefined;
      }
    };
    app.get<{ Params: { id: string } }>(`/pay/${flow.page}/:id`, async (req, reply) => {
      const rec = find(req.params.id);
      if (!rec) return html(reply, 404, notFoundPage());
      const actions: PageAction[] = flow.actions.map((a) => ({ path: `/pay/${flow.page}/${rec.payment.id}/${a.action}`, label: a.label }));
      return html(reply, 200, actionPage(flow.title, rec.payment, rec.description, actions));
    });
    for (const { action } of flow.actions) {
      app.post<{ Params: { id: string } }>(`/pay/${flow.page}/:id/${action}`, async (req, reply) => {
        const rec = find(req.params.id);
        if (!rec) return html(reply, 404, notFoundPage());
        const payment = ledger.ownerAction(rec.payment.id, action);
        return payment ? html(reply, 200, donePage(payment)) : html(reply, 409, conflictPage(ledger.get(rec.payment.id).payment, action));
      });
    }
  }
};
