import { expect, it } from 'vitest';
import minio from '../../src/rules/catalog/no-quickstart-minio.js';
import rule from '../../src/rules/catalog/exemption-expired.js';
import { fingerprint } from '../../src/rules/engine.js';
import type { PolicyExemption } from '../../src/rules/types.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

const at = (line: number) => ({ file: '.imply-lint.yaml', range: { line, column: 5, endLine: line, endColumn: 30 } });
const ex = (e: Partial<PolicyExemption>, line = 4): PolicyExemption => ({ rule: 'no-quickstart-minio', subject: 'deployments.minio', reason: 'demo until the S3 bucket exists', source: at(line), ...e });
const fp = fingerprint('no-quickstart-minio', 'deployments.minio');

ruleTester.run('exemption-expired', rule, {
  valid: [
    { name: 'no exemptions', values: 'deployments:\n  minio: true\n' },
    { name: 'an exemption without expiry', values: 'deployments:\n  minio: true\n', policy: { exemptions: [ex({ expires: undefined })] } },
    { name: 'an exemption expiring later', values: 'deployments:\n  minio: true\n', policy: { exemptions: [ex({ expires: '2026-06-30' })] } },
    { name: 'the expiry day itself still counts (UTC, end of day)', values: '{}\n', context: { now: new Date('2026-01-15T23:00:00Z') }, policy: { exemptions: [ex({ expires: '2026-01-15' })] } },
  ],
  invalid: [
    {
      name: 'a rule + subject exemption past its date, located in the policy',
      values: 'deployments:\n  minio: true\n',
      policy: { exemptions: [ex({ expires: '2025-12-31' }, 7)] },
      errors: [{ messageId: 'expired', file: '.imply-lint.yaml', line: 7, column: 5, subject: 'exemption no-quickstart-minio @ deployments.minio', severity: 'warning' }],
    },
    {
      name: 'a fingerprint exemption past its date, with a manifest input',
      manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: imply-query\n',
      policy: { exemptions: [ex({ rule: undefined, subject: undefined, fingerprint: fp, expires: '2025-01-01' }, 3)] },
      errors: [{ messageId: 'expired', file: '.imply-lint.yaml', line: 3, subject: `exemption fingerprint ${fp}` }],
    },
    {
      name: 'the day after the expiry date',
      values: '{}\n',
      context: { now: new Date('2026-01-16T00:00:00Z') },
      policy: { exemptions: [ex({ expires: '2026-01-15' })] },
      errors: [{ messageId: 'expired', line: 4 }],
    },
    {
      name: 'an exemption with a timestamp expiry',
      values: '{}\n',
      policy: { exemptions: [ex({ expires: '2026-01-14T12:00:00Z' })] },
      errors: [{ messageId: 'expired', line: 4 }],
    },
    {
      name: 'an exemption without a known position is shown at line 1 of the input',
      values: 'deployments:\n  minio: true\n',
      policy: { exemptions: [ex({ expires: '2025-12-31', source: undefined })] },
      errors: [{ messageId: 'expired', file: 'values.yaml', line: 1, column: 1 }],
    },
  ],
});

it('exemption-expired: the expired exemption no longer suppresses its finding', () => {
  const c = { name: 'x', values: 'deployments:\n  minio: true\n', policy: { exemptions: [ex({ expires: '2025-12-31' })] } };
  const [f] = runCase(minio, c, [rule]);
  expect(f.suppressed).toBeUndefined();
  const [g] = runCase(minio, { ...c, policy: { exemptions: [ex({ expires: '2026-12-31' })] } }, [rule]);
  expect(g.suppressed?.kind).toBe('policy');
});

it('exemption-expired: the message names the exemption and its date', () => {
  const [f] = runCase(rule, { name: 'x', values: '{}\n', policy: { exemptions: [ex({ expires: '2025-12-31' })] } });
  expect(f.message).toContain('no-quickstart-minio on deployments.minio');
  expect(f.message).toContain('2025-12-31');
});
