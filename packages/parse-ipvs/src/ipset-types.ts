import type { Cidr, IP } from '@svcpath/netaddr';
import type { Diagnostic, Unparsed } from './diagnostic';
import type { Span } from './source-text';

/** One dimension of an ipset type name, e.g. hash:ip,port,net → ['ip','port','net']. */
export type SetDimension = 'ip' | 'net' | 'port' | 'mac' | 'iface' | 'mark' | 'set';

/** One typed value of a member tuple. */
export type SetElement =
  | { readonly kind: 'ip'; readonly ip: IP }
  | { readonly kind: 'ip-range'; readonly from: IP; readonly to: IP }
  | { readonly kind: 'net'; readonly cidr: Cidr }
  /** proto null: bitmap:port, which stores no protocol. */
  | { readonly kind: 'port'; readonly proto: string | null; readonly port: number; readonly portEnd: number }
  | { readonly kind: 'mac'; readonly mac: string }
  | { readonly kind: 'iface'; readonly name: string; readonly physdev: boolean }
  | { readonly kind: 'mark'; readonly mark: number }
  | { readonly kind: 'set'; readonly name: string };

export interface IpSetMember {
  readonly kind: 'member';
  readonly elements: readonly SetElement[];
  /** Net types only: "this net is NOT in the set" (the most specific matching entry decides). */
  readonly nomatch: boolean;
  /** Seconds left when dumped; 0 = permanent; absent when the set has no timeout support. */
  readonly timeout?: number;
  readonly comment?: string;
  /** Other extensions as printed (packets, bytes, skbmark, ...). */
  readonly extensions: Readonly<Record<string, string>>;
  readonly raw: string;
  readonly span: Span;
}

export interface IpSet {
  readonly kind: 'ipset';
  readonly name: string;
  /** As printed: `hash:ip,port`. */
  readonly type: string;
  readonly method: 'hash' | 'bitmap' | 'list' | null;
  /** null when a type name was not understood (its members are kept unparsed). */
  readonly dimensions: readonly SetDimension[] | null;
  readonly family: 'inet' | 'inet6' | null;
  /** Create/Header options: `hashsize 1024`, `comment` (true), `range 0-65535`, `netmask 24` ... */
  readonly options: Readonly<Record<string, string | true>>;
  /** `ipset list` block fields, when the dump was a list. */
  readonly revision?: number;
  readonly references?: number;
  readonly numberOfEntries?: number;
  readonly sizeInMemory?: number;
  readonly members: readonly IpSetMember[];
  /** Member lines that could not be read: the set may contain more than `members` says. */
  readonly unparsedMembers: readonly Unparsed[];
  readonly raw: string;
  readonly span: Span;
}

export interface IpsetParseResult {
  readonly format: 'save' | 'list' | 'empty';
  readonly sets: readonly IpSet[];
  readonly unparsed: readonly Unparsed[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A packet's values for the set's dimensions, already oriented by the caller from the `set`
 * match's src/dst flags: `ip` feeds the first ip/net dimension, `ip2` the second, proto+port the
 * port dimension.
 */
export interface PacketTuple {
  readonly ip?: IP;
  readonly ip2?: IP;
  readonly proto?: string;
  readonly port?: number;
  readonly mac?: string;
  readonly iface?: string;
  readonly mark?: number;
}

export type SetMatch =
  | { readonly kind: 'match'; readonly member: IpSetMember; readonly reason: string }
  | { readonly kind: 'no-match'; readonly member?: IpSetMember; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };
