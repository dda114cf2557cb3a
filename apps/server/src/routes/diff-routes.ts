import { Router } from 'express';
import { z } from 'zod';
import { diffRulesets, diffTimeline, formatDiffMarkdown, formatTimelineMarkdown, type DiffSide } from '@svcpath/diff';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { DomainError } from '../errors';
import { validate } from '../http/validate';
import type { Snapshot } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { requireSnapshot } from './snapshot-routes';

const DiffQuery = z.object({
  /** The snapshot to compare with: the "after" side; the path's snapshot is "before". */
  to: z.string().min(1).max(600),
  format: z.enum(['json', 'markdown']).default('json'),
});
const TimelineQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });

// Parsed rules per snapshot version: a review flips between the same few snapshots.
const parsed = new Map<string, Ruleset>();

function sideOf(s: Snapshot): DiffSide {
  const key = `${s.id}@${s.takenAt}`;
  let rs = parsed.get(key);
  if (!rs) {
    const loaded = loadRuleset(s.files);
    if (!loaded.ruleset) throw new DomainError('NO_RULES', `snapshot ${s.id} holds no rules svcpath can read`, { snapshot: s.id });
    rs = loaded.ruleset;
    if (parsed.size >= 16) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, rs);
  }
  return { label: s.id, ruleset: rs, nodeIPs: s.nodeIPs };
}

/**
 * GET /api/snapshots/:id/diff?to=ID — what changed from this snapshot to another of the same node,
 * per Service port, with rule lines on both sides (@svcpath/diff's DiffReport; `format=markdown`
 * for change reviews). GET /api/snapshots/:id/timeline — every stored snapshot of this node, oldest
 * first, each against the one before. Mounted beside the per-snapshot routes.
 */
export function diffRoutes({ snapshots }: Pick<ApiDeps, 'snapshots'>): Router {
  const r = Router({ mergeParams: true });
  r.get('/diff', async (req, res) => {
    const q = validate(DiffQuery, req.query, 'diff query');
    const before = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const after = await requireSnapshot(snapshots, q.to);
    const report = diffRulesets(sideOf(before), sideOf(after));
    if (q.format === 'markdown') res.type('text/markdown').send(formatDiffMarkdown(report));
    else res.json(report);
  });
  r.get('/timeline', async (req, res) => {
    const q = validate(TimelineQuery, req.query, 'timeline query');
    const s = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const metas = (await snapshots.list()).filter((m) => m.node === s.node).sort((a, b) => a.takenAt.localeCompare(b.takenAt));
    const members = (await Promise.all(metas.map((m) => snapshots.get(m.id)))).filter((x): x is Snapshot => x !== null);
    const steps = diffTimeline(members.map(sideOf));
    if (q.format === 'markdown') res.type('text/markdown').send(formatTimelineMarkdown(steps));
    else res.json({ node: s.node, snapshots: members.map((m) => ({ id: m.id, takenAt: m.takenAt })), steps });
  });
  return r;
}
