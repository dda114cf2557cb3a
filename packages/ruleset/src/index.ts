export * from './model';
export { fromIptables, type FromIptablesOptions } from './from-iptables';
