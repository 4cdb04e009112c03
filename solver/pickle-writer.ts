/**
 * A small Python pickle writer (protocol 3) for what ralph-tui hands to Python: dicts, lists, tuples,
 * str, float, int, bool, None, bytes and NumPy arrays (float64, int64 and object arrays, the last being
 * what `np.save(..., allow_pickle=True)` stores for ragged candidate lists in an .npz submission).
 *
 * Hand-written because no maintained npm package writes pickles with NumPy arrays (pickleparser only
 * reads). Arrays use `numpy.core.multiarray._reconstruct`, the form NumPy 1.x writes and NumPy 2.x
 * still loads without a warning (checked with NumPy 2.4), so either side can read the file.
 */

/** A Python tuple (JS arrays become lists). */
export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A NumPy array: flat C-order data plus its shape. */
export class NdArray {
  constructor(
    readonly data: ArrayLike<number> | readonly PickleValue[],
    readonly shape: readonly number[],
    readonly dtype: 'f8' | 'i8' | 'O',
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new RangeError(`array of shape (${shape.join(', ')}) needs ${size} elements, got ${data.length}`);
  }

  /** A float64 array from nested number lists (rectangular). */
  static float64(nested: readonly (readonly number[])[] | readonly number[]): NdArray {
    if (nested.length > 0 && Array.isArray(nested[0])) {
      const rows = nested as readonly (readonly number[])[];
      const cols = rows[0].length;
      const flat = new Float64Array(rows.length * cols);
      rows.forEach((row, i) => {
        if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, expected ${cols}`);
        flat.set(row, i * cols);
      });
      return new NdArray(flat, [rows.length, cols], 'f8');
    }
    return new NdArray(Float64Array.from(nested as readonly number[]), [nested.length], 'f8');
  }
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyTuple
  | NdArray
  | readonly PickleValue[]
  | { readonly [key: string]: PickleValue | undefined };

export interface PickleOptions {
  /**
   * JS has one number type, so integral numbers become Python ints — except under these dict keys,
   * whose values (and nested list/tuple items) are always written as floats (e.g. `q_range: (0.5, 2.0)`).
   */
  floatKeys?: ReadonlySet<string>;
}

class Writer {
  private chunks: Uint8Array[] = [];
  private current = new Uint8Array(1 << 16);
  private length = 0;

  byte(value: number): void {
    this.ensure(1);
    this.current[this.length++] = value;
  }

  bytes(data: Uint8Array): void {
    if (data.length > 4096) {
      this.flush();
      this.chunks.push(data);
      return;
    }
    this.ensure(data.length);
    this.current.set(data, this.length);
    this.length += data.length;
  }

  uint32(value: number): void {
    this.ensure(4);
    new DataView(this.current.buffer).setUint32(this.length, value, true);
    this.length += 4;
  }

  int32(value: number): void {
    this.ensure(4);
    new DataView(this.current.buffer).setInt32(this.length, value, true);
    this.length += 4;
  }

  float64BigEndian(value: number): void {
    this.ensure(8);
    new DataView(this.current.buffer).setFloat64(this.length, value, false);
    this.length += 8;
  }

  text(value: string): void {
    this.bytes(new TextEncoder().encode(value));
  }

  result(): Uint8Array {
    this.flush();
    return Buffer.concat(this.chunks);
  }

  private ensure(n: number): void {
    if (this.length + n > this.current.length) this.flush();
  }

  private flush(): void {
    if (this.length > 0) this.chunks.push(this.current.slice(0, this.length));
    this.length = 0;
  }
}

const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  BINFLOAT: 0x47,
  BININT: 0x4a,
  NONE: 0x4e,
  REDUCE: 0x52,
  BINUNICODE: 0x58,
  BINBYTES: 0x42,
  APPENDS: 0x65,
  BUILD: 0x62,
  GLOBAL: 0x63,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  SETITEMS: 0x75,
  TUPLE: 0x74,
  PROTO: 0x80,
  LONG1: 0x8a,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
} as const;

/** Serialises a value as a protocol-3 pickle. */
export function pickleValue(value: PickleValue, options: PickleOptions = {}): Uint8Array {
  const w = new Writer();
  w.byte(OP.PROTO);
  w.byte(3);
  write(w, value, options, false);
  w.byte(OP.STOP);
  return w.result();
}

function write(w: Writer, value: PickleValue | undefined, options: PickleOptions, asFloat: boolean): void {
  if (value === null || value === undefined) return w.byte(OP.NONE);
  if (typeof value === 'boolean') return w.byte(value ? OP.NEWTRUE : OP.NEWFALSE);
  if (typeof value === 'number') return writeNumber(w, value, asFloat);
  if (typeof value === 'bigint') return writeLong(w, value);
  if (typeof value === 'string') return writeString(w, value);
  if (value instanceof Uint8Array) return writeBytes(w, value);
  if (value instanceof PyTuple) return writeTuple(w, value.items, options, asFloat);
  if (value instanceof NdArray) return writeArray(w, value, options);
  if (Array.isArray(value)) {
    w.byte(OP.EMPTY_LIST);
    if (value.length === 0) return;
    w.byte(OP.MARK);
    for (const item of value as readonly PickleValue[]) write(w, item, options, asFloat);
    w.byte(OP.APPENDS);
    return;
  }
  w.byte(OP.EMPTY_DICT);
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  w.byte(OP.MARK);
  for (const [key, item] of entries) {
    writeString(w, key);
    write(w, item, options, options.floatKeys?.has(key) ?? false);
  }
  w.byte(OP.SETITEMS);
}

function writeNumber(w: Writer, value: number, asFloat: boolean): void {
  if (!asFloat && Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER && !Object.is(value, -0)) {
    if (value >= -0x80000000 && value <= 0x7fffffff) {
      w.byte(OP.BININT);
      w.int32(value);
      return;
    }
    return writeLong(w, BigInt(value));
  }
  w.byte(OP.BINFLOAT);
  w.float64BigEndian(value);
}

/** LONG1: little-endian two's complement of minimal length. */
function writeLong(w: Writer, value: bigint): void {
  const bytes: number[] = [];
  let v = value;
  while (true) {
    const b = Number(v & 0xffn);
    bytes.push(b);
    v >>= 8n;
    if ((v === 0n && (b & 0x80) === 0) || (v === -1n && (b & 0x80) !== 0)) break;
  }
  w.byte(OP.LONG1);
  w.byte(bytes.length);
  w.bytes(Uint8Array.from(bytes));
}

function writeString(w: Writer, value: string): void {
  const encoded = new TextEncoder().encode(value);
  w.byte(OP.BINUNICODE);
  w.uint32(encoded.length);
  w.bytes(encoded);
}

function writeBytes(w: Writer, value: Uint8Array): void {
  w.byte(OP.BINBYTES);
  w.uint32(value.length);
  w.bytes(value);
}

function writeTuple(w: Writer, items: readonly PickleValue[], options: PickleOptions, asFloat: boolean): void {
  w.byte(OP.MARK);
  for (const item of items) write(w, item, options, asFloat);
  w.byte(OP.TUPLE);
}

function writeGlobal(w: Writer, module: string, name: string): void {
  w.byte(OP.GLOBAL);
  w.text(`${module}\n${name}\n`);
}

/** dtype(spec, False, True) with its BUILD state, as `np.dtype.__reduce__` gives it. */
function writeDtype(w: Writer, dtype: NdArray['dtype']): void {
  writeGlobal(w, 'numpy', 'dtype');
  const spec = dtype === 'O' ? 'O8' : dtype;
  writeTuple(w, [spec, false, true], {}, false);
  w.byte(OP.REDUCE);
  const [order, flags] = dtype === 'O' ? ['|', 63] : ['<', 0];
  writeTuple(w, [3, order, null, null, null, -1, -1, flags], {}, false);
  w.byte(OP.BUILD);
}

/** ndarray via _reconstruct(ndarray, (0,), b'b') + BUILD (1, shape, dtype, False, data). */
function writeArray(w: Writer, array: NdArray, options: PickleOptions): void {
  writeGlobal(w, 'numpy.core.multiarray', '_reconstruct');
  w.byte(OP.MARK);
  writeGlobal(w, 'numpy', 'ndarray');
  writeTuple(w, [0], {}, false);
  writeBytes(w, Uint8Array.of(0x62));
  w.byte(OP.TUPLE);
  w.byte(OP.REDUCE);
  w.byte(OP.MARK);
  w.byte(OP.BININT);
  w.int32(1);
  writeTuple(w, array.shape, {}, false);
  writeDtype(w, array.dtype);
  w.byte(OP.NEWFALSE);
  if (array.dtype === 'O') {
    write(w, Array.from(array.data as readonly PickleValue[]), options, false);
  } else {
    const raw = new Uint8Array(array.data.length * 8);
    const view = new DataView(raw.buffer);
    const data = array.data as ArrayLike<number>;
    for (let k = 0; k < data.length; k++) {
      if (array.dtype === 'f8') view.setFloat64(8 * k, data[k], true);
      else view.setBigInt64(8 * k, BigInt(data[k]), true);
    }
    writeBytes(w, raw);
  }
  w.byte(OP.TUPLE);
  w.byte(OP.BUILD);
}
