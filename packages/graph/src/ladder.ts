// The probability ladder is read back with the catalogue in @svcpath/proxy-layout (diagnostics reads it too).
/**
 * The parser already stores `--probability p` as the kernel applies it (round(p·2³¹)/2³¹, see
 * parse-iptables' effectiveProbability), so the shares shown match what the kernel draws and what
 * the tracer reports.
 */
export { effectiveProbability as kernelProbability } from '@svcpath/parse-iptables';

export { affinitySeconds, isAffinityCheck, ladderShares, numgenBranches } from '@svcpath/proxy-layout';
