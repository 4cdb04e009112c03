import { describe, expect, it } from 'vitest';
import { fastRewrite } from '../../orchestration/json-edit.js';
import { modifyRewrite } from '../../orchestration/json-modify.js';

/** Applies `mutate` to a copy and rewrites the text with the given strategy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
function edit(text: string, mutate: (doc: any) => void, rewrite = fastRewrite) {
  const before = JSON.parse(text);
  const after = structuredClone(before);
  mutate(after);
  const out = rewrite(text, before, after);
  return { out, after };
}

const python =
  '{\n  "version": "15.15",\n  "team": "MG\\u00f6ksu",\n  "time_min": 39.0,\n  "search_space": {"threshold_1src": [0.33, 0.34]},\n  "workers": {},\n  "done": [],\n  "list": [\n    {"id": "A", "status": "available"},\n    {"id": "B", "status": "available"}\n  ]\n}\n';

describe('format-preserving JSON rewrite', () => {
  it('changes only the edited value; escapes, 39.0 and inline arrays elsewhere survive byte for byte', () => {
    const { out } = edit(python, (doc) => {
      doc.list[1].status = 'claimed';
    });
    expect(out).toBe(python.replace('{"id": "B", "status": "available"}', '{"id": "B", "status": "claimed"}'));
  });

  it('inserts keys and array items in the style of their neighbours, and fills empty objects and arrays', () => {
    const { out, after } = edit(python, (doc) => {
      doc.list[0].worker = 'W1';
      doc.list.push({ id: 'C', status: 'available' });
      doc.workers.W1 = { status: 'idle', runs: 1 };
      doc.done.push('A');
      doc.added = { nested: [1, 2] };
    });
    expect(JSON.parse(out!)).toEqual(after);
    expect(out).toContain('{"id": "A", "status": "available", "worker": "W1"}');
    expect(out).toContain('  "workers": {\n    "W1": {\n      "status": "idle",\n      "runs": 1\n    }\n  },');
    expect(out).toContain('"team": "MG\\u00f6ksu"');
    expect(out).toContain('"time_min": 39.0');
  });

  it('removes the first, a middle, the last and the only property', () => {
    const text = '{\n  "a": 1,\n  "b": 2,\n  "c": 3,\n  "solo": {"x": 1},\n  "d": 4\n}\n';
    const { out, after } = edit(text, (doc) => {
      delete doc.a;
      delete doc.c;
      delete doc.d;
      delete doc.solo.x;
    });
    expect(JSON.parse(out!)).toEqual(after);
    expect(out).toBe('{\n  "b": 2,\n  "solo": {}\n}\n');
  });

  it('keeps CRLF line endings and tab indentation', () => {
    const text = '{\r\n\t"a": {\r\n\t\t"x": 1\r\n\t}\r\n}\r\n';
    const { out, after } = edit(text, (doc) => {
      doc.a.y = [1];
    });
    expect(JSON.parse(out!)).toEqual(after);
    expect(out).toBe('{\r\n\t"a": {\r\n\t\t"x": 1,\r\n\t\t"y": [\r\n\t\t\t1\r\n\t\t]\r\n\t}\r\n}\r\n');
  });

  it('skips strings with escaped quotes, backslashes and brackets, and every literal kind', () => {
    const text = '{"a": "he said \\"}{\\" \\\\", "b": [1e-6, true, null, -0.5, "]["], "c": {"d": "\\\\"}, "e": 1}';
    const { out, after } = edit(text, (doc) => {
      doc.e = 2;
      doc.c.f = false;
      doc.b.push('x');
    });
    expect(JSON.parse(out!)).toEqual(after);
    expect(out).toBe(
      '{"a": "he said \\"}{\\" \\\\", "b": [1e-6, true, null, -0.5, "][", "x"], "c": {"d": "\\\\", "f": false}, "e": 2}',
    );
  });

  it('the jsonc-parser fallback gives the same document', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
    const mutate = (doc: any) => {
      doc.list[0].status = 'done';
      doc.workers.W2 = { status: 'running' };
      delete doc.version;
    };
    const { out, after } = edit(python, mutate, modifyRewrite);
    expect(JSON.parse(out!)).toEqual(after);
    expect(out).toContain('"team": "MG\\u00f6ksu"');
  });
});
