// Secrets never appear in the source text reports quote.
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/report/mask.js';
import { cli } from '../helpers/cli.js';

describe('maskSecrets', () => {
  const masked = maskSecrets(
    [
      'manager:',
      '  metadataStore:',
      '    password: psltest',
      '  secretName: imply-secrets',
      '  licenseKey: |',
      '    LICENSE-BODY',
      '  user: admin',
      'env:',
      '  - name: IMPLY_MANAGER_STORE_PASSWORD',
      '    value: "s3cr3t-env"',
      '  - name: IMPLY_MANAGER_STORE_USER',
      '    value: "admin"',
      'data:',
      '  secretkey: "aW1wbHlwYXNzd29yZA=="',
      '  accessKey: imply # comment',
      '  password: ""',
    ].join('\n'),
  );
  it('hides secret values and keeps line lengths', () => {
    for (const secret of ['psltest', 'LICENSE-BODY', 's3cr3t-env', 'aW1wbHlwYXNzd29yZA==', 'accessKey: imply']) expect(masked).not.toContain(secret);
    expect(masked).toContain('password: *******');
    expect(masked).toContain('accessKey: ***** # comment');
  });
  it('keeps what is not secret', () => {
    for (const keep of ['secretName: imply-secrets', 'user: admin', 'value: "admin"', 'password: ""']) expect(masked).toContain(keep);
  });
});

describe('reports never echo a password', () => {
  const values = 'druid:\n  deepStorage:\n    type: s3\n    path: s3://x/\n    user: imply\n    password: Xq9-my-own-s3cret\n';
  for (const format of ['text', 'sarif', 'json', 'github', 'junit']) {
    it(`--format ${format}`, async () => {
      const r = await cli(['--no-config', '--format', format, '-'], { stdin: values });
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('no-plaintext-secrets');
      expect(r.stdout).not.toContain('Xq9-my-own-s3cret');
    });
  }
});
