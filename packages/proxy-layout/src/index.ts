export { serviceChains, serviceOfPath, servicePortNameOf, servicePortNameOfNftChain, SERVICE_CHAIN } from './service-names';
export { detectProxyMode, iptablesBackend, type ModeReport, type ProxyMode } from './proxy-mode';
