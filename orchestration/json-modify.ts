// The general (slow) format-preserving rewrite: the fallback for what json-edit.ts's fast path declines.
import { applyEdits, modify, type JSONPath } from 'jsonc-parser';
import { detectFormatting, isDeepEqual, isObject } from './json-edit.js';

/** The slow, general path: one jsonc-parser `modify` (a full re-parse) per changed path. */
export function modifyRewrite(text: string, before: unknown, after: unknown): string {
  const formatting = detectFormatting(text);
  const edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }> = [];
  diffPaths(before, after, [], edits);
  let out = text;
  for (const edit of edits) {
    out = applyEdits(
      out,
      modify(out, edit.path, edit.value, { formattingOptions: formatting, isArrayInsertion: edit.insert }),
    );
  }
  return out;
}

function diffPaths(
  before: unknown,
  after: unknown,
  path: JSONPath,
  edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }>,
): void {
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) if (!(key in after)) edits.push({ path: [...path, key], value: undefined });
    for (const [key, value] of Object.entries(after)) {
      if (key in before) diffPaths(before[key], value, [...path, key], edits);
      else if (value !== undefined) edits.push({ path: [...path, key], value });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) diffPaths(before[i], after[i], [...path, i], edits);
    for (let i = common; i < after.length; i++) edits.push({ path: [...path, i], value: after[i], insert: true });
    for (let i = before.length - 1; i >= common; i--) edits.push({ path: [...path, i], value: undefined });
    return;
  }
  if (!isDeepEqual(before, after)) edits.push({ path, value: after });
}
