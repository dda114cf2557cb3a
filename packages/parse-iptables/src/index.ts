export * from './ast';
export { parseIptablesSave, type ParseOptions } from './parse';
export { tokenize, quoteWord } from './tokenize';
export { effectiveProbability, readNatRange } from './values';
export { parseRuleBody, type ParsedRuleBody, type RuleProblem } from './parse-rule';
export { completeDiagnostics } from './parse';
export { LazyRule } from './rule';
export { bytesSource, DumpChangedError, scanIptablesSave, type ByteSource, type ScanOptions, type ScanRefusal, type ScanResult } from './scan';
