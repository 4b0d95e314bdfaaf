// Dialer benchmark: a 10,000-contact campaign on the sandbox trunk with 100 channels, then (must-show 7
// of issue 15) a campaign running the satisfaction-survey flow (three questions 1-5 and a spoken
// comment, its prompts text-to-speech) on callees who answer.
// The sandbox runs in its own process and logs every INVITE and call end; from that log (not from
// our own database) we measure channel utilisation and the busiest one-second window of INVITEs.
// Baseline, from the same run: the theoretical utilisation min(1, cpsCap x mean hold time / channels).
//   npm run bench -- dialer [--contacts N] [--channels N] [--cps N] [--survey-contacts N] [--survey-cps N]
// --survey-contacts 0 leaves the survey run out.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Appliance } from '../appliance/main.ts';
import { silentLogger } from '../core/log.ts';
import { trunkDefaults } from '../core/trunk-defaults.ts';
import { importContacts } from '../appliance/contacts/import.ts';
import { flowOf } from '../appliance/campaigns/model.ts';
import { answerStats, spokenAnswers } from '../appliance/store/answers-repo.ts';
import { readSandboxLog, maxInvitesInWindow } from '../sip/sandbox/records.ts';
import { runAppliance } from '../test/support/processes.ts';
import { freePort } from '../test/peers/ports.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '10000' }, channels: { type: 'string', default: '100' }, cps: { type: 'string', default: '80' },
    'survey-contacts': { type: 'string', default: '800' }, 'survey-cps': { type: 'string' },
  },
});
const CONTACTS = Number(values.contacts);
const CHANNELS = Number(values.channels);
const CPS = Number(values.cps);
const SURVEY_CONTACTS = Number(values['survey-contacts']);
const SURVEY_CPS = Number(values['survey-cps'] ?? values.cps);
const log = (m: string): void => { process.stderr.write(`[dialer] ${m}\n`); };

interface Run {
  name: string;
  contacts: number;
  cps: number;
  /** Sandbox behaviours (see sip/sandbox/README.md). */
  mix: string;
  /** The campaign's flow (default: the message with its menu). */
  flow?: Record<string, unknown>;
}

interface Measured {
  utilisation: number;
  cpsCap: number;
  maxCpsSeen: number;
  contacts: number;
  channels: number;
  invites: number;
  achievedUtilisation: number;
  baseline: { theoreticalUtilisation: number; meanHoldMs: number };
  wallS: number;
  /** What the flow kept (only for a run with a flow). */
  flow?: Record<string, unknown>;
}

async function runCampaign(run: Run): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), `vba-bench-dialer-${run.name}-`));
  const sandboxLog = join(dir, 'sandbox.jsonl');
  const sandboxPort = await freePort();
  const sandbox = runAppliance(['sandbox', '--port', String(sandboxPort), '--time-scale', '0.1', '--seed', '5', '--log', sandboxLog,
    '--mix', run.mix, '--data', join(dir, 'sandbox')]);
  await sandbox.waitFor(/listening on/, 60_000);

  const rtp = 20000 + 2 * Math.floor(Math.random() * 5000);
  const app = new Appliance({
    dataDir: join(dir, 'box'),
    env: {},
    logger: silentLogger(),
    out: () => undefined,
    overrides: [(s) => {
      s.http.port = 0;
      s.http.bindAddress = '127.0.0.1';
      s.sip.port = 0;
      s.sip.bindAddress = '127.0.0.1';
      s.media.rtpPortMin = rtp;
      s.media.rtpPortMax = rtp + 4 * CHANNELS + 100;
      s.trunks = [trunkDefaults({ name: 'sandbox', kind: 'sandbox', host: '127.0.0.1', port: sandboxPort, allowedSources: ['127.0.0.1'], channels: CHANNELS, cps: run.cps, codecs: ['PCMU'], optionsIntervalSec: 0, keepPlus: true })];
      s.defaultTrunk = 'sandbox';
      s.compliance.pack = 'none';
    }],
  });
  await app.start();

  const lines = ['phone'];
  for (let i = 0; i < run.contacts; i++) lines.push(`+3361${String(1000000 + i * 13).padStart(7, '0')}`);
  writeFileSync(join(dir, 'list.csv'), lines.join('\n'));
  const report = await importContacts(app.db, join(dir, 'list.csv'), { list: 'bench', country: 'FR' });
  const wav = join(dir, 'msg.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.5', 'sine', '300-900', 'vol', '0.5']);
  const rec = await app.recordings.importFile(wav, { name: 'bench' });
  const c = app.campaigns.create({
    name: run.name,
    listId: report.list.id,
    config: {
      message: rec.id, callerId: '+33123456789', trunks: ['sandbox'], menu: run.flow ? { optOut: '9' } : {}, amd: false,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: CHANNELS, cps: run.cps, ringTimeoutMs: 5000, maxAttempts: 1,
      ...(run.flow ? { flow: run.flow } : {}),
    },
  });
  const t0 = Date.now();
  app.campaigns.start(c.id);
  let lastLog = 0;
  for (;;) {
    const v = app.campaigns.view(c.id);
    if (v.status === 'completed') break;
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      log(`${run.name}: ${v.counters.done}/${v.counters.contacts} done, ${v.counters.active} active`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const wallS = (Date.now() - t0) / 1000;
  let flow: Measured['flow'];
  if (run.flow) {
    // What callees answered, from the box's own store: evidence that the flow ran, not a figure of the bench.
    const steps = flowOf(app.campaigns.repo.get(c.id).config).steps.map((s) => s.id);
    const stats = answerStats(app.db, c.id, steps);
    const outcomes = Object.fromEntries((app.db.prepare('SELECT outcome, COUNT(*) n FROM attempts WHERE campaign_id = ? GROUP BY outcome').all(c.id) as Array<{ outcome: string; n: number }>).map((r) => [r.outcome, r.n]));
    flow = {
      runs: stats.runs,
      reached: Object.fromEntries(stats.steps.map((s) => [s.id, s.reached])),
      answered: Object.fromEntries(stats.answers.map((a) => [a.name, a.total])),
      spokenKept: spokenAnswers(app.db, c.id, 0).total,
      outcomes,
    };
  }
  await app.stop();
  await new Promise((r) => setTimeout(r, 1500));
  await sandbox.kill();

  const records = readSandboxLog(sandboxLog);
  const invites = records.filter((l) => l.type === 'invite') as Array<{ inviteMonoMs: number; callId: string }>;
  const ends = new Map<string, number>();
  for (const l of records) if (l.type === 'end') ends.set((l as { callId: string }).callId, (l as { endedMonoMs: number }).endedMonoMs);
  const first = Math.min(...invites.map((i) => i.inviteMonoMs));
  const lastInvite = Math.max(...invites.map((i) => i.inviteMonoMs));
  // Concurrency integral over [first INVITE, last INVITE]: the steady phase, before the tail drains.
  let busyMs = 0;
  let holdSum = 0;
  for (const inv of invites) {
    const end = ends.get(inv.callId) ?? lastInvite;
    holdSum += end - inv.inviteMonoMs;
    busyMs += Math.max(0, Math.min(end, lastInvite) - inv.inviteMonoMs);
  }
  const meanHoldMs = holdSum / invites.length;
  const achieved = busyMs / (CHANNELS * (lastInvite - first));
  const theoretical = Math.min(1, (run.cps * meanHoldMs) / 1000 / CHANNELS);
  rmSync(dir, { recursive: true, force: true });
  return {
    utilisation: Number((achieved / theoretical).toFixed(3)),
    cpsCap: run.cps,
    maxCpsSeen: maxInvitesInWindow(invites as never, 1000),
    contacts: run.contacts,
    channels: CHANNELS,
    invites: invites.length,
    achievedUtilisation: Number(achieved.toFixed(3)),
    baseline: { theoreticalUtilisation: Number(theoretical.toFixed(3)), meanHoldMs: Math.round(meanHoldMs) },
    wallS: Number(wallS.toFixed(1)),
    ...(flow ? { flow } : {}),
  };
}

// Listeners and quick failures in realistic proportions; retries are off (one attempt each) so the
// campaign ends when every contact has been dialled once.
const message = await runCampaign({ name: 'message', contacts: CONTACTS, cps: CPS, mix: 'listener=70,presser=5,voicemail=5,busy=8,no-answer=4,invalid=4,decline=4' });
log(`message: utilisation ${message.utilisation}, max ${message.maxCpsSeen} INVITEs/s for a cap of ${message.cpsCap}`);
// The survey: most callees answer it (pressers walk the flow: keys for the questions, words for the comment).
const survey = SURVEY_CONTACTS > 0
  ? await runCampaign({ name: 'survey', contacts: SURVEY_CONTACTS, cps: SURVEY_CPS, mix: 'presser=75,listener=5,voicemail=5,busy=6,no-answer=3,invalid=3,decline=3', flow: { template: 'satisfaction-survey', lang: 'en' } })
  : null;
if (survey) log(`survey: utilisation ${survey.utilisation}, max ${survey.maxCpsSeen} INVITEs/s for a cap of ${survey.cpsCap}, ${JSON.stringify(survey.flow)}`);

process.stdout.write(JSON.stringify({
  bench: 'dialer',
  ...message,
  ...(survey ? { survey: { template: 'satisfaction-survey', ...survey, cpsCapKept: survey.maxCpsSeen <= survey.cpsCap, utilisationTargetMet: survey.utilisation >= 0.95 } } : {}),
}) + '\n');
process.exit(0);
