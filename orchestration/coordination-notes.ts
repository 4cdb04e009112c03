// What a worker tells coordination.json outside a claim: that it is alive (a heartbeat) and its research findings.
import { editCoordination, markSeen, withSharedLock, workerRecord } from './shared-edit.js';

/** Records that a worker is alive (and optionally its status and current experiment). */
export async function heartbeat(
  root: string,
  worker: string,
  status?: string,
  currentExperiment?: string | null,
): Promise<void> {
  await withSharedLock(root, () =>
    editCoordination(root, (doc) => {
      const record = workerRecord(doc, worker);
      if (status !== undefined) record.status = status;
      if (currentExperiment !== undefined) record.current_experiment = currentExperiment;
      markSeen(doc, record);
    }),
  );
}

/** Appends a research finding ("W1: ...") to coordination.json. */
export async function recordFinding(root: string, worker: string, text: string): Promise<void> {
  await withSharedLock(root, () =>
    editCoordination(root, (doc) => {
      if (!Array.isArray(doc.research_findings)) doc.research_findings = [];
      doc.research_findings.push(`${worker}: ${text}`);
    }),
  );
}
