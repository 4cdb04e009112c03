import { applyEdits, modify, parseTree, type FormattingOptions, type JSONPath, type Node } from 'jsonc-parser';

/**
 * Rewrites JSON text so that only the values that changed between `before` and `after` are
 * touched: every other byte (key order, unknown fields, `0.20`, `\u00f6` escapes written by
 * Python, inline arrays) stays as the agent or the old scripts wrote it. JSON.stringify would
 * reformat the whole file (measured on the fixtures: every file but one changed), which makes
 * diffs unreadable and loses the number spelling agents rely on.
 *
 * Two implementations: `fastRewrite` parses the text once (jsonc-parser's parseTree) and splices
 * replacements/insertions/removals at the node offsets; jsonc-parser's own `modify` re-parses the
 * whole document per edit, which made a claim on an 800-entry queue cost ~60 ms (measured), so it
 * is only the fallback for the shapes the fast path declines (inserting into an empty object or
 * array, overlapping edits). Callers verify the result parses back to `after` (json-store.ts).
 */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const insertSpaces = !indent.startsWith('\t');
  return { eol, insertSpaces, tabSize: insertSpaces ? indent.length : 1 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Splice {
  offset: number;
  length: number;
  content: string;
  order: number;
}

class Declined extends Error {}

/** Single-parse rewrite; null when the change needs the slow path. */
export function fastRewrite(text: string, before: unknown, after: unknown): string | null {
  const root = parseTree(text);
  if (!root) return null;
  const { eol, insertSpaces, tabSize } = detectFormatting(text);
  const unit = insertSpaces ? ' '.repeat(tabSize ?? 2) : '\t';
  const splices: Splice[] = [];
  const add = (offset: number, length: number, content: string) => splices.push({ offset, length, content, order: splices.length });
  const indentAt = (offset: number) => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
  };
  const render = (value: unknown, indent: string) => JSON.stringify(value, null, unit).split('\n').join(eol + indent);
  const end = (node: Node) => node.offset + node.length;

  const walk = (node: Node, was: unknown, now: unknown): void => {
    if (isObject(was) && isObject(now) && node.type === 'object') {
      const props = node.children ?? [];
      if (!props.some((prop) => String(prop.children?.[0]?.value) in now)) {
        // Nothing of the old object survives (e.g. `{}` getting its first key): write it anew.
        if (!isDeepEqual(was, now)) add(node.offset, node.length, render(now, indentAt(node.offset)));
        return;
      }
      const byKey = new Map<string, Node>();
      for (const prop of props) if (prop.children?.[0]) byKey.set(String(prop.children[0].value), prop);
      props.forEach((prop, index) => {
        const key = String(prop.children?.[0]?.value);
        if (key in now) return;
        if (props.length === 1) add(node.offset + 1, node.length - 2, '');
        else if (index > 0) add(end(props[index - 1]), end(prop) - end(props[index - 1]), '');
        else add(prop.offset, props[1].offset - prop.offset, '');
      });
      const added: string[] = [];
      for (const [key, value] of Object.entries(now)) {
        const prop = byKey.get(key);
        if (prop && key in was) walk(prop.children![1], was[key], value);
        else if (value !== undefined) added.push(key);
      }
      if (added.length === 0) return;
      const last = props[props.length - 1];
      if (!last || props.every((prop) => !(String(prop.children?.[0]?.value) in now))) throw new Declined();
      const indent = indentAt(last.offset);
      const sameLine = !text.slice(node.offset, last.offset).includes('\n');
      const sep = sameLine ? ' ' : eol + indent;
      add(end(last), 0, added.map((key) => `,${sep}${JSON.stringify(key)}: ${render(now[key], indent)}`).join(''));
      return;
    }
    if (Array.isArray(was) && Array.isArray(now) && node.type === 'array') {
      const items = node.children ?? [];
      if (items.length !== was.length) throw new Declined();
      if ((now.length === 0 || items.length === 0) && now.length !== was.length) {
        // Emptied, or `[]` getting its first items: write it anew.
        add(node.offset, node.length, render(now, indentAt(node.offset)));
        return;
      }
      const common = Math.min(was.length, now.length);
      // Most of a queue is untouched by an operation: compare before descending.
      for (let i = 0; i < common; i++) if (!isDeepEqual(was[i], now[i])) walk(items[i], was[i], now[i]);
      for (let i = was.length - 1; i >= common; i--) add(end(items[i - 1]), end(items[i]) - end(items[i - 1]), '');
      if (now.length > was.length) {
        if (items.length === 0) throw new Declined();
        const last = items[items.length - 1];
        const indent = indentAt(last.offset);
        const sameLine = !text.slice(node.offset, last.offset).includes('\n');
        const sep = sameLine ? ' ' : eol + indent;
        add(end(last), 0, now.slice(was.length).map((value) => `,${sep}${render(value, indent)}`).join(''));
      }
      return;
    }
    if (isDeepEqual(was, now)) return;
    add(node.offset, node.length, render(now, indentAt(node.offset)));
  };

  try {
    walk(root, before, after);
  } catch (error) {
    if (error instanceof Declined) return null;
    throw error;
  }
  // Apply from the end so earlier offsets stay valid; at one offset, later insertions first so
  // they end up after earlier ones. Overlapping ranges would corrupt the text: decline them.
  splices.sort((a, b) => b.offset - a.offset || b.order - a.order);
  let out = text;
  let limit = Infinity;
  for (const splice of splices) {
    if (splice.offset + splice.length > limit) return null;
    out = out.slice(0, splice.offset) + splice.content + out.slice(splice.offset + splice.length);
    limit = splice.offset;
  }
  return out;
}

/** The slow, general path: one jsonc-parser `modify` (a full re-parse) per changed path. */
export function modifyRewrite(text: string, before: unknown, after: unknown): string {
  const formatting = detectFormatting(text);
  const edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }> = [];
  diffPaths(before, after, [], edits);
  let out = text;
  for (const edit of edits) {
    out = applyEdits(out, modify(out, edit.path, edit.value, { formattingOptions: formatting, isArrayInsertion: edit.insert }));
  }
  return out;
}

function diffPaths(before: unknown, after: unknown, path: JSONPath, edits: Array<{ path: JSONPath; value: unknown; insert?: boolean }>): void {
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

/** Structural equality of JSON values (key order ignored); much cheaper than util.isDeepStrictEqual here. */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((key) => key in (b as object) && isDeepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
