// Report stage: the reporters by format name. Each is a pure (run, ctx) => string (see ./types.ts).
import { codeclimateReporter } from './codeclimate.js';
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { openReportsReporter, policyReportReporter } from './policyreport.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';
import type { Reporter } from './types.js';

import type { Format } from './formats.js';

export { FORMATS, isFormat } from './formats.js';
export type { Format } from './formats.js';

/** One reporter per format. */
export const reporters: Record<Format, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
  junit: junitReporter,
  html: htmlReporter,
  codeclimate: codeclimateReporter,
  policyreport: policyReportReporter,
  openreports: openReportsReporter,
};
