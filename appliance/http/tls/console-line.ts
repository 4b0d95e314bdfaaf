// The console line at start: the URL staff open on the LAN, and the certificate's SHA-256 fingerprint
// and SPKI hash, to compare with what their browser shows before they trust it.
import type { HttpSettings } from '../../../core/settings-types.ts';
import type { TlsCertificates } from './certificate-store.ts';
import { lanAddresses } from './lan-names.ts';

function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

export function webUiLine(o: { http: HttpSettings; port: number; tls: TlsCertificates | null; out?: (line: string) => void }): { text: string; fields: Record<string, unknown> } {
  const bind = o.http.bindAddress;
  const anyAddress = bind === '0.0.0.0' || bind === '::';
  const lan = o.tls ? lanAddresses(o.tls.names()) : [];
  // A box bound to every address is reached on its first LAN address; one bound to one address, there.
  const host = anyAddress ? (lan[0] ?? '127.0.0.1') : bind;
  const scheme = o.tls ? 'https' : 'http';
  const url = `${scheme}://${hostOf(host)}:${o.port}/`;
  let text = `web UI: ${url}`;
  const fields: Record<string, unknown> = { url };
  if (o.tls) {
    const c = o.tls.view();
    const local = anyAddress || bind.startsWith('127.') ? ` (on this machine also http://127.0.0.1:${o.port}/)` : '';
    text += `${local} — certificate (${c.source === 'own' ? 'the box\'s own' : 'installed'}) SHA-256 ${c.info.fingerprint256}, SPKI sha256/${c.info.spkiSha256}`;
    Object.assign(fields, { source: c.source, fingerprint256: c.info.fingerprint256, spkiSha256: c.info.spkiSha256 });
  }
  (o.out ?? ((l: string) => process.stdout.write(`${l}\n`)))(text);
  return { text, fields };
}
