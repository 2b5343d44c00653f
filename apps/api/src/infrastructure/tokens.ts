export const EVENT_STORE = Symbol('EVENT_STORE');
/** Commands decide through it (cached, snapshotted stream states over EVENT_STORE). */
export const STREAM_STATES = Symbol('STREAM_STATES');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const PROJECTION_POSITION = Symbol('PROJECTION_POSITION');
export const PROMOTION_RULES = Symbol('PROMOTION_RULES');
export const IDENTITY = Symbol('IDENTITY');
export const SANDBOX_SMS = Symbol('SANDBOX_SMS');
/** The renewals' payment process runner (libs/payments/src/process). */
export const PAYMENT_PROCESSES = Symbol('PAYMENT_PROCESSES');
/** The events exactly as stored (no upcasting): what the hash chain covers. */
export const STORED_EVENTS = Symbol('STORED_EVENTS');
