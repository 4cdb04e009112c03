import { applyEdits, modify, type FormattingOptions, type JSONPath } from 'jsonc-parser';

/**
 * Rewrites JSON text so that only the values that changed between `before` and `after` are
 * touched: every other byte (key order, unknown fields, `0.20`, `\u00f6` escapes written by
 * Python, inline arrays) stays as the agent or the old scripts wrote it. JSON.stringify would
 * reformat the whole file (measured on the fixtures: every file but one changed), which makes
 * diffs unreadable and loses the number spelling agents rely on. jsonc-parser (VS Code's) does
 * the format-preserving edits; this module only finds which paths changed.
 */
export function rewriteJsonText(text: string, before: unknown, after: unknown): string {
  const formatting = detectFormatting(text);
  const edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }> = [];
  diff(before, after, [], edits);
  let out = text;
  for (const edit of edits) {
    const result = modify(out, edit.path, edit.value, { formattingOptions: formatting, isArrayInsertion: edit.insert });
    out = applyEdits(out, result);
  }
  return out;
}

/** The indentation and line ending of an existing file, so inserted values look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const insertSpaces = !indent.startsWith('\t');
  return { eol, insertSpaces, tabSize: insertSpaces ? indent.length : 1 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function diff(before: unknown, after: unknown, path: JSONPath, edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }>): void {
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (!(key in after)) edits.push({ path: [...path, key], value: undefined });
    }
    for (const [key, value] of Object.entries(after)) {
      if (key in before) diff(before[key], value, [...path, key], edits);
      else if (value !== undefined) edits.push({ path: [...path, key], value });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) diff(before[i], after[i], [...path, i], edits);
    for (let i = common; i < after.length; i++) edits.push({ path: [...path, i], value: after[i], insert: true });
    // Remove from the end so earlier indexes stay valid.
    for (let i = before.length - 1; i >= common; i--) edits.push({ path: [...path, i], value: undefined });
    return;
  }
  if (!Object.is(before, after)) edits.push({ path, value: after });
}
