// The one redactor: secret values (passEnv values, secret-looking env entries) replaced by *** in text and in byte streams.

const MASK = '***';
const MASK_BYTES = Buffer.from(MASK);
/** Very short values would redact ordinary words; such values are not credentials anyway. */
const MIN_SECRET_LENGTH = 4;

function usable(secrets: Iterable<string | undefined>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) if (secret && secret.length >= MIN_SECRET_LENGTH) out.add(secret);
  // Longest first: a secret that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every secret value in a text (error messages, logs, events, JSON output) with "***". */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of usable(secrets)) out = out.split(secret).join(MASK);
  return out;
}

/** Names whose values are treated as secrets even when not in passEnv (an agent's literal `env`). */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/**
 * The secret values to redact: the values of the passEnv names in `env` (the host environment), and literal env
 * entries whose names look like credentials.
 */
export function secretValues(
  passEnv: Iterable<string>,
  env: NodeJS.ProcessEnv,
  literal: Record<string, string> = {},
): string[] {
  const values: string[] = [];
  for (const name of passEnv) {
    const value = env[name];
    if (value) values.push(value);
  }
  for (const [name, value] of Object.entries(literal)) if (SECRET_NAME.test(name)) values.push(value);
  return usable(values);
}

/**
 * Redacts a byte stream whose chunks may split a secret (a pty delivers output in arbitrary pieces): each push
 * emits what can no longer be the start of a secret and holds back the last (longest secret − 1) bytes until the
 * next chunk or flush. Without secrets it passes chunks through untouched.
 */
export class StreamRedactor {
  private readonly secrets: Buffer[];
  private readonly hold: number;
  private pending: Buffer = Buffer.alloc(0);

  constructor(secrets: Iterable<string | undefined>) {
    this.secrets = usable(secrets).map((secret) => Buffer.from(secret));
    this.hold = this.secrets.length ? this.secrets[0].length - 1 : 0;
  }

  push(chunk: Uint8Array): Buffer {
    if (!this.secrets.length) return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const cut = Math.max(0, data.length - this.hold);
    const { out, end } = this.replace(data, cut);
    this.pending = Buffer.from(data.subarray(end));
    return out;
  }

  /** Everything held back, redacted (at the end of the stream). */
  flush(): Buffer {
    const data = this.pending;
    this.pending = Buffer.alloc(0);
    return this.replace(data, data.length).out;
  }

  /** Masks secrets that start before `cut`; returns the output and where it ends in `data`. */
  private replace(data: Buffer, cut: number): { out: Buffer; end: number } {
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      let at = -1;
      let length = 0;
      for (const secret of this.secrets) {
        const index = data.indexOf(secret, position);
        if (index !== -1 && (at === -1 || index < at)) {
          at = index;
          length = secret.length;
        }
      }
      if (at === -1 || at >= cut) break;
      parts.push(data.subarray(position, at), MASK_BYTES);
      position = at + length;
    }
    const end = Math.max(position, cut);
    parts.push(data.subarray(position, end));
    return { out: Buffer.concat(parts), end };
  }
}
