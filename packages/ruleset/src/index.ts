export * from './model';
export { fromIptables, type FromIptablesOptions } from './from-iptables';
export { loadRuleset, detectFormat, type DumpFile, type DumpFormat, type LoadResult, type LoadOptions } from './load';
export { fromNft } from './from-nft';
export { NftChainMap } from './nft-chain-map';
export { chainsNamed } from './named-chains';
