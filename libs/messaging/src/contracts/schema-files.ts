import { DEAD_LETTER_TYPE } from './to-integration-event';
import { PUBLISHED_EVENT_TYPES } from './subscription-events.v1';

const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** File name of an event's JSON Schema under libs/messaging/schemas (not shipped in dist: docs and tests read it). */
export const schemaFileName = (eventName: string, version = 1): string => `${kebab(eventName)}.v${version}.json`;

export const SCHEMA_FILES: Readonly<Record<string, string>> = Object.fromEntries(
  [...PUBLISHED_EVENT_TYPES, DEAD_LETTER_TYPE].map((t) => [t, schemaFileName(t)]),
);
