export * from './payment-gateway.port';
export * from './sandbox-payment-gateway';
