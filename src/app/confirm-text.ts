// The words of the confirm dialog: what a graceful or forced stop, a restart and quitting would do.
import type { ConfirmAction, Overlay } from './ui-state.js';

export const CONFIRM_TEXT: Record<Exclude<ConfirmAction, 'restart' | 'quit'>, { title: string; message: string }> = {
  stop: { title: 'Graceful stop', message: 'Write STOP: agents finish their current experiment, then stop. Continue?' },
  'force-stop': { title: 'Forced stop', message: 'Stop every agent now (running experiments are lost). Continue?' },
};

/** Quitting says what happens to this workspace's agents: local processes stop; containers keep running unless --down. */
function quitText(settings: { containers?: boolean; down?: boolean }): { title: string; message: string } {
  return {
    title: 'Quit ralph-tui',
    message: !settings.containers
      ? 'Quit? The agents run as processes of this screen and stop with it; the queue, log and results stay in the workspace.'
      : settings.down
        ? 'Quit? The agent containers are stopped and removed (--down); local agents stop too.'
        : 'Quit the screen? Agent containers keep running (reattached next time; start with --down to remove them); local agents stop.',
  };
}

/** The confirm dialog's words; a restart names the agent and the experiment it would interrupt. */
export function confirmText(
  overlay: Extract<Overlay, { kind: 'confirm' }>,
  settings: { containers?: boolean; down?: boolean } = {},
): { title: string; message: string } {
  if (overlay.action === 'quit') return quitText(settings);
  if (overlay.action !== 'restart') return CONFIRM_TEXT[overlay.action];
  return {
    title: `Restart ${overlay.agent ?? 'the agent'}`,
    message: `${overlay.agent} is running ${overlay.experiment}: a restart stops it (the run's progress is lost; the claim resumes after the restart). Continue?`,
  };
}
