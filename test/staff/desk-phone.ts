// What the whole-box staff tests set up alike (issue 16): a user who takes calls with a desk phone
// secret (through the API's actions), and baresip registered as that desk phone from 127.0.0.3.
import type { ExecutionContext } from 'ava';
import { startBaresip } from '../peers/baresip.ts';
import { until } from '../sip/staff-support.ts';
import type { TestBox } from '../support/appliance.ts';

export { sleep, until } from '../sip/staff-support.ts';

// No spaces: baresip's account line ends a parameter at a space.
export const DESK_SECRET = 'a-long-desk-phone-secret';

/** An operator `user` who takes calls, with DESK_SECRET as the desk phone's password. */
export async function staffUser(t: ExecutionContext, box: TestBox, user: string): Promise<void> {
  t.true((await box.api.send('POST', '/api/users', { username: user, password: 'correct horse battery', role: 'operator' })).status < 300);
  const made = await box.api.send('PUT', `/api/users/${user}/staff`, { takeCalls: true, deskPhonePassword: DESK_SECRET });
  t.is(made.status, 200, made.text);
}

/** baresip as `user`'s desk phone on 127.0.0.3, registered to the box's SIP port (checked, 10 s at most). */
export async function deskPhone(t: ExecutionContext, box: TestBox, user: string, sipPort: number, opts: Omit<Parameters<typeof startBaresip>[0], 'user' | 'listen' | 'register'> = {}): Promise<Awaited<ReturnType<typeof startBaresip>>> {
  const desk = await startBaresip({ ...opts, user, listen: '127.0.0.3', register: { registrar: `127.0.0.1:${sipPort}`, password: DESK_SECRET } });
  t.teardown(() => desk.stop());
  t.true(await until(() => (box.app.engine.staffEndpoints?.() ?? []).some((e) => e.user === user && e.kind === 'desk-phone'), 10_000), `${user}'s desk phone is registered`);
  return desk;
}
