// Test helper: a manager Deployment as the chart renders it, with an image and an optional cluster version
// (imply_defaults_implyVersion) and custom versions: the evidence of the version rules.

/** The manager Deployment of release `rel` (line numbers are stable: tests assert them). */
export const managerWithVersion = (image: string, implyVersion?: string, customVersions?: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-manager
  labels: {app.kubernetes.io/instance: rel}
spec:
  template:
    spec:
      containers:
        - name: imply
          image: "${image}"
          env:
            - name: IMPLY_MANAGER_STORE_TYPE
              value: mysql
${implyVersion === undefined ? '' : `            - name: imply_defaults_implyVersion\n              value: "${implyVersion}"\n`}${customVersions === undefined ? '' : `            - name: imply_defaults_customImplyVersions\n              value: '${customVersions}'\n`}`;
