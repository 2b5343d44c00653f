import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { InfrastructureOptions, LedgerInfrastructureModule } from './infrastructure/ledger-infrastructure.module';
import { PlansController } from './plans/plans.controller';
import { AccountsController } from './accounts/accounts.controller';
import { RegisterAccountHandler } from './accounts/register-account.handler';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { OpenSubscriptionHandler } from './subscriptions/open-subscription.handler';
import { GetSubscriptionHandler } from './subscriptions/get-subscription.query';
import { GetSubscriptionEventsHandler } from './subscriptions/get-events.query';
import { GetSubscriptionAsOfHandler } from './subscriptions/get-subscription-as-of.query';
import { RenewalsController } from './renewals/renewals.controller';
import { RenewSubscriptionHandler } from './renewals/renew-subscription.handler';
import { GetRenewalHandler } from './renewals/get-renewal.query';
import { UsageController } from './usage/usage.controller';
import { RecordUsageHandler } from './usage/record-usage.handler';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), LedgerInfrastructureModule.forRoot(options)],
      controllers: [PlansController, AccountsController, SubscriptionsController, RenewalsController, UsageController, HealthController],
      providers: [
        RegisterAccountHandler,
        OpenSubscriptionHandler,
        GetSubscriptionHandler,
        GetSubscriptionEventsHandler,
        GetSubscriptionAsOfHandler,
        RenewSubscriptionHandler,
        GetRenewalHandler,
        RecordUsageHandler,
      ],
    };
  }
}
