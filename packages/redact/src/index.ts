export { createAddressMap, SPECIAL_CIDRS, type AddressMap } from './address-map';
export { DEFAULT_KEEP_NAMESPACES, DEFAULT_KEEP_SERVICES, type KeepOptions, type NameKind, type RedactionMapping } from './mapping';
export { nftNameHash } from './nft-chain-name';
export { redactSnapshot, redactSnapshots, redactText, type RedactOptions, type RedactResult } from './redact-snapshot';
export { DOCUMENTATION_V4, DOCUMENTATION_V6, planPublicV4, type PublicPlan } from './public-plan';
