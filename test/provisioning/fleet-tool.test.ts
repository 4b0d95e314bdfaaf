// The fleet tool's own commands: usage errors, signing a request by hand, approving a claim code,
// and a command that gets no answer in time (exit 3).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { fleetTool } from '../../provisioning/fleet-tool.ts';
import { ensureIdentity, keyFile } from '../../provisioning/box-identity.ts';
import { Mosquitto } from '../fleet/mosquitto.ts';

async function runTool(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await fleetTool(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-tool-'));
const fleet = join(dir, 'fleet');
test.before(async () => {
  const r = await runTool('init', '--dir', fleet);
  if (r.code !== 0) throw new Error(r.err);
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('usage mistakes exit 2 with the usage; a missing CA folder says what to run', async (t) => {
  t.is((await runTool()).code, 2);
  const unknown = await runTool('explode', '--dir', fleet);
  t.is(unknown.code, 2);
  t.regex(unknown.err, /unknown command "explode"/);
  t.is((await runTool('token', '--dir', fleet)).code, 2, 'no fleet URL anywhere');
  const empty = await runTool('boxes', '--dir', join(dir, 'nothing'));
  t.is(empty.code, 1);
  t.regex(empty.err, /holds no fleet CA; run fleet-tool init/);
  t.regex((await runTool('init', '--dir', fleet)).err, /refusing to overwrite/);
});

test('sign issues a client certificate for the request\'s box id, from the fleet CA', async (t) => {
  const box = join(dir, 'box');
  const id = ensureIdentity(box);
  const csr = join(dir, 'box.csr');
  execFileSync('openssl', ['req', '-new', '-key', keyFile(box), '-subj', `/CN=${id.boxId}`, '-out', csr]);
  const out = join(dir, 'box.crt');
  const r = await runTool('sign', '--dir', fleet, csr, '--out', out);
  t.is(r.code, 0, r.err);
  t.regex(r.err, new RegExp(`signed for ${id.boxId}`));
  const cert = new X509Certificate(readFileSync(out));
  t.true(cert.verify(new X509Certificate(readFileSync(join(fleet, 'ca.crt'))).publicKey));
  t.is(cert.subject, `CN=${id.boxId}`);
  t.regex(cert.toLegacyObject().ext_key_usage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.2/);
});

test('claim accepts a code as typed (any case, dashes) and refuses what is not one', async (t) => {
  const ok = await runTool('claim', '--dir', fleet, 'abcd-efgh-jk12');
  t.is(ok.code, 0, ok.err);
  t.regex(ok.out, /ABCDEFGHJK12 approved/);
  t.is((await runTool('claim', '--dir', fleet, 'short')).code, 1);
});

test('send to a box that is not there exits 3 after the timeout', async (t) => {
  t.timeout(20_000);
  const broker = await Mosquitto.create();
  t.teardown(() => broker.dispose());
  const r = await runTool('send', '--dir', fleet, '--broker', broker.url, '--box', 'box-nobody', '--type', 'report.get', '--data', '{"campaignId":1}', '--timeout-sec', '1');
  t.is(r.code, 3);
  t.regex(r.err, /no answer from box-nobody/);
});
