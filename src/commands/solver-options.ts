// Option parsers shared by the solver commands.
import { UserError } from '../../core/errors.js';

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
