import type { z } from 'zod';
import { describeIssues } from '@svcpath/api-contract';
import { DomainError } from '../errors';

/** Parses `value` with `schema` or throws INVALID_REQUEST listing every issue. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new DomainError('INVALID_REQUEST', `invalid ${what}`, { issues: describeIssues(r.error) });
}
