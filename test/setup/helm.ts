// Test setup: extract the helm binary once per run (before any test file starts), so that tests running in
// parallel never race to unpack it.
import { ensureHelm } from '../helpers/helm.js';

export default async function setup(): Promise<void> {
  await ensureHelm();
}
