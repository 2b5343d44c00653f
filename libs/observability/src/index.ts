// Metrics, traces, logs and health: what every ledger process exposes to its operators.
export {};
