// install.sh into a folder root (--root): what a Raspberry Pi gets, that a second run changes nothing,
// that an edited configuration file survives an upgrade, and that --dry-run touches nothing.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { installInto, releaseTarball, runInstall, tempDir } from './install-kit.ts';
import { ROOT } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

// install.sh creates the users with systemd-sysusers when it finds it on PATH (as it looks for it).
const requireSysusers = (): string => requireTool('systemd-sysusers', 'systemd');

/** Every path under root with its content hash, link target or 'dir'. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (st.isDirectory()) { out[rel] = `dir ${(st.mode & 0o777).toString(8)}`; walk(p); }
      else out[rel] = `${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`;
    }
  };
  walk(root);
  return out;
}

test('install.sh --root installs the release, units, kernel settings, users and configuration, and enables the box', (t) => {
  requireSysusers();
  const root = tempDir('vba-install-');
  const out = installInto(root, releaseTarball());
  t.regex(out, /using the node_modules bundled in the release/);
  const files = snapshot(root);
  for (const unit of ['appliance.service', 'appliance-provision.service', 'drachtio.service', 'freeswitch.service']) {
    t.regex(files[`etc/systemd/system/${unit}`] ?? '', /^644 /, unit);
  }
  t.is(readFileSync(join(root, 'etc/systemd/system/appliance.service'), 'utf8'), readFileSync(join(root, 'opt/appliance/systemd/appliance.service'), 'utf8'));
  t.regex(readFileSync(join(root, 'etc/sysctl.d/60-appliance-udp-buffers.conf'), 'utf8'), /^net\.core\.rmem_max = 4194304$/m);
  t.truthy(files['opt/appliance/bin/appliance.js']);
  t.truthy(files['opt/appliance/node_modules/.package-lock.json']);
  t.is(files['etc/appliance/drachtio/test-marker.conf']?.split(' ')[0], '640');
  t.is(files['etc/systemd/system/multi-user.target.wants/appliance.service'], '-> /etc/systemd/system/appliance.service');
  t.is(files['etc/systemd/system/multi-user.target.wants/appliance-provision.service'], '-> /etc/systemd/system/appliance-provision.service');
  // The production engine runs only when chosen: it would take port 5060 from the embedded one.
  t.falsy(files['etc/systemd/system/multi-user.target.wants/drachtio.service']);
  // Nothing is left beside /opt/appliance (staging folder, previous release).
  t.deepEqual(readdirSync(join(root, 'opt')), ['appliance']);
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  for (const u of ['appliance', 'drachtio', 'freeswitch']) t.regex(passwd, new RegExp(`^${u}:x:\\d+:\\d+:`, 'm'));
  t.regex(readFileSync(join(root, 'etc/group'), 'utf8'), /^appliance:x:\d+:freeswitch$/m, 'FreeSWITCH reads the recordings through the appliance group');
});

test('running install.sh again changes nothing; an edited configuration file is kept and the shipped one put beside it', (t) => {
  const root = tempDir('vba-install-');
  const tar = releaseTarball();
  installInto(root, tar);
  const first = snapshot(root);
  installInto(root, tar);
  t.deepEqual(snapshot(root), first);

  const conf = join(root, 'etc/appliance/drachtio/test-marker.conf');
  writeFileSync(conf, 'edited by the admin\n');
  const out = installInto(root, tar);
  t.regex(out, /keeping the edited .*test-marker\.conf/);
  t.is(readFileSync(conf, 'utf8'), 'edited by the admin\n');
  t.is(readFileSync(`${conf}.dist`, 'utf8'), 'shipped\n');
});

/** The value of `name` in an env file (KEY=value lines). */
function envValue(text: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
}

interface EngineFiles { env: string; drachtio: string; vars: string }
function engineFiles(root: string): EngineFiles {
  const read = (p: string): string => readFileSync(join(root, 'etc/appliance', p), 'utf8');
  return { env: read('engine.env'), drachtio: read('drachtio/drachtio.conf.xml'), vars: read('freeswitch/vars.xml') };
}

test('each box gets its own engine secrets: engine.env, drachtio-server and FreeSWITCH agree, nothing prints them, a re-install keeps them', (t) => {
  requireSysusers();
  const tar = releaseTarball();
  const root = tempDir('vba-install-');
  const out = installInto(root, tar);
  const f = engineFiles(root);
  const drachtio = envValue(f.env, 'APPLIANCE_DRACHTIO_SECRET') ?? '';
  const freeswitch = envValue(f.env, 'APPLIANCE_FREESWITCH_PASSWORD') ?? '';
  t.regex(drachtio, /^[0-9a-f]{32}$/);
  t.regex(freeswitch, /^[0-9a-f]{32}$/);
  t.not(drachtio, freeswitch);
  t.true(f.drachtio.includes(`<admin port="9022" secret="${drachtio}">127.0.0.1</admin>`));
  t.true(f.vars.includes(`data="esl_password=${freeswitch}"`));
  for (const text of [f.drachtio, f.vars]) t.false(text.includes('CHANGE-ME-SECRET'));
  t.false(out.includes(drachtio) || out.includes(freeswitch), 'the install log shows no secret');

  const files = snapshot(root);
  t.is(files['etc/appliance/engine.env']?.split(' ')[0], '640');
  t.is(files['etc/appliance/drachtio/drachtio.conf.xml']?.split(' ')[0], '640');
  t.is(files['etc/appliance/freeswitch/vars.xml']?.split(' ')[0], '640');
  const st = statSync(join(root, 'etc/appliance/engine.env'));
  if (process.getuid?.() === 0) {
    const gid = Number(/^appliance:x:(\d+):/m.exec(readFileSync(join(root, 'etc/group'), 'utf8'))?.[1]);
    t.is(st.uid, 0);
    t.is(st.gid, gid, 'engine.env belongs to root:appliance');
  } else {
    // Only root can give a file away: run by another user, install.sh leaves it that user's (mode 0640 above).
    t.log('not root: engine.env checked to stay the installing user\'s, not root:appliance');
    t.is(st.uid, process.getuid?.() ?? -1);
  }

  // Another box from the same tarball has other secrets.
  const other = tempDir('vba-install-');
  installInto(other, tar);
  const o = engineFiles(other);
  t.not(envValue(o.env, 'APPLIANCE_DRACHTIO_SECRET'), drachtio);
  t.not(envValue(o.env, 'APPLIANCE_FREESWITCH_PASSWORD'), freeswitch);

  // Upgrading keeps them (and leaves no .dist: the installed files are the shipped ones with the secrets).
  installInto(root, tar);
  t.deepEqual(engineFiles(root), f);
  t.false(existsSync(join(root, 'etc/appliance/drachtio/drachtio.conf.xml.dist')));
  t.false(existsSync(join(root, 'etc/appliance/freeswitch/vars.xml.dist')));

  const dry = runInstall(['--dry-run', '--root', root, tar]);
  t.is(dry.code, 0, dry.out);
  t.false(dry.out.includes(drachtio) || dry.out.includes(freeswitch), '--dry-run shows no secret');
});

test('the placeholder is replaced wherever it is left, an admin\'s own secret and engine.env are kept', (t) => {
  const tar = releaseTarball();
  const root = tempDir('vba-install-');
  // engine.env written by the admin before the first install, with one of the two variables.
  mkdirSync(join(root, 'etc/appliance'), { recursive: true });
  writeFileSync(join(root, 'etc/appliance/engine.env'), '# mine\nAPPLIANCE_DRACHTIO_SECRET="chosen-by-the-admin"');
  let out = installInto(root, tar);
  let f = engineFiles(root);
  t.regex(f.env, /^# mine\nAPPLIANCE_DRACHTIO_SECRET="chosen-by-the-admin"\nAPPLIANCE_FREESWITCH_PASSWORD=[0-9a-f]{32}\n$/);
  t.true(f.drachtio.includes('secret="chosen-by-the-admin"'));
  const freeswitch = envValue(f.env, 'APPLIANCE_FREESWITCH_PASSWORD')!;
  t.true(f.vars.includes(`esl_password=${freeswitch}`));

  // A file still as shipped (left by an earlier install.sh) is simply replaced; an edited one that
  // still holds the placeholder keeps the edit and gets the secret.
  const shippedVars = readFileSync(join(ROOT, 'systemd/freeswitch/vars.xml'), 'utf8');
  writeFileSync(join(root, 'etc/appliance/freeswitch/vars.xml'), shippedVars);
  const editedConf = readFileSync(join(ROOT, 'systemd/drachtio/drachtio.conf.xml'), 'utf8').replace('<loglevel>notice</loglevel>', '<loglevel>info</loglevel>');
  writeFileSync(join(root, 'etc/appliance/drachtio/drachtio.conf.xml'), editedConf);
  out = installInto(root, tar);
  f = engineFiles(root);
  t.true(f.vars.includes(`esl_password=${freeswitch}`));
  t.false(existsSync(join(root, 'etc/appliance/freeswitch/vars.xml.dist')));
  t.regex(out, /keeping the edited .*drachtio\.conf\.xml/);
  t.true(f.drachtio.includes('<loglevel>info</loglevel>'));
  t.true(f.drachtio.includes('secret="chosen-by-the-admin"'));
  t.false(f.drachtio.includes('CHANGE-ME-SECRET'));

  // An edited file with a secret of the admin's own is left alone, with a warning that it differs.
  const own = f.drachtio.replace('secret="chosen-by-the-admin"', 'secret="set-by-hand"');
  writeFileSync(join(root, 'etc/appliance/drachtio/drachtio.conf.xml'), own);
  out = installInto(root, tar);
  t.is(engineFiles(root).drachtio, own);
  t.regex(out, /drachtio\.conf\.xml holds another secret than .*engine\.env/);
  t.false(out.includes('chosen-by-the-admin') || out.includes('set-by-hand') || out.includes(freeswitch));
  t.is(engineFiles(root).env, f.env);
});

test('--engine drachtio also enables drachtio-server and FreeSWITCH, and says when their programs are missing', (t) => {
  const root = tempDir('vba-install-');
  const out = installInto(root, releaseTarball(), ['--engine', 'drachtio']);
  t.regex(out, /\/usr\/local\/bin\/drachtio is missing/);
  t.regex(out, /\/usr\/local\/freeswitch\/bin\/freeswitch is missing/);
  for (const u of ['drachtio.service', 'freeswitch.service', 'appliance.service']) {
    t.true(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants', u), { throwIfNoEntry: false })?.isSymbolicLink() ?? false, u);
  }
});

test('--dry-run prints the plan and changes nothing', (t) => {
  const root = tempDir('vba-install-');
  const r = runInstall(['--dry-run', '--root', root, releaseTarball()]);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /^\+ install -D -m 0644 .*appliance\.service .*\/etc\/systemd\/system\/appliance\.service$/m);
  t.regex(r.out, /^\+ systemctl --root=.* enable appliance\.service appliance-provision\.service$/m);
  t.deepEqual(readdirSync(root), []);
});

test('a file that is not a release tarball is refused before anything is installed', (t) => {
  const root = tempDir('vba-install-');
  const work = tempDir('vba-notrelease-');
  mkdirSync(join(work, 'x', 'stuff'), { recursive: true });
  writeFileSync(join(work, 'x', 'stuff', 'a.txt'), 'a');
  const tar = join(work, 'bad.tar.gz');
  execFileSync('tar', ['-czf', tar, '-C', work, 'x']);
  const r = runInstall(['--root', root, tar]);
  t.is(r.code, 1);
  t.regex(r.out, /is not a release tarball \(no package\.json\)/);
  t.deepEqual(readdirSync(root).filter((n) => n !== 'opt'), []);
  t.deepEqual(existsSync(join(root, 'opt')) ? readdirSync(join(root, 'opt')) : [], []);
});

test('npm run release makes a tarball of the committed tree that install.sh accepts', (t) => {
  const out = tempDir('vba-dist-');
  const made = execFileSync('bash', [join(ROOT, 'systemd', 'make-release.sh'), '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  t.is(made, join(out, `appliance-${version}.tar.gz`));
  const entries = execFileSync('tar', ['-tzf', made], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter(Boolean);
  t.true(entries.every((e) => e.startsWith(`appliance-${version}/`)));
  t.true(entries.includes(`appliance-${version}/systemd/appliance.service`));
  t.true(entries.includes(`appliance-${version}/bin/appliance.js`));
  t.false(entries.some((e) => e.includes('/node_modules/')));
  const root = tempDir('vba-install-');
  const log = installInto(root, made, ['--skip-deps']);
  t.regex(log, new RegExp(`installing voice-broadcast appliance ${version.replace(/\./g, '\\.')}`));
  t.true(existsSync(join(root, 'etc/systemd/system/appliance.service')));
});
