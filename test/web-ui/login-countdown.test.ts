// Issue 13, point 10: the login lock-out counts down each second, in the page's language and with its
// unit, the button stays off meanwhile, and at zero the message goes and the button comes back. The
// browser's clock is Playwright's (page.clock): the test pauses it, moves it on two ticks, then jumps to the
// end of the wait instead of waiting a minute. The box's refusal is real (six tries against its login limiter).
import test from 'ava';
import { startUiBox } from './browser.ts';

const W = {
  en: { locale: 'en-GB', user: 'Username', pass: 'Password', submit: 'Log in', wrong: 'Wrong username or password.', wait: (d: string) => `Too many failed attempts. Wait ${d} before trying again.` },
  fr: { locale: 'fr-FR', user: 'Identifiant', pass: 'Mot de passe', submit: 'Se connecter', wrong: 'Identifiant ou mot de passe incorrect.', wait: (d: string) => `Trop d’essais manqués. Attendez ${d} avant de réessayer.` },
} as const;

/** "58 s" / "1 min 2 s" as the page writes them (no-break spaces) → seconds. */
function seconds(text: string): number {
  const m = /(?:(\d+)\smin)?\s?(?:(\d+)\ss)?\s(?:before|avant)/.exec(text);
  if (!m) throw new Error(`no wait in ${JSON.stringify(text)}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

for (const lang of ['en', 'fr'] as const) {
  test(`${lang}: the lock-out counts down each second and the button comes back at zero`, async (t) => {
    t.timeout(120_000);
    const w = W[lang];
    const { page, base } = await startUiBox(t, { locale: w.locale, login: false });
    await page.clock.install();
    await page.goto(`${base}/login`);
    const submit = page.getByRole('button', { name: w.submit });
    for (let i = 1; i <= 5; i++) {
      await page.getByLabel(w.user).fill('uitest');
      await page.getByLabel(w.pass).fill(`wrong-password-${i}`);
      await submit.click();
      await page.getByTestId('login-error').filter({ hasText: w.wrong }).waitFor();
    }
    await page.getByLabel(w.pass).fill('ui-test-password-1');
    await submit.click();
    const notice = page.getByTestId('login-error').filter({ hasText: lang === 'en' ? 'Too many failed attempts' : 'Trop d’essais manqués' });
    await notice.waitFor();
    const first = seconds(await notice.innerText());
    t.true(first > 5 && first <= 60, `the box asks for a wait of ${first} s`);
    t.true(await submit.isDisabled(), 'no try while the box refuses them');
    t.is((await notice.innerText()).replace(/\u00a0/g, ' '), w.wait(first >= 60 ? '1 min' : `${first} s`));

    // The count goes down one second at a time. The page's clock is paused and moved on by exactly one
    // second per step: a loaded machine cannot make the page skip a number or miss a wait.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
    // With the clock paused the count cannot move: read it once the page has rendered the pause.
    let from = seconds(await notice.innerText());
    for (let again = -1; again !== from; ) {
      again = from;
      await new Promise((r) => setTimeout(r, 200));
      from = seconds(await notice.innerText());
    }
    t.true(from <= first && from > 5, `${from} s left once the clock is paused (${first} s at first)`);
    for (let k = 1; k <= 2; k++) {
      await page.clock.runFor(1000);
      await notice.filter({ hasText: new RegExp(`\\b${from - k}\\ss\\b`) }).waitFor();
      t.true(await submit.isDisabled());
    }
    // Jump to the end of the wait: at zero the message goes and the button is back.
    await page.clock.fastForward(from * 1000);
    await notice.waitFor({ state: 'detached' });
    t.true(await submit.isEnabled(), 'the button comes back at zero');
  });
}
