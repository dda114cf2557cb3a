// kube-proxy's chain kinds live with the catalogue in @svcpath/proxy-layout (diagnostics reads them too).
export { chainKindOf, hookOfChainName, isMarkMasqChain, isPerServiceKind } from '@svcpath/proxy-layout';
