/** Small text formatters shared by the panes (pure; no I/O). */
import stringWidth from 'string-width';

export function formatScore(score: number | undefined | null): string {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(4) : '—';
}

export function formatMinutes(minutes: number | undefined | null): string {
  return typeof minutes === 'number' && Number.isFinite(minutes) ? `${minutes.toFixed(1)} min` : '—';
}

/**
 * A projected time labelled with what it projects: minutes for 400 samples at N workers. The header's
 * best (at the budget's workers) and a run's projection (at its own workers) differ by that factor.
 */
export function perFourHundred(minutes: number | undefined | null, workers?: number): string {
  return `${formatMinutes(minutes)}/400${workers ? `@${workers}w` : ''}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  // "7252h12m" (a worker last seen months ago, in an old deployment's files) reads better in days.
  return `${Math.floor(h / 24)}d`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)}G`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)}M`;
  return `${Math.round(bytes / 1024)}K`;
}

/** "3m ago" style age of an ISO time relative to `now` (ms). */
export function formatAge(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  return `${formatDuration((now - at) / 1000)} ago`;
}

/** A fixed-width text progress bar. */
export function progressBar(done: number, total: number, width: number): string {
  const w = Math.max(1, width);
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * w);
  return '█'.repeat(filled) + '░'.repeat(w - filled);
}

const graphemes = new Intl.Segmenter();

/** Cuts text to at most `width` terminal columns (wide characters take two), marking the cut with an ellipsis. */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const columns = stringWidth(segment);
    if (used + columns > width - 1) break;
    kept += segment;
    used += columns;
  }
  return `${kept}…`;
}
