export type * from './ast';
export { NFT_CODES, type NftCode } from './diagnostics';
export { parseNftText } from './text-parser';
export { parseNftJson } from './json-parser';
export { exprKey } from './expr-key';
export { withoutSourceInfo } from './source-info';
export { parseNftRule } from './rule-text';
export { chainOutline, lazyChainSets, lazyChainSource, type ChainOutline } from './lazy-chain';
export { chainPlaces } from './chain-places';
