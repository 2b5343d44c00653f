import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './auth/access.guard';
import { LedgerThrottlerGuard } from './auth/ledger-throttler.guard';
import { AuthController } from './auth/auth.controller';
import { SandboxSmsController } from './auth/sandbox-sms.controller';
import { VerifyAccountHandler } from './accounts/verify-account.handler';
import { CardAccess } from './auth/card-access';
import { CqrsModule } from '@nestjs/cqrs';
import { InfrastructureOptions, LedgerInfrastructureModule } from './infrastructure/ledger-infrastructure.module';
import { PlansController } from './plans/plans.controller';
import { AccountsController } from './accounts/accounts.controller';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { OpenSubscriptionHandler } from './subscriptions/open-subscription.handler';
import { GetSubscriptionHandler } from './subscriptions/get-subscription.query';
import { GetSubscriptionEventsHandler } from './subscriptions/get-events.query';
import { GetSubscriptionAsOfHandler } from './subscriptions/get-subscription-as-of.query';
import { RenewalsController } from './renewals/renewals.controller';
import { RenewSubscriptionHandler } from './renewals/renew-subscription.handler';
import { GetRenewalHandler } from './renewals/get-renewal.query';
import { GetOffersHandler } from './renewals/get-offers.query';
import { FindCardsHandler } from './subscriptions/find-cards.query';
import { VerifyCardHandler } from './subscriptions/verify-card.query';
import { AutoRenewController } from './auto-renew/auto-renew.controller';
import { AuditController } from './audit/audit.controller';
import { AuditEventsHandler } from './audit/audit-events.query';
import { EventProofHandler } from './audit/event-proof.query';
import { UsageController } from './usage/usage.controller';
import { RecordUsageHandler } from './usage/record-usage.handler';
import { UsageBatchController } from './usage/usage-batch.controller';
import { RecordUsageBatchHandler } from './usage/record-usage-batch.handler';
import { HealthController } from './health/health.controller';
import { ProbesController } from './observability/probes.controller';
import { TerminusModule } from '@nestjs/terminus';
import { PspWebhooksController } from './payments/psp-webhooks.controller';
import { RefundsController } from './payments/refunds.controller';
import { FinanceController } from './finance/finance.controller';
import { ListPaymentsHandler } from './finance/list-payments.query';
import { GetRunHandler, ListRunsHandler } from './finance/reconciliation-runs.query';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    // Per client address, in this process's memory: a per-instance bound, not a cluster-wide quota.
    const perMinute = options.config.http.rateLimitPerMinute;
    // The credential routes' limit stays on even when the general one is turned off.
    const throttlers = [
      ...(perMinute > 0 ? [{ name: 'default', ttl: 60_000, limit: perMinute }] : []),
      { name: 'auth', ttl: 60_000, limit: options.config.http.authRateLimitPerMinute },
    ];
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LedgerInfrastructureModule.forRoot(options),
        ThrottlerModule.forRoot({ throttlers }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
      ],
      controllers: [
        AuthController,
        SandboxSmsController,
        PlansController,
        AccountsController,
        SubscriptionsController,
        RenewalsController,
        AutoRenewController,
        AuditController,
        UsageController,
        UsageBatchController,
        ProbesController,
        HealthController,
        PspWebhooksController,
        RefundsController,
        FinanceController,
      ],
      providers: [
        VerifyAccountHandler,
        CardAccess,
        // Authentication first, so the rate limit can count per account rather than per address.
        { provide: APP_GUARD, useClass: AccessGuard },
        OpenSubscriptionHandler,
        GetSubscriptionHandler,
        GetSubscriptionEventsHandler,
        GetSubscriptionAsOfHandler,
        RenewSubscriptionHandler,
        GetRenewalHandler,
        GetOffersHandler,
        FindCardsHandler,
        AuditEventsHandler,
        EventProofHandler,
        VerifyCardHandler,
        RecordUsageHandler,
        RecordUsageBatchHandler,
        ListPaymentsHandler,
        ListRunsHandler,
        GetRunHandler,
        { provide: APP_GUARD, useClass: LedgerThrottlerGuard },
      ],
    };
  }
}
