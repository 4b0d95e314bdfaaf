// An in-app link: a real <a href> (keyboard, middle click) that navigates without a reload.
import type { ComponentChildren } from 'preact';
import { linkClick } from '../router.ts';

export interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-label'?: string;
  'data-testid'?: string;
}

export function Link({ href, children, ...rest }: LinkProps) {
  return <a {...rest} href={href} onClick={linkClick}>{children}</a>;
}
