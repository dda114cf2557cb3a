export * from './model';
export { diffRulesets } from './diff-rulesets';
export { diffTimeline, hasChanges, type TimelineStep } from './timeline';
export { describeChange, describeNodeChange, percent } from './describe-change';
export { describeProbe, OUTSIDE_SOURCE } from './probes';
export { formatDiffText, formatDiffMarkdown, formatTimelineMarkdown, formatTimelineText } from './format-report';
export { foreignRulesBeforeServices, type ForeignRule } from './foreign-rules';
