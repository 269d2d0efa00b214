/**
 * Request bodies of the two intake endpoints, validated with TypeBox, and their normalised
 * form. The tracker's compact payload is described in docs/tracker.md; the Events API body
 * follows Plausible's `POST /api/event`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HttpError, type FieldError } from '../errors.js';
import { CONSENT_MODE_TYPES, CONSENT_PURPOSES, DENIED, GRANTED } from '../consent/purposes.js';
import { CONSENT_STRING_PATTERN, readConsentModeObject, readConsentString, type ConsentSignals } from '../consent/signals.js';
import { InvalidTcStringError, MAX_TC_STRING_LENGTH, readTcString } from '../consent/tcf.js';

/** Limits on what one event may carry. */
export const LIMITS = {
  /** Bytes of one intake request body. */
  bodyBytes: 16 * 1024,
  nameLength: 120,
  urlLength: 2048,
  propsCount: 30,
  propKeyLength: 300,
  propValueLength: 2000,
} as const;

const PropValue = Type.Union([Type.String({ maxLength: LIMITS.propValueLength }), Type.Number(), Type.Boolean()]);
const Props = Type.Record(Type.String({ minLength: 1, maxLength: LIMITS.propKeyLength }), PropValue, {
  maxProperties: LIMITS.propsCount,
});
const RevenueSchema = Type.Object(
  {
    amount: Type.Union([Type.String({ pattern: '^-?[0-9]{1,14}(\\.[0-9]{1,4})?$' }), Type.Number()]),
    currency: Type.String({ pattern: '^[A-Za-z]{3}$' }),
  },
  { additionalProperties: false },
);
/** Event names are labels in reports: no control characters (C0, DEL, C1). */
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]+$' });
const Url = Type.String({ minLength: 1, maxLength: LIMITS.urlLength });
const Domain = Type.String({ minLength: 1, maxLength: 253 });
const Referrer = Type.Union([Type.String({ maxLength: LIMITS.urlLength }), Type.Null()]);
const TcString = Type.String({ minLength: 1, maxLength: MAX_TC_STRING_LENGTH });
const ConsentModeValue = Type.Union([Type.Literal(GRANTED), Type.Literal(DENIED)]);
/**
 * Google Consent Mode keys. The four datakant reads, plus the three other Consent Mode types,
 * which are accepted so a backend can pass a whole Consent Mode object, and ignored.
 */
const ConsentModeObject = Type.Object(
  Object.fromEntries(
    [...CONSENT_PURPOSES.map((purpose) => CONSENT_MODE_TYPES[purpose]), 'functionality_storage', 'personalization_storage', 'security_storage'].map(
      (key) => [key, Type.Optional(ConsentModeValue)],
    ),
  ),
  { additionalProperties: false },
);

export const TrackerPayload = Type.Object(
  {
    n: Name,
    u: Url,
    d: Domain,
    r: Type.Optional(Referrer),
    p: Type.Optional(Props),
    $: Type.Optional(RevenueSchema),
    i: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
    t: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
    c: Type.Optional(Type.String({ pattern: CONSENT_STRING_PATTERN })),
    tc: Type.Optional(TcString),
    g: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  },
  { additionalProperties: true },
);

export const EventsApiBody = Type.Object(
  {
    domain: Domain,
    name: Name,
    url: Url,
    referrer: Type.Optional(Referrer),
    props: Type.Optional(Props),
    revenue: Type.Optional(RevenueSchema),
    interactive: Type.Optional(Type.Boolean()),
    consent: Type.Optional(ConsentModeObject),
    gdpr_consent: Type.Optional(TcString),
  },
  { additionalProperties: true },
);

/** An intake event after validation, whichever endpoint it came through. */
export interface IntakeEvent {
  domain: string;
  name: string;
  url: string;
  referrer: string | null;
  props: Record<string, string>;
  revenue: { amount: string; currency: string } | null;
  interactive: boolean;
  /** The tracker saw a touch screen (`navigator.maxTouchPoints > 1`). */
  touch: boolean;
  /** Consent signals of the body; the edge adds the `Sec-GPC` header before merging. */
  consent: ConsentSignals;
}

/** Decode a TC string, reporting a failure as a field error at `path`. */
function readTcField(value: string | undefined, path: string): ConsentSignals['tcf'] {
  if (value === undefined) return null;
  try {
    return readTcString(value);
  } catch (error) {
    if (error instanceof InvalidTcStringError) throw new HttpError('invalid_tc_string', [{ path, message: error.message }]);
    throw error;
  }
}

const trackerCheck = TypeCompiler.Compile(TrackerPayload);
const eventsApiCheck = TypeCompiler.Compile(EventsApiBody);

export function fieldErrors<T extends TSchema>(check: ReturnType<typeof TypeCompiler.Compile<T>>, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of check.Errors(value)) {
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    errors.push({ path: error.path || '/', message: error.message });
    if (errors.length >= 20) break;
  }
  return errors;
}

function stringifyProps(props: Record<string, string | number | boolean> | undefined): Record<string, string> {
  // A null prototype keeps a property named `__proto__` as data instead of dropping it.
  const result: Record<string, string> = Object.create(null);
  if (!props) return result;
  for (const [key, value] of Object.entries(props)) {
    result[key.toWellFormed()] = String(value);
  }
  return result;
}

/** Replace lone UTF-16 surrogates, which only JSON `\u` escapes can produce, with U+FFFD. */
function wellFormedStrings(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.toWellFormed() : value;
}

function normaliseRevenue(revenue: Static<typeof RevenueSchema> | undefined): IntakeEvent['revenue'] {
  if (!revenue) return null;
  return { amount: String(revenue.amount), currency: revenue.currency.toUpperCase() };
}

function checkRevenueAmount(revenue: Static<typeof RevenueSchema> | undefined, path: string): void {
  if (revenue && typeof revenue.amount === 'number' && !(Number.isFinite(revenue.amount) && Math.abs(revenue.amount) < 1e14)) {
    throw new HttpError('invalid_body', [{ path, message: 'Expected a finite amount below 10^14' }]);
  }
}

/** Parse a JSON text body; throws `invalid_json` with the parser's position message. */
export function parseJsonBody(text: string): unknown {
  try {
    // Strings stored as text must be valid Unicode: DuckDB's JSON functions reject a lone
    // surrogate, so one such property value would break every report that reads properties.
    return text.includes('\\u') ? JSON.parse(text, wellFormedStrings) : JSON.parse(text);
  } catch {
    // V8's message quotes part of the body, which may hold a visitor's URL: keep it out.
    throw new HttpError('invalid_json', [{ path: '/', message: 'Expected one JSON object; the body could not be parsed.' }]);
  }
}

/** Validate the tracker's compact payload. */
export function readTrackerPayload(value: unknown): IntakeEvent {
  if (!trackerCheck.Check(value)) throw new HttpError('invalid_body', fieldErrors(trackerCheck, value));
  checkRevenueAmount(value.$, '/$/amount');
  return {
    domain: value.d,
    name: value.n,
    url: value.u,
    referrer: value.r ?? null,
    props: stringifyProps(value.p),
    revenue: normaliseRevenue(value.$),
    interactive: value.i !== 0,
    touch: value.t === 1,
    consent: {
      consentMode: value.c === undefined ? null : readConsentString(value.c),
      tcf: readTcField(value.tc, '/tc'),
      globalPrivacyControl: value.g === 1,
    },
  };
}

/** Validate a Plausible-compatible Events API body. */
export function readEventsApiBody(value: unknown): IntakeEvent {
  if (!eventsApiCheck.Check(value)) throw new HttpError('invalid_body', fieldErrors(eventsApiCheck, value));
  checkRevenueAmount(value.revenue, '/revenue/amount');
  return {
    domain: value.domain,
    name: value.name,
    url: value.url,
    referrer: value.referrer ?? null,
    props: stringifyProps(value.props),
    revenue: normaliseRevenue(value.revenue),
    interactive: value.interactive ?? true,
    touch: false,
    consent: {
      consentMode: value.consent === undefined ? null : readConsentModeObject(value.consent),
      tcf: readTcField(value.gdpr_consent, '/gdpr_consent'),
      globalPrivacyControl: false,
    },
  };
}
