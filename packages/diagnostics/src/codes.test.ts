import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, helpAnchor } from './codes';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/doctor.md'), 'utf8');

describe('finding code catalogue', () => {
  it('has one docs/doctor.md anchor per code, and no heading for a code that does not exist', () => {
    const headings = [...doc.matchAll(/^### ([A-Z0-9_]+)$/gm)].map((m) => m[1]);
    expect([...headings].sort()).toEqual([...FINDING_CODES].sort());
    expect(helpAnchor('SVC_NO_ENDPOINTS')).toBe('docs/doctor.md#svc_no_endpoints');
  });
});
