import { describe, expect, it } from 'vitest';
import { resultFromErrno } from './probe-once';

describe('resultFromErrno', () => {
  it.each([
    ['ECONNREFUSED', { kind: 'refused' }],
    ['ENONET', { kind: 'forwarded' }],
    ['EHOSTUNREACH', { kind: 'unreachable', code: 'EHOSTUNREACH' }],
    ['EPERM', 'wait'],
    ['EADDRNOTAVAIL', null],
    [undefined, null],
  ] as const)('%s → %j', (code, expected) => expect(resultFromErrno(code)).toEqual(expected));
});
