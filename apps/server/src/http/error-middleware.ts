import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError } from '../errors';

/** body-parser's errors carry a `type`; map the ones a client can cause. */
function fromBodyParser(err: { type?: string; message?: string }): DomainError | null {
  switch (err.type) {
    case 'entity.too.large':
      return new DomainError('PAYLOAD_TOO_LARGE', 'request body too large', null);
    case 'entity.parse.failed':
      return new DomainError('INVALID_JSON', 'request body is not valid JSON', null);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', err.message ?? 'unsupported encoding', null);
    default:
      return null;
  }
}

/** The one place errors become `{ error: { code, message, details } }`; internals are logged, never sent. */
export const errorMiddleware: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const domain = err instanceof DomainError ? err : fromBodyParser((err ?? {}) as { type?: string });
  if (domain) {
    res.status(domain.status).json(domain.toBody());
    return;
  }
  console.error('svcpath server:', err);
  res.status(500).json(new DomainError('INTERNAL', 'internal error', null).toBody());
};

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new DomainError('NOT_FOUND', `no API route ${req.method} ${req.path}`, null));
};
