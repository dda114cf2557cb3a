export * from './ast';
export { parseIptablesSave, type ParseOptions } from './parse';
export { tokenize, quoteWord } from './tokenize';
export { effectiveProbability, readNatRange } from './values';
export { parseRuleBody, type ParsedRuleBody, type RuleProblem } from './parse-rule';
export { completeDiagnostics } from './parse';
export { LazyRule } from './rule';
export { bytesSource, DumpChangedError, partBuffers, scanIptablesSave, scanPart, type ByteSource, type ScanOptions, type ScanPart, type ScanRefusal, type ScanResult } from './scan';
