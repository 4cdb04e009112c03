/** What the screen and other areas use from the experiments service. */
export {
  ExperimentRunner,
  type ExperimentRunnerOptions,
  type ExperimentRunState,
  type ExperimentRunView,
  type StartOptions,
} from './experiment-runner.js';
export { parseProgressLine, type ProgressEvent } from './output-line-parser.js';
export { ProgressLine, ProgressStartLine, ProgressSampleLine, ProgressEndLine } from './json-progress-lines.js';
export {
  listExperiments,
  resolveExperiment,
  ExperimentFile,
  type ExperimentDefinition,
} from './experiment-definition.js';
export { runExperiment, type RunExperimentOptions, type RunExperimentResult } from './run-experiment.js';
