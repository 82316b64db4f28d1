// Preflight stage: the ZooKeeper probe. Sends the four-letter word `srvr` to each member of the connect
// string over plain TCP and reads the version from the answer (`Zookeeper version: 3.8.0-...`). `srvr`
// is in the default `4lw.commands.whitelist` of ZooKeeper 3.5+, and 3.4 answers every four-letter word.
import net from 'node:net';
import type { LiveZk } from '../../model/types.js';
import { classifyError, PreflightTimeout } from '../errors.js';
import type { ZkMember } from '../targets.js';

/** The parsed `srvr` answer. */
export interface SrvrAnswer {
  version?: string;
  mode?: string;
  /** The member refused `srvr` (not whitelisted): it is 3.4.10+ at least, but its version is unknown. */
  refused: boolean;
  /** "This ZooKeeper instance is not currently serving requests". */
  notServing: boolean;
}

/** Parses the text a member answers to `srvr`. */
export function parseSrvr(text: string): SrvrAnswer {
  const version = /^Zookeeper version:\s*([^,\s]+)/im.exec(text)?.[1];
  const mode = /^Mode:\s*(\S+)/im.exec(text)?.[1];
  return {
    version,
    mode,
    refused: /is not executed because it is not in the whitelist/i.test(text),
    notServing: /not currently serving requests/i.test(text),
  };
}

/** Sends `srvr` and collects the answer until the member closes the connection. */
function askSrvr(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new PreflightTimeout(`srvr to ${host}:${port}`, timeoutMs));
    }, timeoutMs);
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (b: Buffer) => {
      // An answer is a few hundred bytes; anything far larger is not ZooKeeper.
      size += b.length;
      if (size > 64 * 1024) {
        socket.destroy();
        clearTimeout(timer);
        reject(Object.assign(new Error('answer too long for srvr'), { code: 'PROTOCOL_TOO_LONG' }));
        return;
      }
      chunks.push(b);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Probes one member. Never throws. */
export async function probeZkMember(m: ZkMember, index: number, configured: number, timeoutMs: number): Promise<LiveZk> {
  const fact: LiveZk = { host: m.host, port: m.port, reachable: false, index, configured };
  if (m.problem) {
    fact.error = `${m.host} ${m.problem}`;
    fact.errorKind = 'config';
    return fact;
  }
  try {
    const text = await askSrvr(m.host, m.port, timeoutMs);
    const a = parseSrvr(text);
    if (a.version) {
      fact.reachable = true;
      fact.version = a.version;
      fact.mode = a.mode;
    } else if (a.refused) {
      fact.reachable = true;
      fact.refused = true;
    } else if (a.notServing) {
      fact.error = 'the member answers but is not serving requests (no quorum)';
      fact.errorKind = 'protocol';
    } else {
      fact.error = text.trim() === '' ? 'the connection closed without an answer to srvr' : 'the answer to srvr is not a ZooKeeper answer';
      fact.errorKind = 'protocol';
    }
  } catch (e) {
    const pe = classifyError(e, []);
    fact.error = pe.message;
    fact.errorKind = pe.kind;
  }
  return fact;
}

/** Probes every member in parallel. */
export function probeZookeeper(members: readonly ZkMember[], timeoutMs: number): Promise<LiveZk[]> {
  return Promise.all(members.map((m, i) => probeZkMember(m, i, members.length, timeoutMs)));
}
