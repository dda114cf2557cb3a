export { serviceChains, serviceOfPath, servicePortNameOf, servicePortNameOfNftChain, SERVICE_CHAIN } from './service-names';
