// The pane listing experiment runs: progress bars for running ones, results and failures for finished ones.
import { Box, Text } from 'ink';
import type { ExperimentRun } from '../src/app/view-models.js';
import { clip, formatDuration, formatScore, perFourHundred, progressBar } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { theme } from './theme.js';

interface Line {
  key: string;
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** Two lines per running run (name, bar); one per finished run; failures add their last lines. In the order given. */
export function experimentLines(runs: readonly ExperimentRun[], selectedId: string | undefined, width: number): Line[] {
  const lines: Line[] = [];
  for (const run of runs) {
    const mark = run.id === selectedId ? '›' : ' ';
    const by = run.worker ? ` · ${run.worker}` : '';
    const selected = run.id === selectedId;
    if (run.state === 'running' || run.state === 'queued') {
      const pct = run.total > 0 ? Math.floor((100 * run.done) / run.total) : 0;
      lines.push({
        key: `${run.id}n`,
        text: `${mark}${run.name} ${run.done}/${run.total || '?'} ${pct}%${by}`,
        bold: true,
        inverse: selected,
      });
      const stats = ` ETA ${formatDuration(run.etaSeconds)} · score ${formatScore(run.runningScore)}${run.projected400Min !== undefined ? ` · ${perFourHundred(run.projected400Min, run.workers)}` : ''}`;
      const barWidth = Math.max(4, Math.min(30, width - 2 - stats.length));
      lines.push({
        key: `${run.id}b`,
        text: `  ${progressBar(run.done, run.total, barWidth)}${stats}`,
        color: theme.accent,
      });
    } else if (run.state === 'finished') {
      lines.push({
        key: `${run.id}n`,
        text: `${mark}✓ ${run.name} ${formatScore(run.score)}${run.projected400Min !== undefined ? ` · ${perFourHundred(run.projected400Min, run.workers)}` : ''} (${run.done}/${run.total})${by}`,
        color: theme.good,
        inverse: selected,
      });
    } else {
      lines.push({
        key: `${run.id}n`,
        text: `${mark}✖ ${run.name} ${run.state} (${run.done}/${run.total || '?'})${by}`,
        color: run.state === 'failed' ? theme.bad : theme.warn,
        inverse: selected,
      });
      if (run.state === 'failed') {
        run.lastLines
          .slice(-2)
          .forEach((text, index) => lines.push({ key: `${run.id}l${index}`, text: `    ${text}`, dim: true }));
      }
    }
  }
  return lines;
}

export function ExperimentsPane({
  runs,
  selectedId,
  width,
  height,
}: {
  runs: readonly ExperimentRun[];
  selectedId: string | undefined;
  width: number;
  height: number;
}) {
  const running = runs.filter((run) => run.state === 'running').length;
  const lines = experimentLines(runs, selectedId, width).slice(0, Math.max(0, height - 1));
  return (
    <Box width={width} height={height} flexDirection="column" overflowY="hidden">
      <PaneTitle text="Experiments" extra={runs.length === 0 ? 'e to start one' : `${running} running`} width={width} />
      {lines.map((line) => (
        <Text
          key={line.key}
          color={line.color}
          bold={line.bold}
          dimColor={line.dim}
          inverse={line.inverse}
          wrap="truncate"
        >
          {clip(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}
