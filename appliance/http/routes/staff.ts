// Staff who take calls and calls coming in (issue 16): read (admin), change the staff and inbound
// settings, and per user whether they take calls and their desk phone's secret. The changes are actions
// (appliance/actions/staff-actions.ts).
import type { FastifyInstance } from 'fastify';
import type { StaffEndpoint } from '../../../core/call-port.ts';
import type { HttpContext } from '../context.ts';
import { actionRoute, requireRole } from '../route-kit.ts';
import { staffOf } from '../staff-audit.ts';
import { UsernameParams } from '../contract/auth.ts';
import { StaffSettingsBody, StaffUser, StaffUserBody, StaffView } from '../contract/staff.ts';

export function staffRoutes(endpoints: () => StaffEndpoint[]) {
  return (app: FastifyInstance, ctx: HttpContext): void => {
    const view = (): StaffView => {
      const s = ctx.deps.settingsStore.get();
      return {
        staff: s.staff,
        inbound: s.inbound,
        users: s.users.map((u) => ({ username: u.username, takeCalls: Boolean(u.takeCalls), deskPhone: Boolean(u.deskPhone) })),
        // Where a desk phone registered from stays on the box (its log), not in the API.
        endpoints: endpoints().map((e) => ({ user: e.user, kind: e.kind, since: e.since, busy: e.busy })),
      };
    };

    app.get('/api/staff', {
      config: requireRole('admin'),
      schema: { summary: 'Staff groups, desk phones, transfer numbers, the inbound flow, who takes calls and who is registered now', tags: ['staff'], response: { 200: StaffView } },
    }, async () => view());

    app.put<{ Body: StaffSettingsBody }>('/api/staff/settings', {
      config: actionRoute('admin', 'staff.settings'),
      schema: { summary: 'Change the staff and inbound settings (each key given replaces its value)', tags: ['staff'], body: StaffSettingsBody, response: { 200: StaffView } },
    }, async (req) => {
      await ctx.actions.run(staffOf(req), 'staff.settings', req.body);
      return view();
    });

    app.put<{ Params: UsernameParams; Body: StaffUserBody }>('/api/users/:username/staff', {
      config: actionRoute('admin', 'user.staff'),
      schema: { summary: "Whether a user takes calls, and their desk phone's SIP password", tags: ['staff'], params: UsernameParams, body: StaffUserBody, response: { 200: StaffUser } },
    }, async (req) => ctx.actions.run<StaffUser>(staffOf(req), 'user.staff', { username: req.params.username, ...req.body }));
  };
}
