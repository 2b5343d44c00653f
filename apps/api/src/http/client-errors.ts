import { Socket } from 'node:net';
import { problem } from './problem';

const STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'the request headers are larger than HTTP_MAX_HEADER_BYTES'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request did not arrive in full within HTTP_REQUEST_TIMEOUT_MS'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request headers did not arrive within HTTP_REQUEST_TIMEOUT_MS'],
};

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Errors Node's HTTP parser raises before any route runs (oversized headers, bytes that are not
 * HTTP, a request that never finishes) still get a problem+json body, then the socket is closed.
 */
export const clientErrorHandler = (err: NodeJS.ErrnoException, socket: Socket): void => {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const [status, code, detail] = STATUS[err.code ?? ''] ?? [400, 'MALFORMED_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify(problem(status, code, detail));
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};
