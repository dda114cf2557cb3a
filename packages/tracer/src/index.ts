export * from './types';
export { trace } from './trace';
export { recentForReturningClient } from './returning';
export { hostPort } from './walk';
export { ifaceMatches } from './eval-cond';
