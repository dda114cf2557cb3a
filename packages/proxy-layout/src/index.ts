export { serviceChains, serviceOfPath, servicePortNameOf, SERVICE_CHAIN } from './service-names';
