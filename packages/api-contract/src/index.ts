export { FlowInput, FlowList, describeIssues } from './flow-input';
