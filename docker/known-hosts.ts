// SSH host key checking for ssh:// engines against known_hosts files, as OpenSSH does it (plain, hashed, [host]:port).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The files OpenSSH reads by default. */
export function defaultKnownHostsFiles(): string[] {
  return [path.join(os.homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** "SHA256:…" as `ssh-keygen -l` prints it (base64 without padding). */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob ("ssh-ed25519", …). */
export function hostKeyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && length < 64 && key.length >= 4 + length
    ? key.subarray(4, 4 + length).toString('latin1')
    : 'unknown';
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(name);
}

/** Whether a comma-separated host pattern list names the host (a matching `!pattern` excludes it). */
function hostListMatches(list: string, name: string): boolean {
  let matched = false;
  for (const pattern of list.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: 'unknown' | 'mismatch' | 'revoked'; message: string };

/**
 * Checks the key a host offered against known_hosts: accepted when a line for the host carries this very key;
 * an unknown host or a different key is refused with one sentence that gives the offered key's fingerprint.
 */
export function verifyHostKey(opts: { host: string; port: number; key: Buffer; files?: string[] }): HostKeyVerdict {
  const files = opts.files ?? defaultKnownHostsFiles();
  const name = hostName(opts.host, opts.port);
  const offered = opts.key.toString('base64');
  const fingerprint = hostKeyFingerprint(opts.key);
  const type = hostKeyType(opts.key);
  let known = false;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
      const [hosts, , key] = fields;
      if (!hosts || !key || marker === '@cert-authority' || !hostListMatches(hosts, name)) continue;
      if (marker === '@revoked') {
        if (key === offered)
          return {
            ok: false,
            reason: 'revoked',
            message: `the SSH host key of ${name} (${fingerprint}) is marked @revoked in ${file}`,
          };
        continue;
      }
      if (key === offered) return { ok: true };
      known = true;
    }
  }
  if (known) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `the SSH host key of ${name} does not match known_hosts (offered ${type} ${fingerprint}) — the connection may be intercepted; if the host was reinstalled, remove its old key with \`ssh-keygen -R '${name}'\``,
    };
  }
  return {
    ok: false,
    reason: 'unknown',
    message: `the SSH host ${name} is not in ${files.join(' or ')} (it offered ${type} ${fingerprint}) — check that fingerprint with the host's owner, then add it: \`ssh-keyscan -p ${opts.port} ${opts.host} >> ~/.ssh/known_hosts\``,
  };
}
