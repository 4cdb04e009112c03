// The words of the confirm dialog: what a graceful or forced stop, a restart and stopping everything would do.
import type { ConfirmAction, Overlay } from './ui-state.js';

export const CONFIRM_TEXT: Record<
  Exclude<ConfirmAction, 'restart' | 'stop-all'>,
  { title: string; message: string }
> = {
  stop: { title: 'Graceful stop', message: 'Write STOP: agents finish their current experiment, then stop. Continue?' },
  'force-stop': { title: 'Forced stop', message: 'Stop every agent now (running experiments are lost). Continue?' },
};

/** Stopping everything says what happens to this workspace's agents and containers. */
function stopAllText(settings: { containers?: boolean; down?: boolean }): { title: string; message: string } {
  return {
    title: 'Stop every agent',
    message: settings.down
      ? 'Stop every agent and the supervisor service, and remove the agent containers (--down)? (q only detaches.)'
      : settings.containers
        ? 'Stop every agent and the supervisor service? Containers are kept (`ralph-tui down` removes them). (q only detaches.)'
        : 'Stop every agent and the supervisor service? The queue, log and results stay in the workspace. (q only detaches.)',
  };
}

/** The confirm dialog's words; a restart names the agent and the experiment it would interrupt. */
export function confirmText(
  overlay: Extract<Overlay, { kind: 'confirm' }>,
  settings: { containers?: boolean; down?: boolean } = {},
): { title: string; message: string } {
  if (overlay.action === 'stop-all') return stopAllText(settings);
  if (overlay.action !== 'restart') return CONFIRM_TEXT[overlay.action];
  return {
    title: `Restart ${overlay.agent ?? 'the agent'}`,
    message: `${overlay.agent} is running ${overlay.experiment}: a restart stops it (the run's progress is lost; the claim resumes after the restart). Continue?`,
  };
}
