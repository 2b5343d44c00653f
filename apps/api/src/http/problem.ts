/** RFC 9457 problem details; `code` is stable for clients, `field` names the offending input. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  errors?: { field: string; code: string; message: string }[];
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problem = (
  status: number,
  code: string,
  detail: string,
  field?: string,
  extra: Record<string, unknown> = {},
): ProblemBody => ({
  type: `urn:ledger:problem:${code.toLowerCase().replace(/_/g, '-')}`,
  title: TITLES[status] ?? 'Error',
  status,
  detail,
  code,
  ...(field ? { field } : {}),
  ...extra,
});
