// Which keys a simulated person presses, given the campaign's menu (told by the box in the INVITE's
// X-Sandbox-Menu header, core/sandbox-menu.ts). When the box also tells a flow, a presser follows it
// instead (flow-people.ts).
import type { MenuRole, SandboxMenu } from '../../core/sandbox-menu.ts';
import { pickWeighted } from './mix.ts';

/**
 * Shares of what a person who presses at all does when the menu is offered: most confirm, some ask to
 * hear it again, some opt out (the campaign's opt-out key, whichever it is). A role the menu lacks is
 * left out and the others share its weight.
 */
export const FIRST_PRESS: Readonly<Record<MenuRole, number>> = { confirm: 60, repeat: 20, 'opt-out': 20 };

/** After hearing the message again: confirm, opt out, or hang up without pressing ('none'). */
export const AFTER_REPEAT: Readonly<Record<MenuRole | 'none', number>> = { confirm: 65, repeat: 0, 'opt-out': 15, none: 20 };

/**
 * The keys a presser presses, in order, one each time the caller stops speaking; `u1` and `u2` are the
 * seeded draws of the first and second press. Null when the menu offers nothing to press (the caller
 * then falls back to the network's own key weights).
 */
export function pressesFor(menu: SandboxMenu, u1: number, u2: number): string[] | null {
  const offered = (shares: Readonly<Record<string, number>>) =>
    Object.entries(shares).filter(([role, w]) => w > 0 && (role === 'none' || menu[role as MenuRole] !== undefined)).map(([role, weight]) => ({ item: role, weight }));
  const first = offered(FIRST_PRESS);
  if (first.length === 0) return null;
  const role = pickWeighted(first, u1) as MenuRole;
  const keys = [menu[role]!];
  if (role === 'repeat') {
    const second = pickWeighted(offered(AFTER_REPEAT), u2);
    if (second !== 'none') keys.push(menu[second as MenuRole]!);
  }
  return keys;
}
