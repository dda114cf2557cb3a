// The catalogue (what the rules program per Service port) lives in @svcpath/proxy-layout: diagnostics
// reads it too, and diagnostics comes before graph.
export { serviceCatalog, serviceOfPortName, type ServiceInfo, type ServicePortInfo } from '@svcpath/proxy-layout';
