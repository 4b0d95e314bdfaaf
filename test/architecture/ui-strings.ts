// Finds words shown to users that bypass the translations: in the web UI's .tsx files, JSX text and the
// values of user-facing attributes and table/field properties must come from t(...) (or another call
// that words them in the page's language), never be literals. Read with the TypeScript compiler API,
// so a comment, a class name, a test id or a key passed to t() is never mistaken for a shown word.
import ts from 'typescript';

export interface Finding {
  file: string;
  line: number;
  /** What holds the literal: "JSX text", "attribute title", "property label". */
  where: string;
  text: string;
}

/** Attributes a browser or a screen reader shows or says, and the components' props that end up as text. */
export const USER_FACING_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title', 'aria-label', 'aria-description', 'aria-valuetext', 'aria-roledescription', 'placeholder', 'alt',
  'label', 'caption', 'hint', 'empty', 'text', 'error', 'legend', 'summary',
]);

/** Properties of object literals that the page shows (table columns, select options built as objects). */
export const USER_FACING_PROPERTIES: ReadonlySet<string> = new Set(['label', 'caption', 'title', 'placeholder', 'empty', 'hint', 'text', 'render']);

/**
 * Literals that are the same in every language, each for a stated reason. Keep this short: a word that
 * a French reader would read as English belongs in a messages file.
 */
export const SAME_IN_EVERY_LANGUAGE: ReadonlySet<string> = new Set([
  'LUFS', // the loudness unit (EBU R 128), written so in French too
  'CSV', // file format names
  'Excel',
  'drachtio + FreeSWITCH', // product names
  'English', // the language switch names each language in itself
  'Français',
  'sip:', // a URI scheme
  'SIP',
  'ms', // milliseconds: the SI symbol, same in French
  'HH:MM', // a time pattern shown as the format to type
  'Europe/Paris', // an IANA time zone name, written so in every language
]);

const LETTER = /\p{L}/u;

function shown(text: string): boolean {
  const s = text.replace(/\s+/g, ' ').trim();
  return s !== '' && LETTER.test(s) && !SAME_IN_EVERY_LANGUAGE.has(s);
}

/**
 * The literals an expression can evaluate to, following only the positions whose value is the value
 * shown: the conditional's branches, the right of && || ??, brackets, array elements and the fixed
 * parts of a template. A call's arguments (t('key'), formatDateTime(x, {...})) are not followed.
 */
function shownLiterals(e: ts.Expression, out: string[]): void {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    if (shown(e.text)) out.push(e.text);
  } else if (ts.isTemplateExpression(e)) {
    const parts = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(' ');
    if (shown(parts)) out.push(e.getText());
  } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) {
    shownLiterals(e.expression, out);
  } else if (ts.isConditionalExpression(e)) {
    shownLiterals(e.whenTrue, out);
    shownLiterals(e.whenFalse, out);
  } else if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) shownLiterals(e.right, out);
    else if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
      shownLiterals(e.left, out);
      shownLiterals(e.right, out);
    }
  } else if (ts.isArrayLiteralExpression(e)) {
    for (const el of e.elements) if (!ts.isSpreadElement(el) && !ts.isOmittedExpression(el)) shownLiterals(el, out);
  } else if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) {
    // render: (r) => 'Yes'
    shownLiterals(e.body, out);
  }
}

/** Text inside <code>, <kbd> or <samp> is a command or a value to type, the same in every language. */
function inCode(node: ts.Node): boolean {
  const el = node.parent;
  if (!ts.isJsxElement(el)) return false;
  return ['code', 'kbd', 'samp'].includes(el.openingElement.tagName.getText());
}

/** Every shown literal of one .tsx source. */
export function findUntranslated(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const add = (node: ts.Node, where: string, text: string): void => {
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, where, text: text.replace(/\s+/g, ' ').trim() });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      if (shown(node.text) && !inCode(node)) add(node, 'JSX text', node.text);
    } else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      const lits: string[] = [];
      shownLiterals(node.expression, lits);
      for (const l of lits) add(node, 'JSX child', l);
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText(sf);
      if (USER_FACING_ATTRIBUTES.has(name) && node.initializer) {
        const lits: string[] = [];
        if (ts.isStringLiteral(node.initializer)) {
          if (shown(node.initializer.text)) lits.push(node.initializer.text);
        } else if (ts.isJsxExpression(node.initializer) && node.initializer.expression) {
          shownLiterals(node.initializer.expression, lits);
        }
        for (const l of lits) add(node, `attribute ${name}`, l);
      }
    } else if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : '';
      if (USER_FACING_PROPERTIES.has(name)) {
        const lits: string[] = [];
        shownLiterals(node.initializer, lits);
        for (const l of lits) add(node, `property ${name}`, l);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
