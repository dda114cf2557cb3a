import type { IP } from '@svcpath/netaddr';

/**
 * The kernel's integer hashes used by the IPVS hashing schedulers, reproduced bit for bit.
 * Sources: include/linux/hash.h (hash_32), lib/siphash.c (hsiphash, 64-bit build),
 * net/netfilter/ipvs/ip_vs_sh.c / ip_vs_dh.c / ip_vs_mh.c (address folding).
 */

/** GOLDEN_RATIO_32 from include/linux/hash.h. */
const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits) (generic version): multiply by GOLDEN_RATIO_32, keep the top `bits`. */
export function hash32(val: number, bits: number): number {
  return (Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> 0) >>> (32 - bits);
}

/**
 * Kernels before 4.18 hashed with `(x * 2654435761UL) & mask` (Knuth's constant, low bits);
 * commit 9a17740e0ea1 "ipvs: fix multiplicative hashing in sh/dh/lblc/lblcr algorithms"
 * replaced it with hash_32. The low 8 bits of the 64-bit product equal those of the 32-bit one.
 */
export function legacyMultiplicativeHash(val: number, mask: number): number {
  return Math.imul(val >>> 0, 2654435761 | 0) & mask;
}

/** The address as the schedulers fold it: IPv4 as a host-order u32, IPv6 as the XOR of its four words. */
export function foldAddress(ip: IP): number {
  if (ip.family === 4) return ip.value >>> 0;
  let v = ip.value;
  let fold = 0;
  for (let i = 0; i < 4; i++) {
    fold ^= Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return fold >>> 0;
}

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

interface SipState {
  v0: bigint;
  v1: bigint;
  v2: bigint;
  v3: bigint;
}

function sipRound(s: SipState): void {
  s.v0 = (s.v0 + s.v1) & M64;
  s.v1 = rotl(s.v1, 13n) ^ s.v0;
  s.v0 = rotl(s.v0, 32n);
  s.v2 = (s.v2 + s.v3) & M64;
  s.v3 = rotl(s.v3, 16n) ^ s.v2;
  s.v0 = (s.v0 + s.v3) & M64;
  s.v3 = rotl(s.v3, 21n) ^ s.v0;
  s.v2 = (s.v2 + s.v1) & M64;
  s.v1 = rotl(s.v1, 17n) ^ s.v2;
  s.v2 = rotl(s.v2, 32n);
}

/**
 * hsiphash() as built on 64-bit kernels: SipHash-1-3 with a 128-bit key, returning the low
 * 32 bits of v0^v1^v2^v3 (lib/siphash.c, `#if BITS_PER_LONG == 64`). 32-bit kernels use
 * HalfSipHash instead; we do not model those.
 */
export function hsiphash64(data: Uint8Array, k0: bigint, k1: bigint): number {
  const s: SipState = {
    v0: 0x736f6d6570736575n ^ k0,
    v1: 0x646f72616e646f6dn ^ k1,
    v2: 0x6c7967656e657261n ^ k0,
    v3: 0x7465646279746573n ^ k1,
  };
  const full = data.length - (data.length % 8);
  for (let i = 0; i < full; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(data[i + j]!);
    s.v3 ^= m;
    sipRound(s);
    s.v0 ^= m;
  }
  let b = BigInt(data.length & 0xff) << 56n;
  for (let j = data.length - 1; j >= full; j--) b |= BigInt(data[j]!) << BigInt(8 * (j - full));
  s.v3 ^= b;
  sipRound(s);
  s.v0 ^= b;
  s.v2 ^= 0xffn;
  sipRound(s);
  sipRound(s);
  sipRound(s);
  return Number((s.v0 ^ s.v1 ^ s.v2 ^ s.v3) & 0xffffffffn);
}

/** hsiphash(&v, sizeof(v), key) for a u32 `v` on a little-endian 64-bit kernel (x86-64, arm64). */
export function hsiphashU32(v: number, k0: bigint, k1: bigint): number {
  const x = v >>> 0;
  return hsiphash64(new Uint8Array([x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24]), k0, k1);
}
