export * from './psp-client';
export * from './webhook-signature';
export * from './payment-provider.port';
export * from './process/process-executor';
export * from './process/payment-process-runner';
export * from './process/stranded-renewals';
export * from './process/payment-id';
