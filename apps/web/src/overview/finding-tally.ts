import { useMemo } from 'react';
import { findingCounts } from '@svcpath/graph';
import type { FindingsResult } from '../api/types';

/** The doctor's findings counted per namespace and Service, with the state of the query behind them. */
export interface FindingTally {
  readonly state: 'loading' | 'loaded' | 'failed';
  readonly total: number;
  readonly byNamespace: ReadonlyMap<string, number>;
  readonly byService: ReadonlyMap<string, number>;
}

/** Counts once per findings result (a 10,000-Service node has hundreds of findings). */
export function useFindingTally(result: FindingsResult | undefined, failed: boolean): FindingTally {
  return useMemo(() => {
    if (!result) return { state: failed ? 'failed' : 'loading', total: 0, byNamespace: new Map(), byService: new Map() };
    const c = findingCounts(result.findings);
    return { state: 'loaded', total: result.findings.length, byNamespace: c.byNamespace, byService: c.byService };
  }, [result, failed]);
}
