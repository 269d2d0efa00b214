import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SESSION_COOKIE,
  VISITOR_COOKIE,
  planCookies,
  sessionIdFromCookie,
  visitorIdFromCookie,
  type CookiePlanInput,
} from '../../src/consent/cookies.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const VISITOR_VALUE = 'AAAAAAAAAAAAAAAAAAAAAA';
const SESSION_VALUE = 'BBBBBBBBBBBBBBBBBBBBBB';

function input(overrides: Partial<CookiePlanInput>): CookiePlanInput {
  return { mode: 'consent-cookies', route: 'first-party', fromTracker: true, analytics: 'granted', cookies: {}, now: NOW, ...overrides };
}

describe('cookie plan', () => {
  it('sets both cookies on a first granted visit', () => {
    const plan = planCookies(input({}));
    assert.equal(plan.kind, 'use');
    assert.deepEqual(plan.kind === 'use' && plan.cookies.map((cookie) => cookie.name), [VISITOR_COOKIE, SESSION_COOKIE]);
    const [visitor, session] = plan.kind === 'use' ? plan.cookies : [];
    assert.match(visitor!.value, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(visitor!.attributes.maxAge, 390 * 24 * 60 * 60);
    assert.equal(visitor!.attributes.expires.getTime(), NOW + 390 * 24 * 60 * 60 * 1000);
    assert.equal(session!.attributes.maxAge, 1800);
    assert.equal(visitor!.attributes.secure, true);
    assert.equal(visitor!.attributes.httpOnly, true);
    assert.equal(visitor!.attributes.sameSite, 'lax');
    assert.equal(visitor!.attributes.path, '/');
  });

  it('keeps 390 days within 13 calendar months', () => {
    // The shortest 13 months start on 1 February of a year before a non-leap February.
    const start = Date.UTC(2025, 1, 1);
    const thirteenMonthsLater = Date.UTC(2026, 2, 1);
    assert.ok(start + 390 * 24 * 60 * 60 * 1000 < thirteenMonthsLater);
  });

  it('does not extend a valid visitor cookie', () => {
    const plan = planCookies(input({ cookies: { [VISITOR_COOKIE]: VISITOR_VALUE, [SESSION_COOKIE]: SESSION_VALUE } }));
    assert.equal(plan.kind, 'use');
    if (plan.kind !== 'use') return;
    assert.equal(plan.visitorValue, VISITOR_VALUE);
    assert.equal(plan.sessionValue, SESSION_VALUE);
    assert.deepEqual(plan.cookies.map((cookie) => cookie.name), [SESSION_COOKIE], 'only the session cookie slides');
    assert.equal(plan.cookies[0]!.value, SESSION_VALUE);
  });

  it('replaces a malformed visitor cookie', () => {
    const plan = planCookies(input({ cookies: { [VISITOR_COOKIE]: 'not-ours' } }));
    assert.equal(plan.kind, 'use');
    assert.notEqual(plan.kind === 'use' && plan.visitorValue, 'not-ours');
  });

  it('clears both cookies on denial', () => {
    const plan = planCookies(input({ analytics: 'denied', cookies: { [VISITOR_COOKIE]: VISITOR_VALUE } }));
    assert.equal(plan.kind, 'clear');
    for (const cookie of plan.kind === 'clear' ? plan.cookies : []) {
      assert.equal(cookie.value, '');
      assert.equal(cookie.attributes.maxAge, 0);
      assert.equal(cookie.attributes.expires.getTime(), 0);
    }
    assert.equal(plan.kind === 'clear' && plan.cookies.length, 2);
  });

  it('leaves cookies alone without an analytics signal', () => {
    assert.deepEqual(planCookies(input({ analytics: undefined, cookies: { [VISITOR_COOKIE]: VISITOR_VALUE } })), { kind: 'none' });
  });

  it('never touches cookies on the standard route', () => {
    assert.deepEqual(planCookies(input({ route: 'standard' })), { kind: 'none' });
    assert.deepEqual(planCookies(input({ route: 'standard', analytics: 'denied', cookies: { [VISITOR_COOKIE]: VISITOR_VALUE } })), { kind: 'none' });
  });

  it('never touches cookies for the Events API', () => {
    assert.deepEqual(planCookies(input({ fromTracker: false })), { kind: 'none' });
  });

  it('sets nothing in the cookieless mode', () => {
    assert.deepEqual(planCookies(input({ mode: 'cookieless' })), { kind: 'none' });
  });

  it('clears leftover cookies in the cookieless mode', () => {
    assert.equal(planCookies(input({ mode: 'cookieless', cookies: { [SESSION_COOKIE]: SESSION_VALUE } })).kind, 'clear');
  });
});

describe('ids from cookies', () => {
  it('derives ids that are not the cookie value', () => {
    const visitor = visitorIdFromCookie('shop.example', VISITOR_VALUE);
    assert.equal(visitor, visitorIdFromCookie('shop.example', VISITOR_VALUE), 'stable for the same cookie');
    assert.notEqual(visitor, visitorIdFromCookie('other.example', VISITOR_VALUE), 'different per property');
    assert.notEqual(visitor, sessionIdFromCookie('shop.example', VISITOR_VALUE), 'visitor and session ids differ');
    assert.ok(!Buffer.from(VISITOR_VALUE, 'base64url').toString('hex').includes(visitor.toString(16)));
  });
});
