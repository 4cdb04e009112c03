// Loads predictions from JSON or from a .npz submission file.
import { unzipSync } from 'fflate';
import { UserError } from '../core/errors.js';
import { parseJsonText } from '../core/json-file.js';
import { readNamedFile } from '../core/named-file.js';
import { unpickle } from './pickle.js';
import { parsePredictions, type Predictions } from './scoring.js';

/**
 * Reads predictions from JSON (`{"samples": [...]}`) or from the competition's .npz submission (its
 * `samples.npy` is an object array of `{"sample_id", "estimated_sources"}` dicts, pickled inside the
 * .npy), so `ralph-tui score` can check the very file that will be submitted. Decided by content.
 */
export async function loadPredictions(file: string): Promise<Predictions> {
  const bytes = await readNamedFile(file, 'predictions');
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip) return parsePredictions({ samples: readSubmissionNpz(bytes, file) }, file);
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trimStart()[0] !== '{') throw new UserError(`${file}: neither JSON predictions nor an .npz submission`);
  const raw = parseJsonText(text, file);
  return parsePredictions(raw, file);
}

function readSubmissionNpz(bytes: Uint8Array, file: string): unknown {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new UserError(`${file}: not a readable .npz (${error instanceof Error ? error.message : String(error)})`);
  }
  const npy = entries['samples.npy'];
  if (!npy)
    throw new UserError(
      `${file}: no "samples" array in the .npz (entries: ${Object.keys(entries).join(', ') || 'none'})`,
    );
  // .npy: magic \x93NUMPY, version (1 byte major, 1 byte minor), header length (uint16 in v1, uint32 in v2+).
  if (npy[0] !== 0x93 || Buffer.from(npy.subarray(1, 6)).toString('latin1') !== 'NUMPY') {
    throw new UserError(`${file}: samples.npy is not a NumPy .npy file`);
  }
  const view = new DataView(npy.buffer, npy.byteOffset, npy.byteLength);
  const [headerLength, start] = npy[6] === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  const header = Buffer.from(npy.subarray(start, start + headerLength)).toString('latin1');
  if (!/'descr':\s*'\|O'/.test(header))
    throw new UserError(`${file}: samples.npy must be an object array of dicts, got header ${header.trim()}`);
  try {
    return unpickle(npy.subarray(start + headerLength));
  } catch (error) {
    throw new UserError(
      `${file}: samples.npy holds no readable pickle (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
