// Writes predictions as the competition's .npz submission file.
import { zipSync } from 'fflate';
import writeFileAtomic from 'write-file-atomic';
import { NdArray, pickleValue, PyTuple } from './pickle-writer.js';
import type { Candidate } from './scoring.js';

export interface SamplePrediction {
  sample_id: string;
  estimated_sources: Candidate[];
}

/**
 * The competition's submission file: an .npz whose `samples` entry is a 1-D NumPy object array of
 * dicts `{"sample_id": str, "estimated_sources": [[(x, y, q), ...], ...]}`, so that
 * `np.load(path, allow_pickle=True)["samples"]` is what the organisers' scorer iterates over.
 * An object array is stored in .npy as the header followed by a pickle of the whole array — exactly
 * what `np.save(..., allow_pickle=True)` writes.
 */
export function submissionNpz(predictions: readonly SamplePrediction[]): Uint8Array {
  const objects = predictions.map((prediction) => ({
    sample_id: prediction.sample_id,
    estimated_sources: prediction.estimated_sources.map((candidate) => candidate.map((source) => new PyTuple(source))),
  }));
  const array = new NdArray(objects, [objects.length], 'O');
  const npy = npyFile(
    `{'descr': '|O', 'fortran_order': False, 'shape': (${objects.length},), }`,
    pickleValue(array, { floatKeys: new Set(['estimated_sources']) }),
  );
  // np.savez stores entries uncompressed; level 0 keeps the file byte-for-byte like numpy's.
  return zipSync({ 'samples.npy': [npy, { level: 0 }] });
}

/** Writes the submission atomically (a reader never sees half a zip). */
export async function writeSubmissionNpz(file: string, predictions: readonly SamplePrediction[]): Promise<void> {
  const bytes = submissionNpz(predictions);
  await writeFileAtomic(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** An .npy v1.0 file: magic, header length, the header dict padded with spaces to a 64-byte boundary, then the data. */
function npyFile(header: string, data: Uint8Array): Uint8Array {
  const prefix = 10; // \x93NUMPY, version 1.0, uint16 header length
  const padded = header + ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + padded.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  out.set(Buffer.from(padded, 'latin1'), prefix);
  out.set(data, prefix + padded.length);
  return out;
}
