// The engine factory: the one place in appliance/ (with main.ts, which calls it) that names a call
// engine. Kept apart from main.ts so that `appliance call` loads an engine and not the whole box (HTTP
// service, routes, fleet agent, MQTT): a command that places one call starts in a fraction of the time.
// The engines themselves are imported on demand: a box loads only the one its settings name.
import type { CallEngine, StaffDirectory } from '../core/call-port.ts';
import type { Settings } from '../core/settings-types.ts';
import type { Logger } from '../core/log.ts';
import { AppError } from '../core/errors.ts';

export async function createEngine(settings: Pick<Settings, 'engine' | 'sip' | 'media' | 'trunks' | 'defaultTrunk' | 'drachtio'>, logger: Logger, dataDir: string, staff?: { directory: StaffDirectory; realm: string }): Promise<CallEngine> {
  if (settings.engine === 'embedded') {
    const { EmbeddedEngine } = await import('../sip/embedded/engine.ts');
    const portRange: [number, number] = [settings.media.rtpPortMin, settings.media.rtpPortMax];
    return new EmbeddedEngine({
      settings,
      logger: logger.child({ svc: 'engine' }),
      // Browser softphones' media (issue 16): a WebRTC leg (werift: DTLS-SRTP, G.711) on the RTP port range,
      // its module loaded by the first browser call (a broadcast-only box never loads werift).
      webrtc: async (o) => new (await import('../media/webrtc/leg.ts')).WebRtcLeg({ ...o, portRange, silenceTimeoutMs: 60_000 }),
      // Media workers (issue 19): absent means one per core; 0 keeps media on the main thread.
      ...(settings.media.workers !== undefined ? { mediaWorkers: settings.media.workers } : {}),
      ...(staff ? { staff } : {}),
    });
  }
  if (settings.engine === 'drachtio') {
    // drachtio-server + FreeSWITCH (settings.drachtio); calls are refused while either is away.
    const { DrachtioEngine } = await import('../sip/drachtio/engine.ts');
    // files shared with FreeSWITCH go to the state folder, not to a predictable name in /tmp
    // Staff endpoints (issue 16): softphones are relayed to drachtio-server's loopback ws contact (its default).
    return new DrachtioEngine({ settings, logger: logger.child({ svc: 'engine' }), stateDir: dataDir, ...(staff ? { staff } : {}) });
  }
  throw new AppError('E_CONFIG_INVALID', `unknown engine "${String(settings.engine)}"`, { key: 'engine' });
}
