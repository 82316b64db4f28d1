import { expect, it } from 'vitest';
import minio from '../../src/rules/catalog/no-quickstart-minio.js';
import rule from '../../src/rules/catalog/suppression-missing-reason.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

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

ruleTester.run('suppression-missing-reason', rule, {
  valid: [
    { name: 'a next-line suppression with a reason', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo cluster, deleted after the workshop\n  minio: true\n' },
    { name: 'a file suppression with a reason', values: '# imply-lint-disable-file unknown-key -- keys for our fork of the chart\nfoo: 1\n' },
    { name: 'an exemption annotation with a reason', manifest: minioDeployment('    imply-lint.io/exempt: no-quickstart-minio\n    imply-lint.io/exempt-reason: staging mirror of the quickstart') },
    { name: 'the marker inside a quoted value is no comment', values: 'manager:\n  licenseKey: "x#imply-lint-disable-next-line"\n' },
    { name: 'no suppressions at all', values: 'deployments:\n  minio: false\n' },
  ],
  invalid: [
    {
      name: 'a next-line suppression without a reason',
      values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio\n  minio: true\n',
      errors: [{ messageId: 'inline', line: 2, column: 3, subject: 'imply-lint-disable-next-line no-quickstart-minio @ deployments.minio', severity: 'error' }],
    },
    {
      name: 'an empty reason after --',
      values: 'deployments:\n  minio: true # imply-lint-disable-next-line no-quickstart-minio --\n  mysql: false\n',
      errors: [{ messageId: 'inline', line: 2, column: 15, subject: 'imply-lint-disable-next-line no-quickstart-minio @ deployments.mysql' }],
    },
    {
      name: 'a file suppression without a reason names every rule',
      values: '# imply-lint-disable-file\nfoo: 1\n',
      errors: [{ messageId: 'inline', line: 1, column: 1, subject: 'imply-lint-disable-file *' }],
    },
    {
      name: 'a suppression comment in a rendered stream',
      manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: imply-query\nspec:\n  # imply-lint-disable-next-line exposed-without-tls, tls-enabled\n  type: LoadBalancer\n',
      errors: [{ messageId: 'inline', line: 6, column: 3, subject: 'imply-lint-disable-next-line exposed-without-tls,tls-enabled @ Service:spec.type' }],
    },
    {
      name: 'an exemption annotation without imply-lint.io/exempt-reason',
      manifest: minioDeployment('    imply-lint.io/exempt: no-quickstart-minio'),
      errors: [{ messageId: 'annotation', object: 'Deployment/imply-minio', path: 'metadata.annotations["imply-lint.io/exempt"]', line: 7, column: 27, subject: 'imply-lint.io/exempt no-quickstart-minio @ Deployment' }],
    },
    {
      name: 'a blank exempt-reason',
      manifest: minioDeployment('    imply-lint.io/exempt: "*"\n    imply-lint.io/exempt-reason: "  "'),
      errors: [{ messageId: 'annotation', object: 'Deployment/imply-minio', subject: 'imply-lint.io/exempt * @ Deployment' }],
    },
  ],
});

it('suppression-missing-reason: the finding a reasonless suppression names is not suppressed', () => {
  const c = { name: 'x', values: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio\n  minio: true\n' };
  const found = runCase(minio, c, [rule]);
  expect(found).toHaveLength(1);
  expect(found[0].suppressed).toBeUndefined();
});

it('suppression-missing-reason: a blanket disable comment cannot silence this rule', () => {
  const found = runCase(rule, { name: 'x', values: '# imply-lint-disable-file\n' });
  expect(found).toHaveLength(1);
  expect(found[0].suppressed).toBeUndefined();
});
