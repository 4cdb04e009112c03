// Follows the workspace's STOP file, whoever writes or removes it.
import { exists, UnsafeFileError } from '../../core/safe-fs.js';
import { stopState } from '../../orchestration/index.js';

export interface StopFileEvents {
  /** STOP appeared: `forced` when `ralph-tui stop --force` wrote it. */
  appeared(state: { reason?: string; forced?: boolean }): void;
  /** STOP was removed (`u` on the screen, `ralph-tui resume`). */
  removed(): void;
}

/**
 * STOP is the team's shared switch, and anyone may flip it: an agent that reached the target, a person
 * running `ralph-tui stop [--force]` or `resume` in another terminal. An existence check per call is cheap
 * (the supervisor calls it every tick); the file is read only when it appears.
 */
export class StopFileFollower {
  private present = false;

  constructor(
    private readonly workspace: string,
    private readonly stopFile: string,
    private readonly events: StopFileEvents,
    /** coordination.json (read for the target) is a link, a pipe or huge: said, and STOP's reason read without it. */
    private readonly onUnsafe: (error: UnsafeFileError) => void = () => undefined,
  ) {}

  /** The supervisor wrote STOP itself: not news at the next check. */
  wrote(): void {
    this.present = true;
  }

  /** The supervisor removed STOP itself: not news either. */
  cleared(): void {
    this.present = false;
  }

  check(): void {
    // lstat: STOP counts whatever it is (a link or a pipe too), and nothing is followed.
    const present = exists(this.stopFile);
    if (present === this.present) return;
    this.present = present;
    if (!present) {
      this.events.removed();
      return;
    }
    let state: { reason?: string; forced?: boolean } = {};
    try {
      state = stopState(this.workspace);
    } catch (error) {
      // Unreadable coordination while an agent writes it: STOP itself is what matters here.
      if (error instanceof UnsafeFileError) this.onUnsafe(error);
      state = stopState(this.workspace, null);
    }
    this.events.appeared(state);
  }
}
