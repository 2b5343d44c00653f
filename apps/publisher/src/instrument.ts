// First import of the process's main file: the tracer must be in place before the modules it
// instruments (http, pg, Nest) are loaded.
import { startTracing } from '../../../libs/observability/src/tracing-sdk';

/** Flushed by the process before it exits, so its last spans are not lost. */
export const tracing = startTracing('ledger-publisher');
