/**
 * nftables dumps for the graph tests: kube-proxy's TestOverallNFTablesRules expected ruleset
 * (Apache-2.0), and the one-rule `dnat … numgen` layout kept with parse-nft. Tests read the text;
 * this module does no I/O.
 */
export const NFT_OVERALL_DUMP = '../../tracer/src/fixtures/kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt';
export const NFT_NUMGEN_DUMP = '../../parse-nft/src/fixtures/numgen-layout.list.txt';
