// Every word the web UI shows has its French text: in web-ui/src/**/*.tsx, JSX text and user-facing
// attributes and properties (title, aria-label, placeholder, alt, label, caption, hint, ...) are t(...)
// results, never literals (the messages files' `fr` objects are typed so a missing key fails tsc). A
// literal fails `npm test` with its file, line and place; the second test shows the check catching
// planted ones.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUntranslated } from './ui-strings.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function tsxFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsxFiles(path, out);
    else if (name.endsWith('.tsx')) out.push(path);
  }
  return out;
}

test('no literal word is shown by the web UI: JSX text and user-facing attributes go through t()', (t) => {
  const files = tsxFiles(join(root, 'web-ui/src'));
  t.true(files.length > 40, `the walk found the pages (${files.length} files)`);
  const found = files.flatMap((f) => findUntranslated(relative(root, f), readFileSync(f, 'utf8')));
  t.deepEqual(found.map((x) => `${x.file}:${x.line} ${x.where}: ${x.text}`), [],
    'words shown without a French text: put them in the page\'s messages.ts (en and fr) and show t(\'key\')');
});

test('the check catches planted literals, and leaves keys, codes and commands alone', (t) => {
  const planted = `
    import { t } from './messages.ts';
    export function Page({ busy, n, rows }: { busy: boolean; n: number; rows: string[] }) {
      return (
        <div class="card" data-testid="page" id="main">
          <h1>Hello</h1>
          <p>{t('intro')} {n} / {rows.length}</p>
          <input placeholder="Your name" aria-label={t('name')} />
          <button title={busy ? 'Please wait' : t('send')}>{busy && 'Sending…'}</button>
          <img alt="Logo" src="/logo.png" />
          <Table columns={[{ key: 'n', label: 'Number' }, { key: 'seq', label: '#' }, { key: 'x', label: t('x'), render: (r) => 'Yes' }]} />
          <span>{\`Total \${n} calls\`}</span>
          <Field label={t('file')} hint="CSV">{t('hint')}</Field>
          <code>sudo apt-get install -y ffmpeg</code>
          <Notice kind="error">{n > 1 ? t('many') : t('one')}</Notice>
        </div>
      );
    }`;
  const found = findUntranslated('planted.tsx', planted).map((x) => `${x.line} ${x.where}: ${x.text}`);
  t.deepEqual(found, [
    '6 JSX text: Hello',
    '8 attribute placeholder: Your name',
    '9 attribute title: Please wait',
    '9 JSX child: Sending…',
    '10 attribute alt: Logo',
    '11 property label: Number',
    '11 property render: Yes',
    '12 JSX child: `Total ${n} calls`',
  ]);
});
