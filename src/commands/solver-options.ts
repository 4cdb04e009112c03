import fs from 'node:fs';
import { UserError } from '../errors.js';
import { parseJsonText } from '../json-file.js';

/** Option parser for whole numbers ≥ min; a bad value is a UserError (exit 2) naming the flag. */
export function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min) {
      throw new UserError(`${flag}: expected a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

/** Reads and parses a JSON file given on the command line (clear error when missing or malformed). */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: no such ${what} file` : `${file}: cannot read the ${what} file (${code})`);
  }
  return parseJsonText(text, file);
}
