// The console's API: boxes, alerts, a box's telemetry and events, groups, commands with their answers
// (the emergency stop among them), staged rollouts, the audit log and users. Each change is audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BOX_ID } from '../../core/fleet-topics.ts';
import type { FleetManager } from '../service.ts';
import { ConsoleError, sessionOf } from './server.ts';
import { GROUP_NAME } from '../store/console-store.ts';
import { RolloutRefused } from '../rollout.ts';
import { boxDetail, boxSummary, commandList } from './views.ts';
// The fleet side of provisioning (DESIGN.md: it belongs with the fleet manager): the same CA folder,
// files and lock as `fleet-tool token` / `fleet-tool claim`, so the enrolment server sees what the console issues.
import { certSha256, FleetCa } from '../../provisioning/fleet-ca.ts';

/** What the console may send to boxes (the box refuses anything else anyway). */
export const CONSOLE_COMMANDS = ['campaign.pause-all', 'campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.stop', 'report.get'] as const;

const boxIds = { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'string', pattern: BOX_ID.source } } as const;

export function registerRoutes(app: FastifyInstance, fm: FleetManager, fleetDir: string | null = null): void {
  const store = () => fm.store!;
  const cons = () => fm.console!;
  const who = (req: FastifyRequest): string => sessionOf(req).username;

  app.get('/api/boxes', { config: { consoleAccess: 'viewer' } }, async () => ({ boxes: (await store().boxes()).map(boxSummary) }));

  app.get('/api/boxes/:id', { config: { consoleAccess: 'viewer' } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const d = await boxDetail(store().sql, id);
    if (!d) throw new ConsoleError('E_NOT_FOUND', 404, `no box "${id}" has reported to this fleet manager`, { box: id });
    return d;
  });

  app.get('/api/alerts', { config: { consoleAccess: 'viewer' } }, async (req) => ({ alerts: await store().alerts((req.query as { all?: string }).all !== '1') }));

  app.get('/api/groups', { config: { consoleAccess: 'viewer' } }, async () => ({ groups: await cons().groups() }));

  app.put('/api/groups/:name', {
    config: { consoleAccess: 'operator' },
    schema: { body: { type: 'object', required: ['boxes'], additionalProperties: false, properties: { boxes: { ...boxIds, minItems: 0 } } } },
  }, async (req) => {
    const name = (req.params as { name: string }).name;
    if (!GROUP_NAME.test(name)) throw new ConsoleError('E_INVALID', 400, 'group name: letters, digits, space . _ - (up to 64)', { field: 'name' });
    const { boxes } = req.body as { boxes: string[] };
    await cons().putGroup(name, boxes);
    await cons().audit(who(req), 'group.put', name, 'ok', { boxes });
    return { name, boxes };
  });

  app.get('/api/commands', { config: { consoleAccess: 'viewer' } }, async () => ({ commands: await commandList(store().sql) }));

  app.post('/api/commands', {
    config: { consoleAccess: 'operator' },
    schema: { body: { type: 'object', required: ['boxes', 'type'], additionalProperties: false, properties: { boxes: boxIds, type: { type: 'string', enum: [...CONSOLE_COMMANDS] }, data: { type: 'object' } } } },
  }, async (req) => {
    const b = req.body as { boxes: string[]; type: string; data?: Record<string, unknown> };
    const id = await fm.command(b.boxes, b.type, b.data ?? {});
    await cons().audit(who(req), `command ${b.type}`, b.boxes.join(','), 'ok', { commandId: id, data: b.data ?? {} });
    return { commandId: id };
  });

  // The emergency stop: every running campaign of every box of the group paused (campaign.pause-all).
  app.post('/api/emergency-stop', {
    config: { consoleAccess: 'operator' },
    schema: { body: { type: 'object', required: ['group'], additionalProperties: false, properties: { group: { type: 'string', maxLength: 64 } } } },
  }, async (req) => {
    const { group } = req.body as { group: string };
    const boxes = await cons().groupBoxes(group);
    if (!boxes) throw new ConsoleError('E_NOT_FOUND', 404, `no group "${group}"`, { field: 'group' });
    if (boxes.length === 0) throw new ConsoleError('E_INVALID', 400, `group "${group}" has no box`, { field: 'group' });
    const id = await fm.command(boxes, 'campaign.pause-all', {}, { ttlMs: 24 * 3_600_000 });
    await cons().audit(who(req), 'emergency-stop', group, 'ok', { commandId: id, boxes });
    return { commandId: id, boxes };
  });

  app.get('/api/rollouts', { config: { consoleAccess: 'viewer' } }, async () => ({ rollouts: await fm.rollouts!.list() }));

  app.post('/api/rollouts', {
    config: { consoleAccess: 'admin' },
    schema: { body: { type: 'object', required: ['group', 'settings'], additionalProperties: false, properties: { group: { type: 'string', maxLength: 64 }, settings: { type: 'object', minProperties: 1 } } } },
  }, async (req) => {
    const { group, settings } = req.body as { group: string; settings: Record<string, unknown> };
    const boxes = await cons().groupBoxes(group);
    if (!boxes) throw new ConsoleError('E_NOT_FOUND', 404, `no group "${group}"`, { field: 'group' });
    if (boxes.length === 0) throw new ConsoleError('E_INVALID', 400, `group "${group}" has no box`, { field: 'group' });
    try {
      const r = await fm.startRollout(group, boxes, settings, who(req));
      await cons().audit(who(req), 'rollout.start', group, 'ok', { rollout: r.rollout, version: r.version, keys: Object.keys(settings) });
      return r;
    } catch (e) {
      if (!(e instanceof RolloutRefused)) throw e;
      await cons().audit(who(req), 'rollout.start', group, 'refused', { reason: e.message });
      throw new ConsoleError('E_CONFLICT', 409, e.message, { field: 'group' });
    }
  });

  // Claim codes and claim tokens (admin): what `fleet-tool claim` and `fleet-tool token` do.
  const ca = (): FleetCa => {
    const c = fleetDir ? new FleetCa(fleetDir) : null;
    if (!c?.initialised) throw new ConsoleError('E_CONFLICT', 409, 'this fleet manager runs without the fleet CA folder (serve --fleet-dir): claim codes and tokens are issued where the CA is');
    return c;
  };
  app.post('/api/claims', {
    config: { consoleAccess: 'admin' },
    schema: { body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', maxLength: 32 } } } },
  }, async (req) => {
    const { code } = req.body as { code: string };
    let approved: string;
    try {
      approved = await ca().approveClaim(code);
    } catch (e) {
      if (e instanceof ConsoleError) throw e;
      await cons().audit(who(req), 'claim.approve', null, 'refused', { reason: (e as Error).message });
      throw new ConsoleError('E_INVALID', 400, (e as Error).message, { field: 'code' });
    }
    await cons().audit(who(req), 'claim.approve', approved, 'ok');
    return { code: approved };
  });
  app.post('/api/tokens', {
    config: { consoleAccess: 'admin' },
    schema: { body: { type: 'object', additionalProperties: false, properties: { ttlHours: { type: 'number', minimum: 1, maximum: 24 * 90 }, note: { type: 'string', maxLength: 200 } } } },
  }, async (req) => {
    const b = req.body as { ttlHours?: number; note?: string };
    const c = ca();
    const cfg = await c.config();
    if (!cfg.fleetUrl) throw new ConsoleError('E_CONFLICT', 409, 'the fleet CA has no enrolment URL (fleet-tool init --fleet-url)');
    const { token, expiresAt } = await c.createToken({ ttlMs: (b.ttlHours ?? 168) * 3_600_000, ...(b.note ? { note: b.note } : {}) });
    // Only the note and the expiry reach the audit: the token is a secret (the CA keeps its hash).
    await cons().audit(who(req), 'token.create', b.note ?? null, 'ok', { expiresAt });
    return { provision: { fleetUrl: cfg.fleetUrl, claimToken: token, caSha256: certSha256(await c.caPem()) }, expiresAt };
  });

  app.get('/api/audit', { config: { consoleAccess: 'admin' } }, async () => ({ entries: await cons().auditLog() }));
  app.get('/api/users', { config: { consoleAccess: 'admin' } }, async () => ({ users: await cons().users() }));
}
