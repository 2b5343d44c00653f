import { SNAPSHOT_TABLE } from '../command/snapshots';

/**
 * One table for the global log, one for stream heads, and one appending function.
 *
 * Ordering without a global lock (design (b) of ARCHITECTURE.md): a position is the writing
 * transaction's id, shifted, plus the event's place in that transaction, offset by `es_log.base`
 * (one above the largest position written before this scheme, so old positions stay below new
 * ones). Readers of the global log take only positions below the oldest transaction still running
 * (`pg_snapshot_xmin`): everything below it has committed or never will, so a late commit can never
 * land behind a reader's checkpoint, and appends to different streams run concurrently.
 *
 * `es_append` is the whole append in one statement (one round trip): it answers the existing rows
 * when any of the ids is already stored (a retried append, or a clash the caller sorts out), or a
 * conflict with the actual head when the expectation fails, or the appended rows.
 */
export const EVENTS_PER_TRANSACTION = 1 << 20;

export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS es_events (
  position     bigint      PRIMARY KEY,
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
CREATE TABLE IF NOT EXISTS es_log (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  base      bigint  NOT NULL
);
-- A log from before es_append drew positions from a sequence: a writer of that release still running
-- would insert below the read bound's range and its events could be skipped, so it must fail instead.
ALTER TABLE es_events ALTER COLUMN position DROP DEFAULT;
INSERT INTO es_log (singleton, base)
  SELECT true, COALESCE((SELECT max(position) FROM es_events), 0) + 1
  ON CONFLICT (singleton) DO NOTHING;
${SNAPSHOT_TABLE}

CREATE OR REPLACE FUNCTION es_visible_below() RETURNS bigint LANGUAGE sql STABLE AS $fn$
  SELECT base + ((pg_snapshot_xmin(pg_current_snapshot())::text::bigint) << 20) FROM es_log
$fn$;

CREATE OR REPLACE FUNCTION es_append(p_stream text, p_mode text, p_expected integer, p_events jsonb)
RETURNS TABLE (o_outcome text, o_event_id uuid, o_stream_id text, o_revision integer, o_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := jsonb_array_length(p_events);
  ids uuid[] := ARRAY(SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x);
  head integer;
  lo bigint;
  first_position bigint;
BEGIN
  RETURN QUERY
    SELECT 'exists'::text, e.event_id, e.stream_id, e.revision, e.position FROM es_events e
    WHERE e.event_id = ANY(ids) ORDER BY e.position;
  IF FOUND THEN RETURN; END IF;

  IF p_mode = 'no_stream' THEN
    INSERT INTO es_streams AS s (stream_id, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_id) DO NOTHING RETURNING s.revision INTO head;
  ELSIF p_mode = 'exact' THEN
    UPDATE es_streams s SET revision = s.revision + n
      WHERE s.stream_id = p_stream AND s.revision = p_expected RETURNING s.revision INTO head;
  ELSIF p_mode = 'stream_exists' THEN
    UPDATE es_streams s SET revision = s.revision + n WHERE s.stream_id = p_stream RETURNING s.revision INTO head;
  ELSE
    INSERT INTO es_streams AS s (stream_id, revision) VALUES (p_stream, n - 1)
      ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n RETURNING s.revision INTO head;
  END IF;
  IF head IS NULL THEN
    -- An identical append may have won the race for the head: then this one is its replay.
    RETURN QUERY
      SELECT 'exists'::text, e.event_id, e.stream_id, e.revision, e.position FROM es_events e
      WHERE e.event_id = ANY(ids) ORDER BY e.position;
    IF FOUND THEN RETURN; END IF;
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, p_stream,
      COALESCE((SELECT s.revision FROM es_streams s WHERE s.stream_id = p_stream), -1), NULL::bigint;
    RETURN;
  END IF;

  lo := (SELECT base FROM es_log) + (pg_current_xact_id()::text::bigint << 20);
  SELECT COALESCE(max(e.position) + 1, lo) INTO first_position FROM es_events e
    WHERE e.position >= lo AND e.position < lo + ${1 << 20};
  IF first_position + n > lo + ${1 << 20} THEN
    RAISE EXCEPTION 'more than % events in one transaction', ${1 << 20};
  END IF;
  RETURN QUERY
    INSERT INTO es_events AS e (position, event_id, stream_id, revision, type, data, metadata)
    SELECT first_position + x.i - 1, (x.v->>'id')::uuid, p_stream, head - n + x.i::integer, x.v->>'type', x.v->'data', x.v->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(v, i)
    RETURNING 'appended'::text, e.event_id, e.stream_id, e.revision, e.position;
END
$fn$;

CREATE OR REPLACE FUNCTION es_append_many(p_writes jsonb)
RETURNS TABLE (o_write integer, o_outcome text, o_event_id uuid, o_stream_id text, o_revision integer, o_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  w jsonb;
  i integer := 0;
BEGIN
  FOR w IN SELECT x FROM jsonb_array_elements(p_writes) x LOOP
    RETURN QUERY SELECT i, a.* FROM es_append(w->>'stream', w->>'mode', (w->>'expected')::integer, w->'events') a;
    i := i + 1;
  END LOOP;
END
$fn$;
`;
