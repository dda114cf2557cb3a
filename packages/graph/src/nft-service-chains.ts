// Moved to @svcpath/proxy-layout with the catalogue.
export { nftServiceChains, ownerChains } from '@svcpath/proxy-layout';
