// The certificate the box serves, and where it comes from: its own (made at first start, remade when
// its LAN names change or its end nears) or one installed by an admin or the fleet. Each is one JSON
// file under <data>/tls/ holding the key and the certificate together (mode 0600, written durably), so
// a power cut never leaves a certificate without its key. An installed one wins while it is there.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { writeFileDurably } from '../../../core/durable-file.ts';
import type { Logger } from '../../../core/log.ts';
import { checkCertificatePair, describeCertificate, type CertificateInfo } from './certificate-info.ts';
import { lanNames, namesKey, type LanNames } from './lan-names.ts';
import { makeOwnCertificate, nearsItsEnd, newOwnKey } from './own-certificate.ts';

export type CertificateSource = 'own' | 'installed';

export interface ServedCertificate {
  source: CertificateSource;
  key: string;
  cert: string;
  info: CertificateInfo;
}

/** What may be shown or sent anywhere: never the key. */
export interface CertificateView {
  source: CertificateSource;
  info: CertificateInfo;
}

interface OwnFile { key: string; cert: string; names: string; madeAt: string }
interface InstalledFile { key: string; cert: string; installedAt: string; by: string }

export interface TlsCertificatesOptions {
  dataDir: string;
  logger: Logger;
  now?: () => number;
  /** The box's name (the certificate's organisation). */
  boxName?: () => string;
  /** Tests: the interfaces and host name to make names from (default: this machine's). */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  hostname?: () => string;
}

export class TlsCertificates {
  private served: ServedCertificate | null = null;
  private readonly listeners = new Set<(c: ServedCertificate) => void>();
  private readonly now: () => number;
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly opts: TlsCertificatesOptions) {
    this.now = opts.now ?? Date.now;
  }

  get dir(): string {
    return join(this.opts.dataDir, 'tls');
  }

  private get ownFile(): string {
    return join(this.dir, 'own.json');
  }

  private get installedFile(): string {
    return join(this.dir, 'installed.json');
  }

  /** The names and addresses the box has now. */
  names(): LanNames {
    return lanNames((this.opts.interfaces ?? networkInterfaces)(), (this.opts.hostname ?? osHostname)());
  }

  /** Makes the box's own certificate if it has none (or one for other names), then picks what to serve. */
  async start(): Promise<ServedCertificate> {
    await this.refresh();
    return this.current();
  }

  /** The certificate served now; start() first. */
  current(): ServedCertificate {
    if (!this.served) throw new Error('TlsCertificates not started');
    return this.served;
  }

  /** Called with the new certificate whenever the served one changes (install, back to own, remake). */
  onChange(listener: (c: ServedCertificate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks the box's own certificate against its names and its end, remakes it if needed, and picks
   * what to serve. True when the served certificate changed. Safe to call often (housekeeping).
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const names = this.names();
    const key = namesKey(names);
    let own = this.readOwn();
    if (!own || own.names !== key || nearsItsEnd(describeCertificate(own.cert).validTo, this.now())) {
      // The key is kept: the SPKI hash stays the same across remakes.
      const keyPem = own?.key ?? newOwnKey();
      const cert = await makeOwnCertificate({ keyPem, names, boxName: this.opts.boxName?.() ?? 'voice-broadcast-box', now: this.now() });
      const next: OwnFile = { key: keyPem, cert, names: key, madeAt: new Date(this.now()).toISOString() };
      writeFileDurably(this.ownFile, `${JSON.stringify(next, null, 2)}\n`);
      this.opts.logger.info({ svc: 'tls', names: key, reason: own ? (own.names !== key ? 'names changed' : 'nearing its end') : 'first start' }, 'the box made its own certificate');
      own = next;
    }
    return this.pick(own);
  }

  /** Installs a certificate and key (checked first: readable, matching, valid now), served at once. */
  install(certPem: string, keyPem: string, by: string): CertificateView {
    const checked = checkCertificatePair(certPem, keyPem, this.now());
    const file: InstalledFile = { key: checked.key, cert: checked.cert, installedAt: new Date(this.now()).toISOString(), by };
    writeFileDurably(this.installedFile, `${JSON.stringify(file, null, 2)}\n`);
    const own = this.readOwn();
    if (!own) throw new Error('the box has no certificate of its own yet');
    this.pick(own);
    return this.view();
  }

  /** The served certificate without its key. */
  view(): CertificateView {
    const c = this.current();
    return { source: c.source, info: c.info };
  }

  /** Removes an installed certificate: the box's own is served again. False when none was installed. */
  useOwn(): { removed: boolean; served: CertificateView } {
    const removed = existsSync(this.installedFile);
    if (removed) rmSync(this.installedFile);
    const own = this.readOwn();
    if (!own) throw new Error('the box has no certificate of its own yet');
    this.pick(own);
    return { removed, served: this.view() };
  }

  private pick(own: OwnFile): boolean {
    const installed = this.readInstalled();
    const next: ServedCertificate = installed
      ? { source: 'installed', key: installed.key, cert: installed.cert, info: describeCertificate(installed.cert) }
      : { source: 'own', key: own.key, cert: own.cert, info: describeCertificate(own.cert) };
    const changed = !this.served || this.served.cert !== next.cert || this.served.key !== next.key;
    this.served = next;
    if (changed) {
      for (const l of this.listeners) {
        try {
          l(next);
        } catch (e) {
          this.opts.logger.error({ svc: 'tls', err: (e as Error).message }, 'serving the new certificate failed');
        }
      }
    }
    return changed;
  }

  private readOwn(): OwnFile | null {
    const f = this.readJson<OwnFile>(this.ownFile);
    return f && typeof f.key === 'string' && typeof f.cert === 'string' && typeof f.names === 'string' ? f : null;
  }

  private readInstalled(): InstalledFile | null {
    const f = this.readJson<InstalledFile>(this.installedFile);
    if (!f || typeof f.key !== 'string' || typeof f.cert !== 'string') return null;
    return f;
  }

  private readJson<T>(file: string): T | null {
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (e) {
      // Written durably, so only a hand edit gets here: the box's own is remade, an installed one is ignored.
      this.opts.logger.error({ svc: 'tls', file, err: (e as Error).message }, 'unreadable certificate file; not used');
      return null;
    }
  }
}
