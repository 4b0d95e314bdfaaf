// The questions of a flow as a report reads them: every answer name a step keeps, the step that asks it
// first, what kind of answer it is, and the values it expects in a stable order (so a chart shows a
// 1-5 scale as 1, 2, 3, 4, 5 even where nobody pressed 2).
import type { Flow } from './model.ts';

export type QuestionKind = 'keys' | 'spoken' | 'value';

export interface FlowQuestion {
  name: string;
  /** The first step (in flow order) that keeps this answer. */
  step: string;
  kind: QuestionKind;
  /** Expected values in order; empty when they cannot be listed (a date, free digits). */
  choices: string[];
}

/** Ranges wider than this are not spelt out value by value. */
const MAX_RANGE_CHOICES = 12;

export function flowQuestions(flow: Flow): FlowQuestion[] {
  const out = new Map<string, FlowQuestion>();
  const add = (name: string, step: string, kind: QuestionKind, choices: string[]): void => {
    const q = out.get(name);
    if (!q) {
      out.set(name, { name, step, kind, choices: [...choices] });
      return;
    }
    for (const c of choices) if (!q.choices.includes(c)) q.choices.push(c);
  };
  for (const s of flow.steps) {
    switch (s.verb) {
      case 'gather': {
        const v = s.validate;
        const choices = v?.kind === 'range' && v.max - v.min < MAX_RANGE_CHOICES
          ? Array.from({ length: v.max - v.min + 1 }, (_, i) => String(v.min + i))
          : [];
        add(s.name, s.id, 'keys', choices);
        break;
      }
      case 'menu':
        if (s.name) add(s.name, s.id, 'keys', Object.keys(s.options));
        break;
      case 'callback':
        add(s.name, s.id, 'keys', s.options.map((o) => o.label));
        break;
      case 'set':
        add(s.name, s.id, 'value', [s.value]);
        break;
      case 'record':
        add(s.name, s.id, 'spoken', []);
        break;
      default:
        break;
    }
  }
  return [...out.values()];
}
