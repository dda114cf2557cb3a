import { askByShape, type RuleReading } from '@svcpath/proxy-layout';
import { ruleCountOf, ruleOf } from '@svcpath/ruleset';
import { objectRef, type DiagnoseContext } from '../context';
import { objectEvidence, ruleEvidence, type Evidence, type Finding } from '../finding';
import { ladderChains } from '../svc-ladder';

interface AffinityPort {
  readonly name: string;
  readonly seconds: number;
  readonly endpoints: number;
  readonly evidence: readonly Evidence[];
}

/** ClientIP affinity as the cluster asks for it, or as the rules show it without cluster state. */
function affinityPorts(ctx: DiagnoseContext): AffinityPort[] {
  if (ctx.intended)
    return ctx.intended.flatMap((p) =>
      p.info.sessionAffinity.kind === 'ClientIP' && p.categories.allReachableEndpoints.length > 0
        ? [{
            name: p.info.nameString,
            seconds: p.info.sessionAffinity.timeoutSeconds,
            endpoints: p.categories.allReachableEndpoints.length,
            evidence: [objectEvidence(objectRef('Service', p.service.metadata), 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', p.info.sessionAffinity.timeoutSeconds)],
          }]
        : [],
    );
  return [...(ctx.programmed?.values() ?? [])].flatMap((p) => (p.affinitySeconds !== null && p.endpoints.length > 0 ? [{ name: p.portName, seconds: p.affinitySeconds, endpoints: p.endpoints.length, evidence: [] }] : []));
}

/** A `-m recent --rcheck` condition (asked once per rule shape: the list's name is not read). */
const checksRecentList = ({ conds }: RuleReading): boolean => conds.some((c) => c.kind === 'recent' && c.op === 'rcheck');

function hours(s: number): string {
  return s >= 3600 ? `${+(s / 3600).toFixed(1)} h` : `${s} s`;
}

/**
 * ClientIP session affinity surprises: with one endpoint it does nothing yet but pins every client
 * to that Pod once the Service scales; with several, load follows clients, not connections.
 */
export function checkAffinity(ctx: DiagnoseContext): Finding[] {
  return affinityPorts(ctx).map((a): Finding => {
    // The first rcheck rule of each ladder chain; the ladder's shares and endpoints are not needed.
    const recent = ladderChains(ctx.rs, a.name).flatMap(({ chain }) => {
      // Rules read one by one, up to the first rcheck (near the top: see RsChain.rule).
      for (let i = 0; i < ruleCountOf(chain); i++) {
        const r = ruleOf(chain, i);
        if (askByShape(r, checksRecentList)) return [ruleEvidence(chain.id, r)];
      }
      return [];
    });
    const evidence = [...a.evidence, ...recent];
    if (a.endpoints === 1)
      return {
        code: 'AFFINITY_SINGLE_ENDPOINT',
        severity: 'info',
        title: `${a.name}: ClientIP affinity with a single endpoint`,
        explanation: `Every client already goes to the only endpoint, so affinity changes nothing now. When the Service scales out, clients seen in the last ${hours(a.seconds)} keep going to this Pod: the new Pods get only new clients.`,
        evidence,
        nextStep: 'Expect uneven load after scaling; lower sessionAffinityConfig.clientIP.timeoutSeconds if that matters.',
        service: a.name,
      };
    return {
      code: 'AFFINITY_UNEVEN_LOAD',
      severity: 'info',
      title: `${a.name}: ClientIP affinity spreads clients, not connections`,
      explanation: `Each client address sticks to one of the ${a.endpoints} endpoints for ${hours(a.seconds)} after its last new connection (xt_recent on this node; each node keeps its own lists). Clients behind one NAT, proxy or ingress Pod all land on the same endpoint, and Pods added later receive no traffic from clients already seen.`,
      evidence,
      nextStep: 'If load is uneven, check how many distinct client addresses there are; shorten the timeout or drop affinity if the application does not need it.',
      service: a.name,
    };
  });
}
