// Test helper: a certificate directory laid out the way the kubelet mounts a Secret volume: the files are
// symlinks through `..data`, which points at a timestamped directory; an update writes a new directory and
// renames a `..data_tmp` symlink over `..data` (one atomic swap for both files).
import fs from 'node:fs';
import path from 'node:path';

let seq = 0;

export class KubeletSecretDir {
  constructor(readonly dir: string) {}

  get certFile(): string {
    return path.join(this.dir, 'tls.crt');
  }

  get keyFile(): string {
    return path.join(this.dir, 'tls.key');
  }

  /** Writes a new version of the files and swaps `..data` onto it atomically. */
  update(files: Record<string, string>): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const stamp = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${process.pid}_${++seq}`;
    const ts = path.join(this.dir, stamp);
    fs.mkdirSync(ts);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(ts, name), content, { mode: 0o600 });
    const data = path.join(this.dir, '..data');
    const old = fs.existsSync(data) ? fs.readlinkSync(data) : undefined;
    const tmp = path.join(this.dir, '..data_tmp');
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(stamp, tmp);
    fs.renameSync(tmp, data);
    for (const name of Object.keys(files)) {
      const link = path.join(this.dir, name);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join('..data', name), link);
    }
    if (old) fs.rmSync(path.join(this.dir, old), { recursive: true, force: true });
  }

  /** A non-atomic update (what a careless writer does): the files change one after the other. */
  writeInPlace(name: string, content: string): void {
    const target = fs.realpathSync(path.join(this.dir, name));
    fs.writeFileSync(target, content);
  }
}
