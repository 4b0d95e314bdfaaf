// The one way an action runs: validate the input (every field error at once), check the door and the
// role, run, and write the audit entry, for success and for refusal, with the actor. HTTP routes, fleet
// commands and CLI commands all come through here, so the audit log does not depend on the door.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AppError, isAppError, type FieldError } from '../../core/errors.ts';
import { appendAudit } from '../store/compliance-audit-repo.ts';
import { roleAllows } from '../http/roles.ts';
import { actorName, type ActionDef, type ActionEnv, type ActionIo, type Actor } from './action.ts';

function fieldOf(e: ErrorObject): FieldError {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const key = e.keyword === 'required' ? [path, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.')
    : e.keyword === 'additionalProperties' ? [path, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.')
    : path || '(input)';
  const message = e.keyword === 'additionalProperties' ? 'is not a field of this request' : e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
  return { key, message };
}

/**
 * A refusal's message as the audit log keeps it: what was typed may be a phone number, and the log
 * keeps none in clear (it stays in the log for years and is exported), so digit runs become [number].
 */
export function auditMessage(message: string): string {
  return message.replace(/\+?\d[\d\s().-]{4,}\d/g, '[number]');
}

/** Set on a refusal the runner has written to the audit log, so that no door writes it twice. */
export const AUDITED = Symbol('audited');

/** A door that rewords an audited refusal for its user keeps the mark on the new error. */
export function markAudited<E>(e: E): E {
  if (typeof e === 'object' && e !== null) (e as unknown as { [AUDITED]: boolean })[AUDITED] = true;
  return e;
}

export function wasAudited(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { [AUDITED]?: boolean })[AUDITED] === true;
}

export class ActionRunner {
  private readonly defs = new Map<string, ActionDef<any, any>>();
  // Compiled on an action's first run, not at start-up: compiling every schema is a third of a second of
  // CPU the box would pay at each start for actions most runs never use (test/actions/doors.test.ts runs them all).
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });

  constructor(private readonly env: ActionEnv, defs: ReadonlyArray<ActionDef<any, any>>) {
    for (const d of defs) {
      if (this.defs.has(d.name)) throw new Error(`action ${d.name} is defined twice`);
      this.defs.set(d.name, d);
    }
  }

  /**
   * The same actions over a fuller environment: a door's module adds what the composition root gave it
   * (the recording library, the verifier, the engine) without building the registry again.
   */
  derive(extra: Partial<ActionEnv>): ActionRunner {
    const r = Object.create(ActionRunner.prototype) as ActionRunner;
    Object.assign(r, { env: { ...this.env, ...extra }, defs: this.defs, validators: this.validators, ajv: this.ajv });
    return r;
  }

  /** Every action, in registration order (the registry test walks them). */
  list(): ReadonlyArray<ActionDef<any, any>> {
    return [...this.defs.values()];
  }

  /** Runs `name` for `actor`; throws the refusal (an AppError) after auditing it. */
  async run<O = unknown>(actor: Actor, name: string, input: unknown, io: ActionIo = {}): Promise<O> {
    return this.start<O>(actor, name, input, true, io) as Promise<O>;
  }

  /**
   * Writes the refusal entry of `name` for a request a door refused before the action could run (a
   * download that failed, a file that could not be received); the error is then marked as audited.
   */
  refused(actor: Actor, name: string, e: AppError, subject: string | null = null): void {
    if (wasAudited(e)) return;
    appendAudit(this.env.db, {
      actor: actorName(actor), action: `${name}-refused`, subject,
      details: { door: actor.door, code: e.code, message: auditMessage(e.message), ...(e.where?.reason !== undefined ? { reason: e.where.reason } : {}), ...(e.fields?.length ? { fields: e.fields.map((f) => f.key) } : {}) },
      now: this.env.now(),
    });
    (e as unknown as { [AUDITED]: boolean })[AUDITED] = true;
  }

  /**
   * The same for a synchronous action, inside the caller's transaction (a fleet command and the memory
   * of its answer are written together). An action that would have to wait is refused here.
   */
  runSync<O = unknown>(actor: Actor, name: string, input: unknown): O {
    return this.start<O>(actor, name, input, false, {}) as O;
  }

  private start<O>(actor: Actor, name: string, input: unknown, mayWait: boolean, io: ActionIo): O | Promise<O> {
    const def = this.defs.get(name);
    if (!def) throw new AppError('E_NOT_FOUND', `no action "${name}"`, { action: name });
    const who = actorName(actor);
    const subject = (): string | null => {
      try {
        return def.subject(input as never);
      } catch {
        return null;
      }
    };
    const refuse = (e: unknown): never => {
      if (isAppError(e)) this.refused(actor, def.name, e, subject());
      throw e;
    };
    const success = (out: unknown): void => {
      const rec = def.audit(input as never, out as never);
      if (rec === null) return;
      appendAudit(this.env.db, { actor: who, action: def.name, subject: rec.subject, details: { door: actor.door, ...(rec.details ?? {}) }, now: this.env.now() });
    };
    let pending: Promise<unknown> | null = null;
    let result: unknown;
    try {
      this.check(def, actor, input);
      // A synchronous run and its audit entry are one transaction; a run that returns a promise is
      // audited when it has finished (it cannot hold a SQLite transaction open across awaits).
      this.env.db.transaction(() => {
        const out = def.run(this.env, input as never, actor, io);
        if (out instanceof Promise) {
          if (!mayWait) {
            out.catch(() => undefined);
            throw new Error(`action ${def.name} is asynchronous; run it with run(), not runSync()`);
          }
          pending = out;
          return;
        }
        result = out;
        success(out);
      })();
    } catch (e) {
      return refuse(e);
    }
    if (!pending) return result as O;
    return (pending as Promise<unknown>).then((out) => {
      success(out);
      return out as O;
    }, refuse);
  }

  private check(def: ActionDef<any, any>, actor: Actor, input: unknown): void {
    if (!def.doors.includes(actor.door)) throw new AppError('E_FORBIDDEN', `${def.name} cannot be done through the ${actor.door === 'http' ? 'web' : actor.door} door`, { action: def.name });
    if (actor.door === 'http' && !roleAllows(actor.role, def.role)) throw new AppError('E_FORBIDDEN', `${def.name} needs the ${def.role} role`, { action: def.name });
    let validate = this.validators.get(def.name);
    if (!validate) {
      validate = this.ajv.compile(def.input);
      this.validators.set(def.name, validate);
    }
    if (!validate(input)) {
      const fields = (validate.errors ?? []).map(fieldOf);
      throw new AppError('E_REQUEST_INVALID', `${def.name}: field ${fields[0]!.key} ${fields[0]!.message}`, { field: fields[0]!.key }, { fields });
    }
  }
}
