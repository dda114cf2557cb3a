import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../errors';

/**
 * Content-Security-Policy and friends, set by hand. Styles allow 'unsafe-inline' because React
 * Flow positions nodes with style attributes; images allow data:/blob: for the PNG export.
 */
const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), payment=()',
};

export const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
  res.removeHeader('X-Powered-By');
  next();
};

/**
 * Refuses requests whose Host is not one of the server's own names, and cross-origin requests
 * (Origin not this server): a page on another site, or a DNS name rebound to 127.0.0.1, must not
 * read or change snapshots. `allowedHosts` is read per request: with PORT=0 it is known only after
 * listen.
 */
export function hostGuard(allowedHosts: () => ReadonlySet<string>): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const hosts = allowedHosts();
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) return next(new DomainError('FORBIDDEN_HOST', 'this server answers only to its own address', { host }));
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.has(originHost(origin))) return next(new DomainError('FORBIDDEN_ORIGIN', 'cross-origin requests are refused', { origin }));
    next();
  };
}

function originHost(origin: string): string {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : '';
  } catch {
    return '';
  }
}

/** The Host values a server bound to `host:port` answers to (loopback names all count as one). */
export function ownHosts(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'];
  const names = loopback.includes(host) || host === '0.0.0.0' || host === '::' ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  const out = new Set(names.map((n) => `${n}:${port}`.toLowerCase()));
  for (const e of extra) out.add(e.toLowerCase());
  return out;
}
