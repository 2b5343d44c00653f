import { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ProblemException } from './problem';

/**
 * Nesting depth of a JSON text, counted without parsing it: a body nested a few thousand levels
 * deep is refused before the parser or the validator recurse into it and overflow the stack.
 */
export const jsonDepth = (text: string, stopAt: number): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > stopAt) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
};

export type RawBodyRequest = { rawBody?: string };

/**
 * The API's only body parser: JSON, bounded in depth, with `__proto__`/`constructor` keys refused.
 * Every other media type (forms included) has no parser and is answered 415 by Fastify.
 */
export const registerJsonBody = (fastify: FastifyInstance, maxDepth: number): void => {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    // Signed webhooks are verified over the bytes as sent, not over a re-serialisation.
    (req as RawBodyRequest).rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text, maxDepth) > maxDepth) {
      return done(
        new ProblemException(400, 'JSON_TOO_DEEP', `the body nests deeper than ${maxDepth} levels`, undefined, {
          limit: { name: 'HTTP_MAX_JSON_DEPTH', value: maxDepth },
        }),
      );
    }
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      done(new ProblemException(400, 'MALFORMED_REQUEST', `the body is not valid JSON: ${(err as Error).message}`));
    }
  });
};
