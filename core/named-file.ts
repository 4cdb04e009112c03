// Reads an input file a person named (a dataset, predictions), its failure as one sentence naming the file.
import fs from 'node:fs/promises';
import { UserError } from './errors.js';

/** The file's bytes; `FILE: no such NOUN file` or `FILE: cannot read the NOUN file (CODE)` when it cannot be read. */
export async function readNamedFile(file: string, noun: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${file}: no such ${noun} file`
        : `${file}: cannot read the ${noun} file (${code ?? String(error)})`,
    );
  }
}
