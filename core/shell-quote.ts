// Quotes text as one word for sh: shared by the local launcher and the commands run inside containers.

/** One word for sh, whatever it contains. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
