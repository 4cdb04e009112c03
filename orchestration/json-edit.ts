// Rewrites JSON text touching only the values that changed, keeping every other byte as written.
import type { FormattingOptions } from 'jsonc-parser';
import { arrayItems, objectProps, rootSpan, type Span } from './json-scan.js';

/**
 * Rewrites JSON text so that only the values that changed between `before` and `after` are
 * touched: every other byte (key order, unknown fields, `0.20`, `\u00f6` escapes written by
 * Python, inline arrays) stays as the agent or the old scripts wrote it. JSON.stringify would
 * reformat the whole file (measured on the fixtures: every file but one changed), which makes
 * diffs unreadable and loses the number spelling agents rely on.
 *
 * Two implementations: `fastRewrite` scans only the containers along the changed paths
 * (json-scan.ts) and splices replacements/insertions/removals at their offsets; jsonc-parser's
 * `modify` re-parses the whole document per edit, which made a claim on an 800-entry queue cost
 * ~60 ms (measured), so it is only the fallback for what the fast path declines (overlapping
 * edits; json-modify.ts, loaded only then, so a claim does not pay ~16 ms to import jsonc-parser).
 * Callers verify the result parses back to `after` (json-store.ts).
 */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const insertSpaces = !indent.startsWith('\t');
  return { eol, insertSpaces, tabSize: insertSpaces ? indent.length : 1 };
}

/**
 * A number to be written with a given spelling. JSON.stringify writes 50.0 as `50`, but the original
 * deployment's Python wrote floats as `50.0` and epoch times as `1769488065.2773347`; a value of a field
 * the file keeps as a float is put in a document as a JsonNumber so the rewrite spells it that way.
 * Everything else (comparisons, JSON.stringify) sees the plain number.
 */
export class JsonNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}

  toJSON(): number {
    return this.value;
  }
}

/** `value` spelled as Python writes a float: an integral value keeps its `.0` (50 → 50.0). */
export function pythonFloat(value: number): JsonNumber | number {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? new JsonNumber(value, `${value}.0`) : value;
}

const NUMBER_MARK = '\u0000json-number:';

/** JSON.stringify that writes JsonNumbers with their own spelling. */
export function stringifyJson(value: unknown, indent?: string | number): string {
  let marked = false;
  const text = JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, current: unknown) {
      const raw = this[key];
      if (raw instanceof JsonNumber) {
        marked = true;
        return NUMBER_MARK + raw.text;
      }
      return current;
    },
    indent,
  );
  // JSON.stringify escapes the NUL of the mark as \u0000, which no string of ours contains otherwise.
  return marked ? text.replace(/"\\u0000json-number:([^"]*)"/g, '$1') : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Splice {
  offset: number;
  length: number;
  content: string;
  order: number;
}

class Declined extends Error {}

/** Single-scan rewrite; null when the change needs the slow path. */
export function fastRewrite(text: string, before: unknown, after: unknown): string | null {
  const root = rootSpan(text);
  const { eol, insertSpaces, tabSize } = detectFormatting(text);
  const unit = insertSpaces ? ' '.repeat(tabSize ?? 2) : '\t';
  const splices: Splice[] = [];
  const add = (offset: number, length: number, content: string) =>
    splices.push({ offset, length, content, order: splices.length });
  const indentAt = (offset: number) => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
  };
  const render = (value: unknown, indent: string) =>
    stringifyJson(value, unit)
      .split('\n')
      .join(eol + indent);
  const replace = (node: Span, value: unknown) =>
    add(node.start, node.end - node.start, render(value, indentAt(node.start)));
  /** Inserts `parts` after the last child, on its own line like it (or on the same line for inline containers). */
  const append = (node: Span, lastStart: number, lastEnd: number, parts: string[]) => {
    const indent = indentAt(lastStart);
    const sep = text.slice(node.start, lastStart).includes('\n') ? eol + indent : ' ';
    add(lastEnd, 0, parts.map((part) => `,${sep}${part}`).join(''));
  };

  const walk = (node: Span, was: unknown, now: unknown): void => {
    const open = text.charCodeAt(node.start);
    if (isObject(was) && isObject(now) && open === 123) {
      const props = objectProps(text, node.start);
      if (!props.some((prop) => prop.key in now)) {
        // Nothing of the old object survives (e.g. `{}` getting its first key): write it anew.
        if (!isDeepEqual(was, now)) replace(node, now);
        return;
      }
      const byKey = new Map(props.map((prop) => [prop.key, prop]));
      props.forEach((prop, index) => {
        if (prop.key in now) return;
        if (index > 0) add(props[index - 1].value.end, prop.value.end - props[index - 1].value.end, '');
        else add(prop.start, props[1].start - prop.start, '');
      });
      const added: string[] = [];
      for (const [key, value] of Object.entries(now)) {
        const prop = byKey.get(key);
        if (prop && key in was) {
          if (!isDeepEqual(was[key], value)) walk(prop.value, was[key], value);
        } else if (value !== undefined) added.push(key);
      }
      if (added.length === 0) return;
      const last = props[props.length - 1];
      const indent = indentAt(last.start);
      append(
        node,
        last.start,
        last.value.end,
        added.map((key) => `${JSON.stringify(key)}: ${render(now[key], indent)}`),
      );
      return;
    }
    if (Array.isArray(was) && Array.isArray(now) && open === 91) {
      if ((now.length === 0 || was.length === 0) && now.length !== was.length) {
        // Emptied, or `[]` getting its first items: write it anew.
        replace(node, now);
        return;
      }
      const items = arrayItems(text, node.start);
      if (items.length !== was.length) throw new Declined();
      const common = Math.min(was.length, now.length);
      // Most of a queue is untouched by an operation: compare before descending.
      for (let i = 0; i < common; i++) if (!isDeepEqual(was[i], now[i])) walk(items[i], was[i], now[i]);
      for (let i = was.length - 1; i >= common; i--) add(items[i - 1].end, items[i].end - items[i - 1].end, '');
      if (now.length > was.length) {
        const last = items[items.length - 1];
        const indent = indentAt(last.start);
        append(
          node,
          last.start,
          last.end,
          now.slice(was.length).map((value) => render(value, indent)),
        );
      }
      return;
    }
    if (!isDeepEqual(was, now)) replace(node, now);
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

/** Structural equality of JSON values (key order ignored); much cheaper than util.isDeepStrictEqual here. */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  // A spelling is not data: an unchanged value keeps the spelling the file has.
  if (a instanceof JsonNumber || b instanceof JsonNumber)
    return Object.is(a instanceof JsonNumber ? a.value : a, b instanceof JsonNumber ? b.value : b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (key) =>
      key in (b as object) && isDeepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
