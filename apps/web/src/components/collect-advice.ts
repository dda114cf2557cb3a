/**
 * What to do about a failed collection, by the collector's problem code (apps/collector's
 * NodeCollectError codes and cluster problem codes). Unknown codes get no advice: the message
 * from the collector stands alone.
 */
const ADVICE: Readonly<Record<string, string>> = {
  'host-unresolvable': 'Check the SSH host: use an address or a name the server can resolve (or an alias from its ~/.ssh/config).',
  'connect-failed': 'Check the SSH host and port, and that sshd runs on the node and the server can reach it.',
  'connect-timeout': 'The node did not answer: check the address, routes and firewalls between the server and the node.',
  'auth-failed': "The node refused the server's key: add the server's public key to the user's ~/.ssh/authorized_keys on the node, or set the right SSH user.",
  'no-auth-method': 'The server has no usable key or agent for this host: add a key to its ~/.ssh or start ssh-agent.',
  'identity-passphrase': 'The key needs a passphrase: load it into ssh-agent on the server.',
  'host-key-unknown': 'The server has never seen this node. Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting it.',
  'host-key-changed': 'The node presents a different key than the server knows: it may have been reinstalled, or someone is in between. Check with the node\'s owner, then remove the old line from known_hosts.',
  'host-key-revoked': 'The node presents a key marked @revoked in known_hosts: do not collect from it until its owner issues a new key.',
  'command-failed': 'A read-only command failed on the node: the SSH user may lack the permissions iptables-save/nft need (run as root or with sudo rights for the catalogue commands).',
  'permission-denied': 'The SSH user lacks the permissions the read-only commands need: run as root, or allow them with sudo.',
  'NOTHING_COLLECTED': 'No dump came back: check the node name and SSH host, then collect again.',
};

export function collectAdvice(code: string): string | null {
  return ADVICE[code] ?? null;
}

/** The `SHA256:…` fingerprint an unknown host presented, from the collector's message. */
export function presentedFingerprint(message: string): string | null {
  return /SHA256:[A-Za-z0-9+/=]{20,}/.exec(message)?.[0] ?? null;
}
