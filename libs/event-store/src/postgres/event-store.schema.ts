/**
 * One table for the global log, one for stream heads. Positions come from a sequence, and
 * appends are serialized (see postgres-event-store.ts) so that positions commit in order.
 */
export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS es_events (
  position     bigserial   PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  stream_id    text        NOT NULL,
  revision     integer     NOT NULL,
  type         text        NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, revision)
);
CREATE TABLE IF NOT EXISTS es_streams (
  stream_id text    PRIMARY KEY,
  revision  integer NOT NULL
);
`;
