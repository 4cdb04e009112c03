import type { Command } from 'commander';

/**
 * Every command module registers itself here (one line each). Keep alphabetical order to avoid
 * merge noise.
 */
export const commandRegistrations: Array<(program: Command) => void> = [];
