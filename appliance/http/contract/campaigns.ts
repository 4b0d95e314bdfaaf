// Campaigns: configuration, the live view with counters and ETA, the report and its timeline, the wizard's
// choices, the estimate and the calling window. The campaign model (appliance/campaigns/model.ts) and the
// report (report-types.ts) take their shapes from here.
import { OUTCOMES, type Outcome } from '../../../core/outcomes.ts';
import type { TOptional } from '@sinclair/typebox';
import { DailyWindow, PackId, Purpose } from './common.ts';
import { ScriptDeclaration } from './compliance.ts';
import { Counts, Nullable, StringEnum, Type, type Static } from './kit.ts';

const str = Type.String();
const int = Type.Integer();

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'stopped', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RetryRule = Type.Object({
  delayMs: Type.Union([Type.Number({ minimum: 0 }), Type.Literal('next-day')], { description: 'wait before the next attempt; "next-day": the callee\'s next local day' }),
  maxRetries: Type.Integer({ minimum: 0, maximum: 20, description: 'how many retries this outcome allows (0 = final)' }),
  backoff: Type.Optional(Type.Number({ description: 'multiply the delay by this for each further retry' })),
  uncounted: Type.Optional(Type.Boolean({ description: 'the attempt does not count against maxAttempts (trunk failures are requeued)' })),
});
export type RetryRule = Static<typeof RetryRule>;

/** Retry rule per outcome (cause-aware); outcomes not listed are final. */
const retryRules = Object.fromEntries(OUTCOMES.map((o) => [o, Type.Optional(RetryRule)])) as { [K in Outcome]: TOptional<typeof RetryRule> };
export const RetryPolicy = Type.Object(retryRules);
export type RetryPolicy = Static<typeof RetryPolicy>;

const tts = Type.Object({ text: str, voice: str, rate: Type.Optional(Type.Number()) });

/** What staff configure for a campaign (checked whole by the model before it is stored). */
export const CampaignConfig = Type.Object({
  purpose: Purpose,
  message: Nullable(str, { description: 'recording id of the message; null when the message is personalised text-to-speech (tts)' }),
  tts: Nullable(tts, { description: 'personalised message: text with tokens rendered per contact before the call' }),
  voicemail: Nullable(str),
  menu: Type.Object({ confirm: Type.Optional(str), repeat: Type.Optional(str), optOut: Type.Optional(str) }),
  menuPrompt: Nullable(str),
  callerId: str,
  trunks: Type.Array(str),
  schedule: Type.Object({ startDate: Nullable(str), endDate: Nullable(str), windows: Type.Array(DailyWindow) }),
  maxConcurrent: int,
  cps: Type.Number(),
  ringTimeoutMs: int,
  maxAttempts: int,
  retry: RetryPolicy,
  amd: Type.Boolean(),
  pack: Type.Optional(PackId),
  seller: Type.Optional(Type.String({ description: 'on whose behalf the calls are made (required for marketing)' })),
  script: Type.Optional(ScriptDeclaration),
  flow: Type.Optional(Type.Unknown({ description: 'what a call does once answered: a call flow of steps and verbs (appliance/flows/README.md), checked whole by the box' })),
});
export type CampaignConfig = Static<typeof CampaignConfig>;

/** The defaults the wizard starts from: a configuration without message, caller ID and trunks. */
export const CampaignDefaults = Type.Omit(CampaignConfig, ['message', 'tts', 'callerId', 'trunks']);
export type CampaignDefaults = Static<typeof CampaignDefaults>;

export const Counters = Type.Object({
  contacts: int, pending: int, waiting: int, calling: int, done: int, blocked: int, stopped: int, active: int,
});
export type Counters = Static<typeof Counters>;

export const HOLD_CODES = ['clock-unsynchronised', 'clock-unconfirmed'] as const;
/** Why a running campaign places no call at all (the box's clock). */
export type HoldCode = (typeof HOLD_CODES)[number];

export const CampaignWait = Type.Object({
  code: StringEnum(['outside-window', 'retry', 'deferred'] as const),
  at: Nullable(Type.Integer(), { description: 'epoch ms of the next call the campaign may place (null: no opening within two weeks)' }),
  zone: Nullable(Type.String(), { description: 'the callee\'s time zone at that moment' }),
});
export type CampaignWait = Static<typeof CampaignWait>;

/** A trunk of a campaign that cannot carry calls now, and since when. */
export const TrunkDown = Type.Object({
  name: Type.String(),
  health: StringEnum(['up', 'down', 'unknown', 'registering', 'paused'] as const),
  lastError: Nullable(Type.String()),
  since: Type.Integer({ description: 'epoch ms since the trunk has had this health' }),
});
export type TrunkDown = Static<typeof TrunkDown>;

const liveFields = {
  id: int,
  name: str,
  status: StringEnum(CAMPAIGN_STATUSES),
  counters: Counters,
  etaMs: Nullable(Type.Integer(), { description: 'estimated time to finish, never before the last scheduled retry; null when it cannot be told (waiting for a calling window)' }),
  waitingReason: Nullable(str, { description: 'a running campaign placing no calls, and why (e.g. waiting for clock synchronisation)' }),
  waitingCode: Nullable(StringEnum(HOLD_CODES), { description: 'waitingReason as a stable code' }),
  waitingFor: Nullable(CampaignWait, { description: 'a running campaign with no call to place now: why and until when' }),
  nextRetryAt: Nullable(Type.Integer(), { description: 'when the first contact waiting for a retry may be called again (epoch ms)' }),
  trunksDown: Nullable(Type.Array(TrunkDown), { description: 'a running campaign whose every trunk is down or turned off: which, since when, why' }),
  paused: Nullable(Type.Object({
    by: Nullable(Type.String(), { description: 'who paused it: staff:<user>, fleet:<command id>, cli' }),
    at: Nullable(Type.Integer(), { description: 'when (epoch ms)' }),
  }), { description: 'a paused campaign: who paused it and when' }),
  boxTimeZone: Type.String({ description: 'the box\'s time zone, for times shown beside the callee\'s' }),
};

/** Live event "campaign.counters" (GET /api/live): a campaign's state, counters and ETA. */
export const CountersEvent = Type.Object(liveFields);
export type CountersEvent = Static<typeof CountersEvent>;

export const CampaignView = Type.Object({
  ...liveFields,
  listId: int,
  config: CampaignConfig,
  createdAt: str,
  startedAt: Nullable(str),
  finishedAt: Nullable(str),
});
export type CampaignView = Static<typeof CampaignView>;

export const CreateCampaignBody = Type.Object({
  // The name's length is checked with every other field (one reply naming them all), not here.
  name: Type.String({ description: '1 to 100 characters' }),
  listId: Type.Integer({ minimum: 1 }),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'the configuration; checked whole by the campaign model (E_CAMPAIGN_INVALID names the field)' }),
}, { additionalProperties: false });
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;
export const UpdateCampaignBody = Type.Record(Type.String(), Type.Unknown(), { description: 'the configuration; checked whole by the campaign model' });
export const DuplicateCampaignBody = Nullable(Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }));
export type DuplicateCampaignBody = Static<typeof DuplicateCampaignBody>;

export const CampaignReport = Type.Object({
  campaignId: int,
  contacts: int,
  byState: Counts,
  byFinalOutcome: Type.Record(Type.String(), Type.Integer(), { description: 'final outcome per contact (done or blocked)' }),
  byAttemptOutcome: Type.Record(Type.String(), Type.Integer(), { description: 'every attempt\'s outcome' }),
  attempts: int,
  answeredContacts: int,
  answerRate: Type.Number({ description: 'contacts answered (person or machine) / contacts attempted' }),
  completionRate: Type.Number({ description: 'contacts with a final state / all contacts' }),
  avgTalkMs: int,
  avgRingMs: int,
  keys: Counts,
  blockedReasons: Counts,
  amdAgreement: Type.Object({
    callsWithKeys: int, detectedHuman: int, detectedMachine: int,
    agreement: Nullable(Type.Number(), { description: 'calls with a key that AMD had called "human" / calls with a key' }),
  }, { description: 'answering-machine detection against ground truth: a key pressed means a person answered' }),
  transfers: Type.Optional(Type.Object({
    total: int,
    byOutcome: Counts,
    byTaker: Type.Record(Type.String(), Type.Integer(), { description: 'connected transfers per staff user (an external number as external:<hash>)' }),
    avgWaitMs: int,
    avgTalkMs: int,
  }, { description: 'transfers to a person (issue 16); absent when the campaign had none' })),
});
export type CampaignReport = Static<typeof CampaignReport>;

export const CampaignTimeline = Type.Object({
  campaignId: int,
  bucketMs: Type.Integer({ description: 'width of one bucket in milliseconds' }),
  buckets: Type.Array(Type.Integer(), { description: 'start of each bucket (epoch ms), ascending, without gaps' }),
  series: Type.Record(Type.String(), Type.Array(Type.Integer()), { description: 'attempts per outcome, one count per bucket' }),
});
export type CampaignTimeline = Static<typeof CampaignTimeline>;

export const CampaignOptions = Type.Object({
  trunks: Type.Array(Type.Object({ name: str, kind: str, enabled: Type.Boolean(), channels: int })),
  defaultTrunk: Nullable(str),
  callerIds: Type.Array(Type.Object({ number: str, label: str, verified: Type.Boolean() })),
  purposes: Type.Array(Purpose),
  country: str,
  defaults: CampaignDefaults,
});
export type CampaignOptions = Static<typeof CampaignOptions>;

export const CampaignWindow = Type.Object({
  contacts: int,
  insideNow: Type.Integer({ description: 'contacts whose local time is inside the campaign\'s window now' }),
  nextOpening: Nullable(Type.Integer(), { description: 'epoch ms' }),
  zone: Nullable(str),
  boxTimeZone: str,
});
export type CampaignWindow = Static<typeof CampaignWindow>;

export const EstimateQuery = Type.Object({ contacts: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })) });
export const Estimate = Type.Object({
  contacts: int, etaMs: int, channels: int, meanCallMs: int,
  measured: Type.Boolean({ description: 'whether meanCallMs was measured on this box\'s recent calls (else the 30 s default)' }),
});
export type Estimate = Static<typeof Estimate>;

export const ExportQuery = Type.Object({ lang: Type.Optional(StringEnum(['en', 'fr'] as const, { description: 'language of the words, separator and decimal mark (default: the browser\'s Accept-Language)' })) });

/** GET /api/campaigns/:id/answers: what callees answered in the campaign's flow (issue 15). */
export const CampaignAnswers = Type.Object({
  runs: Type.Integer({ description: 'attempts that ran the flow' }),
  steps: Type.Array(Type.Object({
    id: Type.String(),
    verb: Nullable(Type.String(), { description: 'null for a step the flow no longer has' }),
    reached: Type.Integer({ description: 'calls that reached the step' }),
    endedHere: Type.Integer({ description: 'calls that ended at the step (where people hung up or the flow ended)' }),
  })),
  answers: Type.Array(Type.Object({
    name: Type.String(),
    total: Type.Integer(),
    values: Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() })),
    step: Nullable(Type.String(), { description: 'the first step of the flow that keeps this answer (null: the flow no longer has one)' }),
    kind: StringEnum(['keys', 'spoken', 'value'] as const, { description: 'typed on the keypad, spoken (counted as "recorded"), or set by the flow' }),
    choices: Type.Array(Type.String(), { description: 'the values the flow expects, in order (a 1-5 range, a menu\'s keys, callback slots); empty when they cannot be listed' }),
  })),
  spoken: Type.Object({
    total: Type.Integer({ description: 'spoken answers kept in the campaign' }),
    items: Type.Array(Type.Object({
      attemptId: Type.Integer(),
      contactId: Type.Integer(),
      name: Type.String(),
      ms: Type.Integer({ description: 'length of the recording' }),
      endedAt: Nullable(Type.Integer()),
      number: Type.String(),
      contactName: Nullable(Type.String()),
    }), { description: 'the latest spoken answers first, at most 200; each plays from /api/campaigns/:id/attempts/:attemptId/answers/:name' }),
  }),
});
export type CampaignAnswers = Static<typeof CampaignAnswers>;

/** GET /api/campaigns/:id/attempts/:attemptId/answers/:name: a spoken answer's WAV. */
export const AnswerFileParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  attemptId: Type.Integer({ minimum: 1 }),
  name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
});
export type AnswerFileParams = Static<typeof AnswerFileParams>;
