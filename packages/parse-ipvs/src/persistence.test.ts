import { describe, expect, it } from 'vitest';
import { parseIP, type IP } from '@svcpath/netaddr';
import { parseIpvsadm } from './parse-ipvsadm';
import { persistenceKey, scheduleWithPersistence } from './persistence';
import type { VirtualService } from './ipvs-types';

const ip = (t: string): IP => parseIP(t)!;
const vsOf = (text: string): VirtualService => parseIpvsadm(text, { file: 'p' }).virtualServices[0]!;
const affinity = vsOf(['TCP  10.108.7.7:8080 rr persistent 10800', '  -> 10.244.1.8:8080 Masq 1 5 2', '  -> 10.244.2.9:8080 Masq 0 4 6'].join('\n'));
const masked = vsOf(['TCP  10.96.50.3:80 wlc persistent 600 mask 255.255.255.0', '  -> 10.244.1.40:80 Masq 3 10 100', '  -> 10.244.1.41:80 Masq 1 0 0'].join('\n'));

describe('persistence (ClientIP affinity)', () => {
  // ip_vs_core.c ip_vs_sched_persist: snet = saddr & svc->netmask; template keyed by snet + vaddr:vport.
  it('keys templates by the client address masked with the persistence netmask', () => {
    expect(persistenceKey(affinity, ip('192.168.1.10'))).toBe('tcp|192.168.1.10/32|10.108.7.7|8080');
    expect(persistenceKey(masked, ip('192.168.1.10'))).toBe(persistenceKey(masked, ip('192.168.1.200')));
    expect(persistenceKey(masked, ip('192.168.2.10'))).not.toBe(persistenceKey(masked, ip('192.168.1.10')));
  });

  // ip_vs_sched_persist: a valid template (ip_vs_check_template) sets dest = ct->dest, no scheduling.
  it('sends a returning client within the timeout to the same real server, ignoring load', () => {
    const key = persistenceKey(masked, ip('192.168.1.200'))!;
    const o = scheduleWithPersistence(masked, { client: ip('192.168.1.10') }, [{ key, address: ip('10.244.1.40'), port: 80 }]);
    expect(o.kind).toBe('chosen');
    expect(o.shares).toEqual([{ index: 0, address: '10.244.1.40', port: 80, probability: 1 }]);
    expect(o.basis).toMatch(/Persistence: template .* 600s/);
  });

  // No template: the scheduler decides (wlc here: 0 < (10*256+100)/3), and a template is created.
  it('schedules a first-time client and says a template will be created', () => {
    const o = scheduleWithPersistence(masked, { client: ip('192.168.1.10') }, []);
    expect(o.shares[0]!.address).toBe('10.244.1.41');
    expect(o.basis).toMatch(/^No persistence template/);
  });

  // ip_vs_conn.c ip_vs_check_template: expire_quiescent_template && weight == 0 invalidates the template.
  it('drops a template to a weight-0 server when expire_quiescent_template=1 (kube-proxy sets it)', () => {
    const key = persistenceKey(affinity, ip('192.168.1.10'))!;
    const t = [{ key, address: ip('10.244.2.9'), port: 8080 }];
    const kube = scheduleWithPersistence(affinity, { client: ip('192.168.1.10') }, t);
    expect(kube.shares.map((s) => s.address)).toEqual(['10.244.1.8']);
    expect(kube.basis).toMatch(/expire_quiescent_template=1 drops it/);
    const kernelDefault = scheduleWithPersistence(affinity, { client: ip('192.168.1.10') }, t, { expireQuiescentTemplate: false });
    expect(kernelDefault.shares.map((s) => s.address)).toEqual(['10.244.2.9']);
  });

  // ip_vs_check_template: a dest removed from the service (no IP_VS_DEST_F_AVAILABLE) invalidates it.
  it('ignores a template whose real server left the service', () => {
    const key = persistenceKey(affinity, ip('192.168.1.10'))!;
    const o = scheduleWithPersistence(affinity, { client: ip('192.168.1.10') }, [{ key, address: ip('10.244.9.9'), port: 8080 }]);
    expect(o.basis).toMatch(/no longer in the service/);
  });

  it('non-persistent services have no key and schedule normally', () => {
    const rr = vsOf('TCP  10.96.0.1:443 rr\n  -> 192.168.49.2:6443 Masq 1 0 0');
    expect(persistenceKey(rr, ip('1.2.3.4'))).toBeNull();
    expect(scheduleWithPersistence(rr, { client: ip('1.2.3.4') }, []).kind).toBe('distribution');
  });
});
