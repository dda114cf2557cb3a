import type { TraceError, TraceLimits } from './types';

const DEFAULT_MAX_STEPS = 2_000_000;
const DEFAULT_MAX_OUTCOMES = 10_000;
/** The clock is read once per this many steps: cheap enough, fine enough. */
const CLOCK_EVERY = 1024;

/** Thrown inside a trace when it must stop (a limit, a loop); trace() turns it into a TraceError. */
export class TraceStopped extends Error {
  constructor(readonly error: TraceError) {
    super(error.message);
  }
}

/** Counts the work of one trace against its limits. */
export class Budget {
  private steps = 0;
  private readonly maxSteps: number;
  readonly maxOutcomes: number;
  private readonly deadline: number | null;

  constructor(private readonly limits: TraceLimits = {}) {
    this.maxSteps = limits.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxOutcomes = limits.maxOutcomes ?? DEFAULT_MAX_OUTCOMES;
    this.deadline = limits.now && limits.maxMillis !== undefined ? limits.now() + limits.maxMillis : null;
  }

  /** One rule evaluated for one branch. */
  step(): void {
    this.steps++;
    if (this.steps > this.maxSteps) throw over(`the trace evaluated more than ${this.maxSteps.toLocaleString('en-US')} rules`);
    if (this.deadline !== null && this.steps % CLOCK_EVERY === 0 && this.limits.now!() > this.deadline)
      throw over(`the trace ran longer than ${this.limits.maxMillis} ms`);
  }

  /** `count` distinct branches are alive at once. */
  branches(count: number): void {
    if (count > this.maxOutcomes) throw over(`the trace has more than ${this.maxOutcomes.toLocaleString('en-US')} distinct outcomes`);
  }
}

function over(what: string): TraceStopped {
  return new TraceStopped({
    code: 'TRACE_BUDGET_EXCEEDED',
    message: `${what}; stopped without an answer (the ruleset has too many distinct ways through it for one trace)`,
    file: '',
    line: 0,
  });
}
