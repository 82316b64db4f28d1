import { expect, it } from 'vitest';
import minio from '../../src/rules/catalog/no-quickstart-minio.js';
import rule from '../../src/rules/catalog/suppression-unused.js';
import { fingerprint } from '../../src/rules/engine.js';
import type { PolicyExemption } from '../../src/rules/types.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

const pol = (e: Partial<PolicyExemption>) => ({
  exemptions: [{ reason: 'accepted for the demo', source: { file: '.imply-lint.yaml', range: { line: 5, column: 5, endLine: 5, endColumn: 20 } }, ...e }],
});

const minioDeployment = (annotations: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-minio
  labels: {app: minio, release: imply}
  annotations:
${annotations}
spec:
  template:
    spec:
      containers:
        - name: minio
          image: minio/minio:RELEASE.2020-03-06T22-23-56Z
`;

ruleTester.run('suppression-unused', rule, {
  valid: [
    { name: 'no suppressions', values: 'deployments:\n  minio: false\n' },
    // Linted alone, no-quickstart-minio did not run: nothing can be said about a suppression naming it.
    { name: 'a suppression naming a rule that did not run', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo\n  minio: false\n' },
    { name: 'an annotation naming a rule that did not run', manifest: minioDeployment('    imply-lint.io/exempt: no-quickstart-minio\n    imply-lint.io/exempt-reason: demo') },
    { name: 'a policy exemption for a rule that did not run', values: '{}\n', policy: pol({ rule: 'no-quickstart-minio' }) },
    { name: 'an expired exemption is exemption-expired\'s business', values: '{}\n', policy: pol({ fingerprint: fingerprint('x', 'y'), expires: '2020-01-01' }) },
  ],
  invalid: [
    {
      name: 'a blanket next-line suppression that matched nothing',
      values: 'deployments:\n  # imply-lint-disable-next-line -- old workaround\n  minio: false\n',
      errors: [{ messageId: 'inline', line: 2, column: 3, subject: 'imply-lint-disable-next-line * @ deployments.minio', severity: 'info' }],
    },
    {
      name: 'a blanket file suppression in a rendered stream',
      manifest: '# imply-lint-disable-file -- generated\napiVersion: v1\nkind: Service\nmetadata:\n  name: imply-query\n',
      errors: [{ messageId: 'inline', line: 1, column: 1, subject: 'imply-lint-disable-file *' }],
    },
    {
      name: 'a blanket exemption annotation',
      manifest: minioDeployment('    imply-lint.io/exempt: "*"\n    imply-lint.io/exempt-reason: demo'),
      errors: [{ messageId: 'annotation', object: 'Deployment/imply-minio', line: 7, subject: 'imply-lint.io/exempt * @ Deployment' }],
    },
    {
      name: 'a fingerprint exemption matching nothing',
      values: '{}\n',
      policy: pol({ fingerprint: fingerprint('no-quickstart-minio', 'deployments.minio') }),
      errors: [{ messageId: 'exemption', file: '.imply-lint.yaml', line: 5, column: 5, subject: `exemption fingerprint ${fingerprint('no-quickstart-minio', 'deployments.minio')}` }],
    },
  ],
});

const withMinio = (c: Parameters<typeof runCase>[1]) => runCase(rule, c, [minio]);

it('suppression-unused: a used next-line suppression is not reported', () => {
  expect(withMinio({ name: 'used', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo\n  minio: true\n' })).toEqual([]);
});

it('suppression-unused: an unused one naming a rule that ran is reported at the comment', () => {
  const [f] = withMinio({ name: 'unused', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo\n  minio: false\n' });
  expect(f.messageId).toBe('inline');
  expect(f.location).toMatchObject({ line: 2, column: 3 });
  expect(f.subject).toBe('imply-lint-disable-next-line no-quickstart-minio @ deployments.minio');
});

it('suppression-unused: a suppression aimed at the wrong line is unused', () => {
  const found = withMinio({ name: 'wrong line', values: '# imply-lint-disable-next-line no-quickstart-minio -- demo\nimages: {}\ndeployments:\n  minio: true\n' });
  expect(found.map((f) => f.messageId)).toEqual(['inline']);
});

it('suppression-unused: a used annotation and a used exemption are not reported', () => {
  const ann = withMinio({ name: 'ann', manifest: minioDeployment('    imply-lint.io/exempt: no-quickstart-minio\n    imply-lint.io/exempt-reason: demo') });
  expect(ann).toEqual([]);
  const exm = withMinio({ name: 'exm', values: 'deployments:\n  minio: true\n', policy: pol({ rule: 'no-quickstart-minio', subject: 'deployments.minio' }) });
  expect(exm).toEqual([]);
});

it('suppression-unused: an exemption for a subject that had no finding is reported', () => {
  const [f] = withMinio({ name: 'x', values: 'deployments:\n  minio: false\n', policy: pol({ rule: 'no-quickstart-minio', subject: 'deployments.minio' }) });
  expect(f.messageId).toBe('exemption');
  expect(f.subject).toBe('exemption no-quickstart-minio @ deployments.minio');
});

it('suppression-unused: a suppression without a reason that matched a finding counts as used', () => {
  expect(withMinio({ name: 'x', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio\n  minio: true\n' })).toEqual([]);
});
