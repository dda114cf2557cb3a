export { lineJumps, ownersByNumber, serviceChains, serviceOfPath, servicePortNameOf, servicePortNameOfNftChain, SERVICE_CHAIN } from './service-names';
export { detectProxyMode, iptablesBackend, type ModeReport, type ProxyMode } from './proxy-mode';
export { chainKindOf, hookOfChainName, isMarkMasqChain, isPerServiceKind, type ChainKind } from './chain-kind';
export { jumpTarget, natDestinations } from './jump-target';
export { actionKind, addressConds, askByShape, natAddress, portConds, type RuleReading } from './by-shape';
export { affinitySeconds, isAffinityCheck, ladderShares, numgenBranches } from './ladder';
export { nftServiceChains, ownerChains } from './nft-service-chains';
export { IPVS_NAMESPACE, ipvsCatalog, serviceId as ipvsServiceId, shares as ipvsShares, where as ipvsWhere } from './ipvs-catalog';
export { serviceCatalog, serviceOfPortName, type ServiceInfo, type ServicePortInfo } from './service-catalog';
