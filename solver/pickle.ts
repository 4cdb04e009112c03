// Reads Python pickles holding NumPy arrays (the official dataset and submission formats).
import { NameRegistry, Parser } from 'pickleparser';

/**
 * Python pickles holding NumPy arrays, read with the maintained `pickleparser` (every protocol 0–5
 * opcode) plus the few NumPy globals a dataset uses:
 * - NumPy 2.x, protocol 5: `numpy._core.numeric._frombuffer(buffer, dtype, shape, order)`;
 * - NumPy 1.x (any protocol): `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` then BUILD with
 *   `(version, shape, dtype, is_fortran, raw bytes | list of objects)`;
 * - `numpy.dtype('f8', False, True)` then BUILD with `(3, '<', …)`; `numpy…multiarray.scalar(dtype, bytes)`.
 * Arrays come out as nested JS arrays (numbers or booleans), so a loaded pickle looks like the JSON form.
 */

/** A NumPy dtype: kind letter (f, i, u, b, O), item size in bytes, little-endian or not. */
export class NumpyDtype {
  kind: string;
  itemSize: number;
  littleEndian = true;

  constructor(spec: unknown) {
    const text = String(spec);
    const match = /^([<>|=]?)([fiubOUS?])(\d*)$/.exec(text);
    if (!match) throw new Error(`unsupported NumPy dtype '${text}'`);
    this.kind = match[2] === '?' ? 'b' : match[2];
    const count = match[3] ? Number(match[3]) : this.kind === 'b' ? 1 : 8;
    // 'U7' counts UTF-32 characters (4 bytes each); every other size is in bytes.
    this.itemSize = this.kind === 'U' ? 4 * count : count;
    if (match[1] === '>') this.littleEndian = false;
  }

  /** BUILD state (version, byte order, …): only the byte order matters for reading numbers. */
  __setstate__(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.littleEndian = state[1] !== '>';
  }
}

/** An array being rebuilt; turned into nested JS arrays once the whole pickle is read. */
export class NumpyArray {
  shape: number[] = [0];
  dtype: NumpyDtype = new NumpyDtype('f8');
  fortran = false;
  /** Raw bytes (numeric dtypes) or the flat element list (object arrays). */
  data: Uint8Array | unknown[] = new Uint8Array(0);

  /** NumPy 1.x ndarray.__reduce__ state: (version, shape, dtype, is_fortran, rawdata). */
  __setstate__(state: unknown): void {
    if (!Array.isArray(state) || state.length < 5) throw new Error('malformed NumPy array state');
    const [, shape, dtype, fortran, raw] = state as [unknown, unknown, unknown, unknown, unknown];
    this.shape = toShape(shape);
    if (!(dtype instanceof NumpyDtype)) throw new Error('NumPy array state without a dtype');
    this.dtype = dtype;
    this.fortran = Boolean(fortran);
    this.data = raw instanceof Uint8Array || Array.isArray(raw) ? raw : asBytes(raw);
  }

  /** Flat elements in storage order. */
  elements(): ArrayLike<unknown> {
    if (Array.isArray(this.data)) return this.data;
    const { kind, itemSize, littleEndian } = this.dtype;
    const bytes = this.data;
    if (kind === 'f' && itemSize === 8 && littleEndian) {
      // The common case (float64 readings): one copy into an aligned Float64Array, no per-element DataView calls.
      const aligned = new Uint8Array(bytes.byteLength - (bytes.byteLength % 8));
      aligned.set(bytes.subarray(0, aligned.length));
      return new Float64Array(aligned.buffer);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = Math.floor(bytes.byteLength / itemSize);
    const read = elementReader(kind, itemSize);
    const out = new Array<unknown>(count);
    for (let k = 0; k < count; k++) out[k] = read(view, k * itemSize, littleEndian);
    return out;
  }

  /** Nested arrays in C order (a 0-d array becomes its single element). */
  toNested(): unknown {
    const raw = this.elements();
    const flat = Array.isArray(raw) ? raw.map(plain) : raw;
    const size = this.shape.reduce((a, b) => a * b, 1);
    if (flat.length !== size)
      throw new Error(`NumPy array of shape (${this.shape.join(', ')}) holds ${flat.length} elements`);
    if (this.shape.length === 0) return flat[0];
    const strides = this.strides();
    const build = (axis: number, offset: number): unknown[] => {
      if (axis === this.shape.length - 1 && strides[axis] === 1 && !Array.isArray(flat)) {
        const typed = flat as Float64Array;
        const row = new Array<number>(this.shape[axis]);
        for (let k = 0; k < row.length; k++) row[k] = typed[offset + k];
        return row;
      }
      const out = new Array<unknown>(this.shape[axis]);
      for (let k = 0; k < this.shape[axis]; k++) {
        const at = offset + k * strides[axis];
        out[k] = axis === this.shape.length - 1 ? flat[at] : build(axis + 1, at);
      }
      return out;
    };
    return build(0, 0);
  }

  private strides(): number[] {
    const n = this.shape.length;
    const strides = new Array<number>(n).fill(1);
    if (this.fortran) for (let a = 1; a < n; a++) strides[a] = strides[a - 1] * this.shape[a - 1];
    else for (let a = n - 2; a >= 0; a--) strides[a] = strides[a + 1] * this.shape[a + 1];
    return strides;
  }
}

function elementReader(kind: string, size: number): (view: DataView, at: number, le: boolean) => unknown {
  if (kind === 'U' || kind === 'S') return (v, at, le) => fixedString(v, at, size, kind, le);
  const key = `${kind}${size}`;
  switch (key) {
    case 'f8':
      return (v, at, le) => v.getFloat64(at, le);
    case 'f4':
      return (v, at, le) => v.getFloat32(at, le);
    case 'i8':
      return (v, at, le) => Number(v.getBigInt64(at, le));
    case 'i4':
      return (v, at, le) => v.getInt32(at, le);
    case 'i2':
      return (v, at, le) => v.getInt16(at, le);
    case 'i1':
      return (v, at) => v.getInt8(at);
    case 'u8':
      return (v, at, le) => Number(v.getBigUint64(at, le));
    case 'u4':
      return (v, at, le) => v.getUint32(at, le);
    case 'u2':
      return (v, at, le) => v.getUint16(at, le);
    case 'u1':
      return (v, at) => v.getUint8(at);
    case 'b1':
      return (v, at) => v.getUint8(at) !== 0;
    default:
      throw new Error(`unsupported NumPy dtype ${key}`);
  }
}

/** NumPy fixed-width strings: 'U' is UTF-32, 'S' raw bytes; both are NUL-padded. */
function fixedString(view: DataView, at: number, size: number, kind: string, le: boolean): string {
  let out = '';
  if (kind === 'U') {
    for (let k = 0; k < size; k += 4) {
      const code = view.getUint32(at + k, le);
      if (code === 0) break;
      out += String.fromCodePoint(code);
    }
    return out;
  }
  for (let k = 0; k < size; k++) {
    const code = view.getUint8(at + k);
    if (code === 0) break;
    out += String.fromCharCode(code);
  }
  return out;
}

function toShape(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((n) => {
    const size = Number(n);
    if (!Number.isInteger(size) || size < 0) throw new Error(`bad NumPy shape ${String(value)}`);
    return size;
  });
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  // Protocol 0–2 pickles store bytes as latin-1 strings.
  if (typeof value === 'string') return Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('NumPy array data is not a byte buffer');
}

function frombuffer(buffer: unknown, dtype: unknown, shape: unknown, order: unknown): NumpyArray {
  const array = new NumpyArray();
  if (!(dtype instanceof NumpyDtype)) throw new Error('numpy _frombuffer without a dtype');
  array.dtype = dtype;
  array.shape = toShape(shape);
  array.fortran = order === 'F';
  array.data = asBytes(buffer);
  return array;
}

function scalar(dtype: unknown, data: unknown): unknown {
  if (!(dtype instanceof NumpyDtype)) throw new Error('numpy scalar without a dtype');
  const array = new NumpyArray();
  array.dtype = dtype;
  array.shape = [];
  array.data = dtype.kind === 'O' ? [data] : asBytes(data);
  return array.toNested();
}

/** Replaces every rebuilt NumPy object by plain JS values, recursively; BigInts become numbers. */
function plain(value: unknown): unknown {
  if (value instanceof NumpyArray) return value.toNested();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function numpyRegistry(): NameRegistry {
  const registry = new NameRegistry();
  // NumPy 2 renamed numpy.core to numpy._core; pickles from either must load.
  for (const core of ['numpy.core', 'numpy._core']) {
    registry.register(`${core}.numeric`, '_frombuffer', frombuffer);
    registry.register(`${core}.multiarray`, '_reconstruct', () => new NumpyArray());
    registry.register(`${core}.multiarray`, 'scalar', scalar);
  }
  // REDUCE calls globals as plain functions; BUILD then sets the dtype's byte order.
  registry.register('numpy', 'dtype', (spec: unknown) => new NumpyDtype(spec));
  registry.register('numpy', 'ndarray', () => new NumpyArray());
  // Protocol 2 has no bytes opcode: Python 3 pickles bytes as _codecs.encode(latin-1 text, 'latin1').
  registry.register('_codecs', 'encode', (text: unknown) => asBytes(text));
  return registry;
}

/** True when the bytes start like a pickle (protocol 2+ opens with PROTO 0x80). */
export function looksLikePickle(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/** Unpickles a dataset-like object; throws an Error with the parser's reason on malformed input. */
export function unpickle(bytes: Uint8Array): unknown {
  const parser = new Parser({ nameResolver: numpyRegistry(), unpicklingTypeOfDictionary: 'object' });
  return plain(parser.parse(bytes));
}
