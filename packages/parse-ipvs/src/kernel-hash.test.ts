import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { foldAddress, hash32, hsiphash64, hsiphashU32, legacyMultiplicativeHash } from './kernel-hash';

describe('kernel hashes', () => {
  // lib/tests/siphash_kunit.c (was lib/test_siphash.c): test_key_hsiphash and the first
  // test_vectors_hsiphash of the BITS_PER_LONG == 64 build; vector n hashes bytes 0..n-1.
  const k0 = 0x0706050403020100n;
  const k1 = 0x0f0e0d0c0b0a0908n;
  const vectors = [0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67, 0xc59f22a7, 0x9bb11140, 0x8d299a8e, 0x6c063de4];
  it.each(vectors.map((v, n) => [n, v] as const))('hsiphash of %i bytes matches the kernel self-test vector', (n, v) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => i);
    expect(hsiphash64(bytes, k0, k1) >>> 0).toBe(v);
  });

  it('hashes a u32 as its little-endian bytes (hsiphash(&v, sizeof(v), key) in ip_vs_mh_hashkey)', () => {
    expect(hsiphashU32(0x03020100, k0, k1)).toBe(0x88d38328);
  });

  // include/linux/hash.h hash_32: (val * GOLDEN_RATIO_32) >> (32 - bits).
  it('hash_32 keeps the top bits of val * 0x61C88647', () => {
    expect(hash32(1, 8)).toBe(0x61);
    expect(hash32(0, 8)).toBe(0);
    expect(hash32(0xffffffff, 32)).toBe((Math.imul(0xffffffff, 0x61c88647) >>> 0));
  });

  // ip_vs_sh.c before 4.18: (ntohl(addr) * 2654435761UL) & IP_VS_SH_TAB_MASK.
  it('legacy hash keeps the low bits of val * 2654435761', () => {
    expect(legacyMultiplicativeHash(1, 255)).toBe(0xb1);
    expect(legacyMultiplicativeHash(0x0a000001, 255)).toBe(Number((0x0a000001n * 2654435761n) & 255n));
  });

  // ip_vs_sh_hashkey: addr_fold = ip6[0]^ip6[1]^ip6[2]^ip6[3] (then ntohl).
  it('folds IPv6 addresses by XOR of their 32-bit words', () => {
    expect(foldAddress(parseIP('10.0.0.1')!)).toBe(0x0a000001);
    expect(foldAddress(parseIP('1:2:3:4:5:6:7:8')!)).toBe((0x00010002 ^ 0x00030004 ^ 0x00050006 ^ 0x00070008) >>> 0);
  });
});
