// Issue 15: the sandbox's simulated people follow a campaign's flow, not just its three-key menu. The box
// tells the flow (compact, versioned, bounded) in the X-Sandbox-Menu header, only to a sandbox trunk; a
// presser walks it as the box will (flow-people.ts): digits within a gather's bounds, sometimes invalid or
// nothing (to exercise re-prompts), menu and callback keys, spoken answers from the sandbox's own voices,
// the opt-out key and hang-ups midway, all seeded per (seed, number, attempt).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call, CallEngine, CallEngineEvents, DialRequest, PromptRef } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import { formatSandboxMenu, parseSandboxMenu, parseSandboxMenuFlow, SANDBOX_MENU_HEADER } from '../../core/sandbox-menu.ts';
import { formatSandboxFlow, parseSandboxFlow, SANDBOX_FLOW_MAX_CHARS, type SandboxStep } from '../../core/sandbox-flow.ts';
import type { Flow, FlowStep } from '../../appliance/flows/model.ts';
import { appointmentReminder, emergencyAlert, messageMenuFlow, paymentReminder, satisfactionSurvey } from '../../appliance/flows/templates.ts';
import { validAnswer } from '../../appliance/flows/verbs/gather.ts';
import { gatherDigits, TURN_SHARES, walkFlow } from '../../sip/sandbox/flow-people.ts';
import { DEFAULT_KEYS_SPEC, draw, parseKeys, parseMix } from '../../sip/sandbox/mix.ts';
import { planCall } from '../../sip/sandbox/plan.ts';
import { ensureSandboxAudio } from '../../sip/sandbox/audio.ts';
import { readPcm8k } from '../peers/audio.ts';
import { startTestBox } from '../support/appliance.ts';
import { FakeTimerClock } from '../support/fake-time.ts';
import { ScriptedCall } from '../flows/support.ts';
import { Dialer } from '../../appliance/campaigns/dialer.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { createComplianceGate } from '../../appliance/compliance/gate.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import { openStore } from '../../appliance/store/db.ts';

const OPT = '9';
const templates: Array<[string, Flow]> = [
  ['appointment-reminder', appointmentReminder({ optOutKey: OPT })],
  ['satisfaction-survey', satisfactionSurvey({ optOutKey: OPT })],
  ['payment-reminder', paymentReminder({ optOutKey: OPT })],
  ['emergency-alert', emergencyAlert({ optOutKey: OPT })],
];

test('every template is told in a short versioned flow part that reads back step by step; the message-menu flow is not told', (t) => {
  for (const [name, flow] of templates) {
    const hint = formatSandboxMenu({ optOut: OPT }, flow);
    t.true(hint.startsWith(`opt-out=${OPT};flow=1/`), `${name}: ${hint}`);
    t.true(hint.length < 200, `${name} is compact: ${hint.length} chars`);
    t.deepEqual(parseSandboxMenu(hint), { 'opt-out': OPT }, 'the menu part reads as before');
    const back = parseSandboxMenuFlow(hint);
    t.is(back?.steps.length, flow.steps.length, name);
    // Every branch leads where the flow says.
    const at = (id: string | undefined) => (id === undefined ? null : flow.steps.findIndex((s) => s.id === id));
    flow.steps.forEach((s: FlowStep, i) => {
      const b: SandboxStep = back!.steps[i]!;
      if (s.verb === 'gather') t.like(b, { verb: 'gather', min: s.minDigits, max: s.maxDigits, tries: s.tries, next: at(s.next), onFail: at(s.onFail) });
      if (s.verb === 'menu') t.deepEqual(b, { verb: 'menu', options: Object.fromEntries(Object.entries(s.options).map(([k, id]) => [k, at(id)])), tries: s.tries, noInput: at(s.noInput), invalid: at(s.invalid) });
      if (s.verb === 'record') t.deepEqual(b, { verb: 'record', endKeys: s.endKeys ?? '', next: at(s.next) });
      if (s.verb === 'callback') t.like(b, { verb: 'callback', keys: s.options.map((o) => o.key).join(''), next: at(s.next), onFail: at(s.onFail) });
      if (s.verb === 'goto') t.deepEqual(b, { verb: 'goto', target: at(s.target), max: s.max, else: at(s.else) });
    });
  }
  const survey = parseSandboxMenuFlow(formatSandboxMenu({ optOut: OPT }, satisfactionSurvey({ optOutKey: OPT })))!;
  t.like(survey.steps[1], { verb: 'gather', range: [1, 5], date: false });
  const payment = parseSandboxMenuFlow(formatSandboxMenu({ optOut: OPT }, paymentReminder({ optOutKey: OPT })))!;
  t.like(payment.steps.find((s) => s.verb === 'gather'), { min: 8, max: 8, date: true, terminator: '#' });
  // Today's message and menu: the keys say it all, and the people press them in the documented shares.
  t.is(formatSandboxMenu({ confirm: '1', repeat: '2', optOut: OPT }, messageMenuFlow({ confirm: '1', repeat: '2', optOut: OPT }, null)), 'confirm=1;repeat=2;opt-out=9');
});

test('the flow part is bounded and versioned: too long is not sent, another version or a malformed token is ignored whole', (t) => {
  const steps: FlowStep[] = Array.from({ length: 100 }, (_, i) => ({
    id: `q${i}`, verb: 'gather', name: `q${i}`, minDigits: 1, maxDigits: 4, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, tries: 3,
    validate: { kind: 'range', min: 1000, max: 9999 }, ...(i < 99 ? { next: `q${i + 1}`, onFail: `q${i + 1}` } : {}),
  }));
  t.is(formatSandboxFlow(steps), null);
  const hint = formatSandboxMenu({ optOut: OPT }, { steps });
  t.is(hint, 'opt-out=9', 'only the menu part: the people fall back to the menu\'s keys');
  t.is(parseSandboxFlow(`1/${'p>1/'.repeat(300)}h`), null, `more than ${SANDBOX_FLOW_MAX_CHARS} chars is refused`);
  t.is(parseSandboxFlow('2/p>1/h'), null, 'a version this sandbox does not know');
  t.is(parseSandboxFlow('1/p>7/h'), null, 'a branch to a step that is not there');
  t.is(parseSandboxFlow('1/gd1-1zz/h'), null, 'an unknown tag');
  t.is(parseSandboxFlow('1/g>1/h'), null, 'a gather without its digit bounds');
  t.deepEqual(parseSandboxFlow('1/p>1/h'), { steps: [{ verb: 'pass', next: 1 }, { verb: 'end' }] });
  t.is(parseSandboxMenuFlow('confirm=1;opt-out=9'), null);
});

test('typed digits are what the box accepts (or refuses) by its own rule: ranges, dates, free digits with a terminator', (t) => {
  const gathers: Array<Extract<SandboxStep, { verb: 'gather' }>> = [
    { verb: 'gather', min: 1, max: 1, range: [1, 5], date: false, terminator: null, tries: 2, next: null, onFail: null },
    { verb: 'gather', min: 1, max: 3, range: [10, 250], date: false, terminator: '#', tries: 2, next: null, onFail: null },
    { verb: 'gather', min: 8, max: 8, range: null, date: true, terminator: '#', tries: 2, next: null, onFail: null },
    { verb: 'gather', min: 4, max: 6, range: null, date: false, terminator: '#', tries: 2, next: null, onFail: null },
  ];
  for (const [gi, g] of gathers.entries()) {
    const validate = g.range ? { kind: 'range' as const, min: g.range[0], max: g.range[1] } : g.date ? { kind: 'date' as const } : undefined;
    const asBox = (keys: string) => validAnswer(g.terminator && keys.endsWith(g.terminator) ? keys.slice(0, -1) : keys, g.min, g.max, validate);
    for (let i = 0; i < 200; i++) {
      const u = (label: string) => draw(gi, label, i);
      const good = gatherDigits(g, true, OPT, u)!;
      t.is(asBox(good.keys), good.value, `valid ${good.keys}`);
      t.not(good.keys[0], OPT, 'never begins with the opt-out key');
      const bad = gatherDigits(g, false, OPT, u);
      if (bad) t.is(asBox(bad.keys), null, `invalid ${bad.keys}`);
    }
  }
  t.is(gatherDigits(gathers[0]!, false, null, () => 0.5)!.keys.length, 1, 'a 1-5 question has invalid one-digit answers (0, 6, 7)');
  t.is(gatherDigits({ ...gathers[3]!, min: 1 }, false, OPT, () => 0.5), null, 'free digits from one: nothing typed is too short, so no invalid answer');
});

test('people walk a flow as the box runs it, in the documented shares, the same on every run of a seed', (t) => {
  const flow = parseSandboxMenuFlow(formatSandboxMenu({ optOut: OPT }, satisfactionSurvey({ optOutKey: OPT })))!;
  const counts: Record<string, number> = {};
  let turns = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) {
    const d = { u: (l: string) => draw(3, l, i), optOutKey: OPT, answerClips: ['answer-en-1', 'answer-en-2'] };
    const w = walkFlow(flow, d);
    t.deepEqual(walkFlow(flow, d), w, 'deterministic');
    for (const x of w.turns) {
      const k = x.act === 'keys' ? x.intent : x.act;
      counts[k] = (counts[k] ?? 0) + 1;
      turns++;
      if (x.act === 'speak') t.true(x.clips.length >= 1 && x.clips.every((c) => c.startsWith('answer-')));
      if (x.act === 'keys' && x.intent === 'opt-out') t.is(x.keys, OPT);
    }
    // The path follows the answers: every question reached is answered or missed, in order, to the end.
    if (w.ended === 'flow-end') t.deepEqual(w.path, [0, 1, 2, 3, 4, 5]);
  }
  const share = (k: string) => (counts[k] ?? 0) / turns;
  // Record turns cannot be invalid: the answers there take that weight, so answer + speak ≈ its share plus a little.
  t.true(Math.abs(share('answer') + share('speak') - TURN_SHARES.answer / 100) < 0.04, JSON.stringify(counts));
  for (const k of ['invalid', 'silent', 'opt-out', 'hangup'] as const) t.true(Math.abs(share(k) - TURN_SHARES[k] / 100) < 0.02, `${k}: ${share(k)}`);
  // A menu's invalid key is one the menu does not offer; a callback's choice is one of its slots.
  const appt = parseSandboxMenuFlow(formatSandboxMenu({ optOut: OPT }, appointmentReminder({ optOutKey: OPT })))!;
  for (let i = 0; i < 300; i++) {
    const w = walkFlow(appt, { u: (l) => draw(8, l, i), optOutKey: OPT, answerClips: [] });
    for (const x of w.turns) {
      if (x.act !== 'keys') continue;
      const st = appt.steps[x.step]!;
      const offered = st.verb === 'menu' ? Object.keys(st.options) : st.verb === 'callback' ? [...st.keys] : [];
      if (x.intent === 'answer') t.true(offered.includes(x.keys));
      if (x.intent === 'invalid') t.false(offered.includes(x.keys) || x.keys === OPT);
    }
  }
  // No opt-out key: nobody presses one.
  const w = Array.from({ length: 300 }, (_, i) => walkFlow(flow, { u: (l) => draw(4, l, i), optOutKey: null, answerClips: [] }));
  t.false(w.some((x) => x.turns.some((y) => y.act === 'keys' && y.intent === 'opt-out')));
});

test('a presser follows the flow the box told; a listener does not; without a flow a presser presses the menu\'s keys as before', (t) => {
  const clips = [{ id: 'u', kind: 'utterance' as const, lang: 'fr' as const }, { id: 'answer-fr-1', kind: 'answer' as const, lang: 'fr' as const }];
  const hint = formatSandboxMenu({ optOut: OPT }, satisfactionSurvey({ optOutKey: OPT }));
  const inputs = (mix: string, seed = 4) => ({ seed, mix: parseMix(mix), keys: parseKeys(DEFAULT_KEYS_SPEC), timeScale: 1, clips });
  const plan = (mix: string, seed = 4) => planCall(inputs(mix, seed), '+33612345001', 1, parseSandboxMenu(hint), parseSandboxMenuFlow(hint));
  const p = plan('presser=1');
  t.truthy(p.flow);
  t.true(p.turns.length >= 1);
  t.deepEqual(plan('presser=1'), p, 'the same seed, number and attempt: the same person');
  const others = [5, 6, 7, 8, 9, 10].map((s) => JSON.stringify(plan('presser=1', s).turns));
  t.true(new Set([JSON.stringify(p.turns), ...others]).size > 2, 'other seeds, other people');
  t.deepEqual(plan('listener=1').turns, []);
  t.is(plan('listener=1').flow, null);
  const menuOnly = planCall(inputs('presser=1'), '+33612345001', 1, { confirm: '4', 'opt-out': OPT });
  t.is(menuOnly.flow, null);
  t.deepEqual(menuOnly.turns, menuOnly.keys.map((k) => ({ act: 'keys', step: -1, keys: k, intent: 'answer' })));
});

/** Speech in a WAV: 20 ms frames above about -38 dBFS (RMS 400), as the sandbox itself counts speech. */
function voicedMs(file: string): number {
  const pcm = readPcm8k(file);
  let voiced = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    let sum = 0;
    for (let j = i; j < i + 160; j++) sum += pcm[j]! * pcm[j]!;
    if (sum / 160 >= 400 * 400) voiced += 20;
  }
  return voiced;
}

test('a survey campaign on the sandbox trunk keeps the answers its people gave, and their spoken comments, as the seed says', async (t) => {
  t.timeout(240_000);
  const SEED = 4;
  const box = await startTestBox({ sandbox: { seed: SEED, timeScale: 0.1, mix: 'presser=1' } });
  t.teardown(() => box.stop());
  const numbers = Array.from({ length: 16 }, (_, i) => `+336123450${String(i).padStart(2, '0')}`);
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=clients.csv', Buffer.from(`name,phone\n${numbers.map((n, i) => `Client ${i},${n}`).join('\n')}\n`));
  t.is(up.status, 200, up.text);
  const imp = await box.api.send<{ accepted: number; list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Survey', country: 'FR' });
  t.is(imp.status, 201, imp.text);
  const wav = join(mkdtempSync(join(tmpdir(), 'vba-survey-')), 'message.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Msg&filename=message.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Survey on the sandbox', listId: imp.body.list.id,
    config: {
      message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], amd: false,
      menu: { optOut: OPT }, flow: { template: 'satisfaction-survey', lang: 'en' },
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: 16, cps: 10, ringTimeoutMs: 5000, maxAttempts: 1,
    },
  });
  t.is(created.status, 201, created.text);
  const id = created.body.id;
  t.is((await box.api.send('POST', `/api/campaigns/${id}/start`)).status, 200);
  const until = Date.now() + 200_000;
  let status = 'running';
  while (Date.now() < until && status !== 'completed') {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await box.api.get<{ status: string }>(`/api/campaigns/${id}`)).body.status;
  }
  t.is(status, 'completed');

  // What the seed says each person does, from the header the box sends.
  const flow = satisfactionSurvey({ optOutKey: OPT });
  const hint = formatSandboxMenu({ optOut: OPT }, flow);
  const clips = await ensureSandboxAudio(join(box.dataDir, 'sandbox-audio'));
  const inputs = { seed: SEED, mix: parseMix('presser=1'), keys: parseKeys(DEFAULT_KEYS_SPEC), timeScale: 0.1, clips };
  const attempts = box.app.db.prepare(`SELECT a.id, a.outcome, a.dtmf, a.flow_path, c.e164 FROM attempts a JOIN contacts c ON c.id = a.contact_id WHERE a.campaign_id = ?`)
    .all(id) as Array<{ id: number; outcome: string; dtmf: string | null; flow_path: string | null; e164: string }>;
  t.is(attempts.length, numbers.length);
  const answersOf = box.app.db.prepare('SELECT name, value, file, ms FROM attempt_answers WHERE attempt_id = ?');
  let spoken = 0;
  const kinds = new Set<string>();
  for (const a of attempts) {
    const plan = planCall(inputs, a.e164, 1, parseSandboxMenu(hint), parseSandboxMenuFlow(hint)).flow!;
    for (const x of plan.turns) kinds.add(x.act === 'keys' ? x.intent : x.act);
    const kept = answersOf.all(a.id) as Array<{ name: string; value: string; file: string | null; ms: number | null }>;
    const gathers = Object.fromEntries(kept.filter((k) => /^q\d$/.test(k.name)).map((k) => [k.name, k.value]));
    const expected = Object.fromEntries(plan.answers.map((x) => [flow.steps[x.step]!.id, x.value]));
    t.deepEqual(gathers, expected, `${a.e164}: answers kept; the person's turns: ${JSON.stringify(plan.turns)}`);
    t.deepEqual(JSON.parse(a.flow_path ?? '[]'), plan.path.map((i) => flow.steps[i]!.id), `${a.e164}: path`);
    t.is(a.outcome, plan.ended === 'opted-out' ? 'opted-out' : plan.ended === 'flow-end' ? 'confirmed' : 'human', `${a.e164}: outcome`);
    const speak = plan.turns.find((x) => x.act === 'speak');
    const comment = kept.find((k) => k.name === 'comment');
    if (speak && speak.act === 'speak') {
      t.truthy(comment?.file, `${a.e164}: the spoken comment is kept`);
      const file = join(box.dataDir, comment!.file!);
      t.true(existsSync(file));
      const voiced = voicedMs(file);
      t.true(voiced >= 1500, `${a.e164}: ${voiced} ms of speech in the comment (${comment!.ms} ms kept, ${readPcm8k(file).length} samples, peak ${Math.max(...readPcm8k(file).map(Math.abs))})`);
      const served = await box.api.send('GET', `/api/campaigns/${id}/attempts/${a.id}/answers/comment`);
      t.is(served.status, 200, 'the report serves it');
      spoken++;
    }
  }
  t.true(spoken >= 5, `${spoken} spoken comments`);
  for (const k of ['answer', 'invalid', 'silent', 'opt-out', 'hangup', 'speak']) t.true(kinds.has(k), `seed ${SEED} shows ${k}`);
  // The report: each question's distribution, from what the people pressed.
  const report = await box.api.get<{ runs: number; answers: Array<{ name: string; total: number }> }>(`/api/campaigns/${id}/answers`);
  t.is(report.body.runs, numbers.length);
  t.true(report.body.answers.some((x) => x.name === 'q1' && x.total > 0), JSON.stringify(report.body.answers));
});

/** Keeps every dial request; its calls are answered and hang up at once (what they carry is what matters here). */
class HeadersEngine extends EventEmitter<CallEngineEvents> implements CallEngine {
  readonly name = 'embedded' as const;
  readonly requests: DialRequest[] = [];
  async start(): Promise<void> {}
  dial(request: DialRequest): Call {
    this.requests.push(request);
    return new ScriptedCall([], { dialled: true, optOutKey: OPT });
  }
  trunks() { return []; }
  activeCalls(): number { return 0; }
  async close(): Promise<void> {}
}

test('the flow goes only to a trunk of kind sandbox: a real trunk\'s INVITE carries no X-Sandbox-Menu at all', async (t) => {
  const clock = new FakeTimerClock(Date.parse('2026-12-07T10:00:00Z'));
  const prompt: PromptRef = { id: 'p', pcmu: '/dev/null', pcma: '/dev/null' };
  const run = async (trunk: 'sandbox' | 'operator'): Promise<DialRequest> => {
    const db = openStore({ dir: mkdtempSync(join(tmpdir(), 'vba-sbx-hdr-')) });
    t.teardown(() => db.close());
    db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (1, 'list', 'ready', 'FR', '2026-01-01')").run();
    db.prepare("INSERT INTO contacts (list_id, e164, line_type, timezones, tz_source, name, fields, row, created_at) VALUES (1, '+33612345001', 'mobile', '[\"Europe/Paris\"]', 'country', 'C', '{}', 2, '2026-01-01')").run();
    const repo = new CampaignsRepo(db);
    const cfg = parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: [trunk], amd: false, menu: { optOut: OPT }, flow: { template: 'satisfaction-survey' } });
    const c = repo.create('survey', 1, cfg);
    repo.startFromList(c.id, clock.now(), () => undefined);
    const engine = new HeadersEngine();
    const d = new Dialer({
      db, engine, logger: silentLogger(), clock, idleMs: 60_000, prompt: () => prompt, textPrompt: () => ({ prompt }),
      trunkLimits: (name) => ({ channels: 10, cps: 100, sandbox: name === 'sandbox' }),
      gate: createComplianceGate({ db, pack: () => 'none' }),
      canDial: () => ({ ok: true }),
    });
    await d.start();
    await clock.advanceTo(clock.now() + 2000);
    await d.stop(0);
    t.is(engine.requests.length, 1);
    return engine.requests[0]!;
  };
  const sandbox = await run('sandbox');
  const hint = sandbox.headers?.[SANDBOX_MENU_HEADER];
  t.is(hint, formatSandboxMenu({ optOut: OPT }, satisfactionSurvey({ optOutKey: OPT, lang: 'en' })));
  t.truthy(parseSandboxMenuFlow(hint), 'the sandbox is told the flow');
  const real = await run('operator');
  t.false(Object.keys(real.headers ?? {}).some((h) => h.toLowerCase().startsWith('x-sandbox')), JSON.stringify(real.headers));
});
