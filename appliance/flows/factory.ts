// One factory builds every verb from its step (jambonz's make_task): the runner knows no verb by name.
import type { FlowStep } from './model.ts';
import type { Verb } from './verbs/verb.ts';
import { PlayVerb } from './verbs/play.ts';
import { GatherVerb } from './verbs/gather.ts';
import { MenuVerb } from './verbs/menu.ts';
import { RecordVerb } from './verbs/record.ts';
import { SetVerb } from './verbs/set.ts';
import { CallbackVerb } from './verbs/callback.ts';
import { TransferVerb } from './verbs/transfer.ts';
import { GotoVerb } from './verbs/goto.ts';
import { HangupVerb } from './verbs/hangup.ts';

export function makeVerb(step: FlowStep): Verb {
  switch (step.verb) {
    case 'play': return new PlayVerb(step);
    case 'gather': return new GatherVerb(step);
    case 'menu': return new MenuVerb(step);
    case 'record': return new RecordVerb(step);
    case 'set': return new SetVerb(step);
    case 'callback': return new CallbackVerb(step);
    case 'transfer': return new TransferVerb(step);
    case 'goto': return new GotoVerb(step);
    case 'hangup': return new HangupVerb(step);
  }
}
