// Splits an experiment's output stream into lines, including tqdm's bare carriage returns.
import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines at `\n`, `\r\n` and a lone `\r`. Hand-written because readline
 * and execa's line iteration split only at `\n`, and tqdm redraws its bar with bare `\r`: without
 * this a whole tqdm run would arrive as one line at the very end.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** The complete lines in this chunk (a trailing incomplete line is kept for the next one). */
  push(chunk: Buffer | string): string[] {
    let text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    // A chunk ending in `\r` may be the first half of `\r\n`: hold it until the next chunk decides.
    const hold = text.endsWith('\r') ? '\r' : '';
    if (hold) text = text.slice(0, -1);
    const parts = text.split(/\r\n|\r|\n/);
    this.partial = parts.pop()! + hold;
    return parts;
  }

  /** The last line when the stream ends without a newline. */
  flush(): string[] {
    const rest = (this.partial + this.decoder.end()).replace(/\r$/, '');
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}
