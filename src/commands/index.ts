import type { Command } from 'commander';
import { registerStop } from './stop.js';
import { registerStatus } from './status.js';
import { registerResume } from './resume.js';
import { registerQueue } from './queue.js';
import { registerPrompts } from './prompts.js';
import { registerLog } from './log.js';
import { registerInit } from './init.js';
import { registerImage } from './image.js';
import { registerDown } from './down.js';
import { registerCompose } from './compose.js';
import { registerAgent } from './agent.js';
import { registerGenerate } from './generate.js';
import { registerScore } from './score.js';
import { registerSimulate } from './simulate.js';
import { registerRun } from './run.js';
import { registerSolve } from './solve.js';
import { registerTui } from './tui.js';
import { registerUp } from './up.js';

/**
 * Every command module registers itself here (one line each). Keep alphabetical order to avoid
 * merge noise.
 */
export const commandRegistrations: Array<(program: Command) => void> = [registerAgent, registerCompose, registerDown, registerGenerate, registerImage, registerInit, registerLog, registerPrompts, registerQueue, registerResume, registerRun, registerScore, registerSimulate, registerSolve, registerStatus, registerStop, registerTui, registerUp];
