// JSON parsing whose errors name the file, line and column.
import { parseTree, type ParseError } from 'jsonc-parser';
import { UserError } from './errors.js';

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastNewline = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNewline = i;
    }
  }
  return { line, column: offset - lastNewline };
}

/**
 * JSON.parse with an error that names the file, line and column — V8 reports only a character
 * position, which nobody can find in a 2,000-line queue file, and for an unexpected token (`[ oops`)
 * no position at all: then jsonc-parser, in strict JSON mode, finds where the text stops being JSON.
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const { line, column } = lineColumn(text, errorOffset(text, message));
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/, .*is not valid JSON$/s, '')
      .replace(/^JSON\.parse: /, '')
      .replace(/\s+/g, ' ');
    const what = text.trim() === '' ? 'the file is empty' : reason;
    throw new UserError(`${source}: invalid JSON at line ${line}, column ${column}: ${what}`);
  }
}

/** Where JSON.parse gave up, as an offset into `text`. */
function errorOffset(text: string, message: string): number {
  const match = /position (\d+)/.exec(message);
  if (match) return Number(match[1]);
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset ?? text.length;
}
