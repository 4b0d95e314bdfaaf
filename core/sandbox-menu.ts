// What a call's keypad menu is, told to the sandbox (the simulated public network) in a SIP header of
// the INVITE, so its simulated people press the keys the campaign really uses. Only ever sent to a
// trunk of kind 'sandbox': a real network never sees it. Both sides share this one definition (the
// box writes it, sip/sandbox reads it), which is why it lives in the kernel. A campaign whose flow is more
// than the message and its menu adds the flow in a `flow=` part (format in core/sandbox-flow.ts), so the
// people answer its questions too; a reader that does not know that part ignores it.
import { formatSandboxFlow, parseSandboxFlow, type FlowStepLike, type SandboxFlow } from './sandbox-flow.ts';

export const SANDBOX_MENU_HEADER = 'X-Sandbox-Menu';

/** What a key does in the campaign's menu. */
export type MenuRole = 'confirm' | 'repeat' | 'opt-out';
export const MENU_ROLES: readonly MenuRole[] = ['confirm', 'repeat', 'opt-out'];

export type SandboxMenu = Partial<Record<MenuRole, string>>;

const KEY = /^[0-9*#A-D]$/;

/**
 * `{confirm: '1', optOut: '9'}` → "confirm=1;opt-out=9" (roles without a key are left out). `flow`: the
 * campaign's flow; told (as `flow=...`) unless it is the message-menu flow the keys already describe, or
 * too long to tell (SANDBOX_FLOW_MAX_CHARS).
 */
export function formatSandboxMenu(menu: { confirm?: string; repeat?: string; optOut?: string }, flow?: { template?: string; steps: readonly FlowStepLike[] } | null): string {
  const parts: string[] = [];
  if (menu.confirm) parts.push(`confirm=${menu.confirm}`);
  if (menu.repeat) parts.push(`repeat=${menu.repeat}`);
  if (menu.optOut) parts.push(`opt-out=${menu.optOut}`);
  const told = flow && flow.template !== 'message-menu' ? formatSandboxFlow(flow.steps) : null;
  if (told) parts.push(`flow=${told}`);
  return parts.join(';');
}

/** The header's flow part read back; null when there is none or it is not usable (the people then press menu keys). */
export function parseSandboxMenuFlow(text: string | undefined | null): SandboxFlow | null {
  if (!text) return null;
  const part = text.split(';').map((s) => s.trim()).find((s) => s.startsWith('flow='));
  return part ? parseSandboxFlow(part.slice('flow='.length)) : null;
}

/** The header's value read back; null when it is absent or says nothing usable (unknown parts are ignored). */
export function parseSandboxMenu(text: string | undefined | null): SandboxMenu | null {
  if (!text) return null;
  const menu: SandboxMenu = {};
  for (const part of text.split(';')) {
    const [role, key] = part.split('=').map((s) => s.trim());
    if (!role || !key || !KEY.test(key)) continue;
    if ((MENU_ROLES as readonly string[]).includes(role)) menu[role as MenuRole] = key;
  }
  return Object.keys(menu).length > 0 ? menu : null;
}
