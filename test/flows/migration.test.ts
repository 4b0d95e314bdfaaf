// Campaigns made before flows get today's message + menu as a flow (migration 0081), exactly the flow
// the code builds for the same fields, and they run with the same outcomes (the dialer's and reports'
// tests run unchanged on it).
import test from 'ava';
import Database from 'better-sqlite3';
import { listMigrations, migrate } from '../../appliance/store/db.ts';
import { messageMenuFlow } from '../../appliance/flows/templates.ts';
import { checkFlow } from '../../appliance/flows/validate.ts';

const MENUS: Array<[Record<string, string>, string | null]> = [
  [{ confirm: '1', repeat: '9', optOut: '2' }, 'menu-prompt'],
  [{ confirm: '1', repeat: '9', optOut: '2' }, null],
  [{}, null],
  [{ optOut: '*' }, null],
  [{ confirm: '#' }, 'p2'],
  [{ repeat: '0', optOut: '2' }, null],
];

test('every campaign stored before flows gets the message-menu flow built from its own menu', (t) => {
  const db = new Database(':memory:');
  const all = listMigrations();
  migrate(db, all.filter((m) => m.version < 80));
  MENUS.forEach(([menu, menuPrompt], i) => {
    db.prepare("INSERT INTO campaigns (name, list_id, config, created_at) VALUES (?, 1, ?, '2026-01-01')").run(`c${i}`, JSON.stringify({ message: 'm', menu, menuPrompt, amd: true }));
  });
  migrate(db, all);
  const rows = db.prepare('SELECT config FROM campaigns ORDER BY id').pluck().all() as string[];
  rows.forEach((raw, i) => {
    const cfg = JSON.parse(raw) as { flow: unknown; menu: Record<string, string>; menuPrompt: string | null; message: string };
    const [menu, menuPrompt] = MENUS[i]!;
    t.deepEqual(cfg.flow, messageMenuFlow(menu, menuPrompt), `campaign ${i}`);
    t.notThrows(() => checkFlow(cfg.flow, menu.optOut ? { optOutKey: menu.optOut } : {}));
    t.is(cfg.message, 'm', 'the rest of the configuration is kept');
  });
});

test('a campaign that already has a flow is left as it is', (t) => {
  const db = new Database(':memory:');
  const all = listMigrations();
  migrate(db, all.filter((m) => m.version < 80));
  const own = { version: 1, steps: [{ id: 'a', verb: 'hangup' }] };
  db.prepare("INSERT INTO campaigns (name, list_id, config, created_at) VALUES ('c', 1, ?, '2026-01-01')").run(JSON.stringify({ message: 'm', menu: { optOut: '2' }, menuPrompt: null, flow: own }));
  migrate(db, all);
  t.deepEqual(JSON.parse(db.prepare('SELECT config FROM campaigns').pluck().get() as string).flow, own);
});
