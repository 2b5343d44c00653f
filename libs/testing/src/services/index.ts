export * from './provisioning';
export * from './postgres.service';
export * from './kafka.service';
export * from './event-store-db.service';
export * from './describe-with-service';
export * from './pglite.service';
