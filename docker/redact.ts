/** Replaces every secret value in a text (error messages, logs) with "***". */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; such values are not credentials anyway.
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
