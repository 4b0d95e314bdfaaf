// A one-shot check of FreeSWITCH's event socket before handing it to drachtio-fsmrf: log in, run one
// API command, return its body. fsmrf throws from a callback (an uncaught exception) when the sofia
// profile it needs is missing, so the engine asks first.
import net from 'node:net';

export interface EslTarget { host: string; port: number; secret: string }

/** Run one API command over a fresh event-socket connection; rejects on refusal, bad password or timeout. */
export function eslApi(t: EslTarget, command: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: t.host, port: t.port });
    let buf = Buffer.alloc(0);
    let stage: 'auth' | 'login' | 'api' = 'auth';
    const timer = setTimeout(() => finish(new Error('event socket: no answer')), timeoutMs);
    const finish = (err: Error | null, body?: string): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(body ?? '');
    };
    sock.on('error', (e) => finish(e));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\n\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/^Content-Length:\s*(\d+)/mi.exec(head)?.[1] ?? 0);
        if (buf.length < end + 2 + len) return;
        const body = buf.subarray(end + 2, end + 2 + len).toString('utf8');
        buf = buf.subarray(end + 2 + len);
        const type = /^Content-Type:\s*(\S+)/mi.exec(head)?.[1] ?? '';
        if (stage === 'auth' && type === 'auth/request') {
          stage = 'login';
          sock.write(`auth ${t.secret}\n\n`);
        } else if (stage === 'login' && type === 'command/reply') {
          if (!/^Reply-Text:\s*\+OK/mi.test(head)) return finish(new Error('event socket: password refused'));
          stage = 'api';
          sock.write(`api ${command}\n\n`);
        } else if (stage === 'api' && type === 'api/response') {
          return finish(null, body);
        } else if (type === 'text/rude-rejection' || type === 'text/disconnect-notice') {
          return finish(new Error(`event socket: ${type}`));
        }
      }
    });
  });
}

/** The SIP address (ip:port) of a running sofia profile, from `sofia status`; null when it is not running. */
export function profileAddress(sofiaStatus: string, profile: string): string | null {
  const re = new RegExp(`^\\s*${profile.replace(/[^A-Za-z0-9_-]/g, '')}\\s+profile\\s+sip:[^@\\s]*@(\\d{1,3}(?:\\.\\d{1,3}){3}:\\d+)\\s+RUNNING`, 'mi');
  return re.exec(sofiaStatus)?.[1] ?? null;
}
