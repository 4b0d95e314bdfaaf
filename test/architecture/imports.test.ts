// The layout's import rules (docs/architecture.md, "Rules of the seams"), checked on the tree: every
// static, dynamic and type-only import of the project's own files is read and checked against the
// rules below. A forbidden edge fails with the file, the line and the rule it breaks.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

const SOURCE_DIRS = ['core', 'appliance', 'sip', 'media', 'provisioning', 'web-ui/src', 'fleet-manager'];
const SKIP = new Set(['node_modules', 'dist', 'out', 'artifacts']);

function walk(dir: string, out: string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const name of names) {
    if (SKIP.has(name)) continue;
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

// `import x from '...'`, `import type {...} from '...'`, `export ... from '...'`, `import '...'`, `import('...')`.
const SPECIFIER = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** Every relative import of a file, resolved to a path from the repository root. */
function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  // Comments are not imports: blank them (keeping line numbers) before matching.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
  for (const m of code.matchAll(SPECIFIER)) {
    const spec = m[3] ?? m[4]!;
    const line = code.slice(0, m.index).split('\n').length + (code[m.index!] === '\n' ? 1 : 0);
    edges.push({ from: file, to: normalize(join(dirname(file), spec)), line, typeOnly: m[2] !== undefined });
  }
  return edges;
}

const ENGINES: Record<string, string[]> = {
  embedded: ['sip/embedded/', 'media/rtp/'],
  drachtio: ['sip/drachtio/', 'media/freeswitch/'],
};
const ENGINE_DIRS = Object.values(ENGINES).flat();
/** Telephony both engines share, and the media tools they both use: they name no engine. */
const NEUTRAL = ['core/', 'sip/shared/', 'media/dsp/', 'media/prompts/'];
/** The composition root and the engine factory it calls (kept apart so `appliance call` loads no HTTP service). */
const COMPOSITION_ROOT = ['appliance/main.ts', 'appliance/engine.ts'];

/** The API contract (issue 12): the one part of the server the web UI may read, and only its types. */
const CONTRACT = 'appliance/http/contract/';

const under = (path: string, dirs: string[]): boolean => dirs.some((d) => path.startsWith(d));
const engineOf = (path: string): string | null => Object.entries(ENGINES).find(([, dirs]) => under(path, dirs))?.[0] ?? null;

/** The rule an edge breaks, or null. */
function ruleBroken(e: Edge): string | null {
  const { from, to } = e;
  if (from.startsWith('core/') && !to.startsWith('core/')) return 'the kernel (core/) imports nothing of the project';
  if (under(from, ['sip/', 'media/', 'provisioning/']) && to.startsWith('appliance/')) return 'sip/, media/ and provisioning/ never import appliance/ (use core/)';
  const a = engineOf(from);
  const b = engineOf(to);
  if (a && b && a !== b) return `the ${a} engine never imports the ${b} engine (shared parts go to sip/shared/, media/dsp/ or core/)`;
  if (under(from, NEUTRAL) && b) return `${from.split('/').slice(0, 2).join('/')}/ is engine-neutral and never imports an engine (${b})`;
  if (from.startsWith('media/freeswitch/') && to.startsWith('sip/drachtio/')) return 'the drachtio engine\'s media side never imports its signalling side (no import cycle)';
  if (from.startsWith('appliance/') && !COMPOSITION_ROOT.includes(from) && under(to, ENGINE_DIRS)) return `only the composition root (${COMPOSITION_ROOT.join(', ')}) names an engine; appliance/ talks to telephony through core/call-port.ts`;
  if (from.startsWith('fleet-manager/') && to.startsWith('appliance/')) return 'the fleet manager never imports the box\'s domain (only core/ and the wire contract)';
  if (from.startsWith('web-ui/') && !to.startsWith('web-ui/')) {
    if (to.startsWith(CONTRACT) && e.typeOnly) return null;
    return `the web UI imports only the API contract (${CONTRACT}) from the server side, and only its types (import type)`;
  }
  if (from.startsWith(CONTRACT) && !to.startsWith(CONTRACT) && !to.startsWith('core/')) return `the API contract (${CONTRACT}) imports only itself and the kernel (core/): the web UI reads it`;
  return null;
}

function allEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const dir of SOURCE_DIRS) for (const f of walk(dir, [])) edges.push(...importsOf(f, readFileSync(join(root, f), 'utf8')));
  return edges;
}

test('the tree keeps the import rules', (t) => {
  const edges = allEdges();
  t.true(edges.length > 500, `read ${edges.length} imports (the walker found the tree)`);
  const broken = edges.flatMap((e) => {
    const rule = ruleBroken(e);
    return rule ? [`${e.from}:${e.line} imports ${relative('.', e.to)}${e.typeOnly ? ' (type)' : ''}: ${rule}`] : [];
  });
  t.deepEqual(broken, [], `forbidden imports:\n${broken.join('\n')}`);
});

test('the walker sees every kind of import, and each rule catches its edge', (t) => {
  const text = [
    "import { a } from '../../appliance/errors.ts';",
    "import type { B } from '../embedded/guard.ts';",
    "export { c } from '../drachtio/srf.ts';",
    "const m = await import('../../appliance/main.ts');",
    "// import { x } from '../../appliance/commented.ts';",
    "import '../../media/rtp/side-effect.ts';",
  ].join('\n');
  const edges = importsOf('sip/shared/x.ts', text);
  t.deepEqual(edges.map((e) => [e.to, e.line, e.typeOnly]), [
    ['appliance/errors.ts', 1, false],
    ['sip/embedded/guard.ts', 2, true],
    ['sip/drachtio/srf.ts', 3, false],
    ['appliance/main.ts', 4, false],
    ['media/rtp/side-effect.ts', 6, false],
  ]);
  const rule = (from: string, to: string, typeOnly = false) => ruleBroken({ from, to, line: 1, typeOnly });
  t.regex(rule('core/log.ts', 'appliance/log.ts') ?? '', /kernel/);
  t.regex(rule('media/rtp/session.ts', 'appliance/errors.ts') ?? '', /never import appliance/);
  t.regex(rule('sip/drachtio/trunks.ts', 'sip/embedded/guard.ts') ?? '', /drachtio engine never imports the embedded engine/);
  t.regex(rule('sip/embedded/engine.ts', 'media/freeswitch/fsmrf.ts') ?? '', /embedded engine never imports the drachtio engine/);
  t.regex(rule('sip/shared/trunk-book.ts', 'sip/embedded/channel-pool.ts') ?? '', /engine-neutral/);
  t.regex(rule('media/freeswitch/fsmrf.ts', 'sip/drachtio/srf.ts') ?? '', /cycle/);
  t.regex(rule('appliance/commands/call.ts', 'sip/embedded/engine.ts') ?? '', /composition root/);
  t.is(rule('appliance/main.ts', 'sip/embedded/engine.ts'), null);
  t.is(rule('appliance/engine.ts', 'sip/drachtio/engine.ts'), null);
  t.regex(rule('web-ui/src/app.tsx', 'appliance/campaigns/model.ts', true) ?? '', /API contract/);
  t.regex(rule('web-ui/src/pages/campaigns/types.ts', 'appliance/campaigns/model.ts', true) ?? '', /API contract/);
  t.regex(rule('web-ui/src/error-messages.ts', 'core/errors.ts', true) ?? '', /API contract/);
  t.regex(rule('web-ui/src/pages/campaigns/types.ts', 'appliance/http/contract/campaigns.ts', false) ?? '', /only its types/);
  t.is(rule('web-ui/src/pages/campaigns/types.ts', 'appliance/http/contract/campaigns.ts', true), null);
  t.regex(rule('appliance/http/contract/campaigns.ts', 'appliance/campaigns/model.ts', true) ?? '', /imports only itself and the kernel/);
  t.is(rule('appliance/http/contract/campaigns.ts', 'core/outcomes.ts'), null);
  t.regex(rule('fleet-manager/ingest.ts', 'appliance/fleet/agent.ts') ?? '', /fleet manager/);
  t.is(rule('sip/embedded/engine.ts', 'core/call-port.ts'), null);
  t.is(rule('sip/drachtio/engine.ts', 'sip/shared/guard.ts'), null);
});
