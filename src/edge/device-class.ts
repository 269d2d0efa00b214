/**
 * Device class from a User-Agent, client hints and the tracker's touch hint.
 *
 * The result is one of `mobile`, `tablet`, `desktop` or `bot`, the only trace of the
 * User-Agent that the edge keeps. Bots come from `isbot` (5.x), device types from
 * `ua-parser-js` (1.x, MIT), and the rules below cover what those two get wrong on the
 * labelled corpus that `scripts/device-class-accuracy.ts` scores.
 *
 * NOTE: Android tablets whose browser sends `Mobile` and whose model ua-parser-js does not
 * know come out as `mobile` (most of the 13% of corpus tablets missed). Fixing that needs a
 * device-model database. Feed readers, podcast clients and download tools come out as `bot`,
 * where the corpus says `desktop`, on purpose: they do not view pages.
 */
import { findBotMatches } from 'isbot';
import UAParser from 'ua-parser-js';

import type { DeviceClass } from '../domain.js';

export interface DeviceClassInput {
  /** The request's `User-Agent` header. */
  userAgent: string;
  /**
   * Client hints by lower-case HTTP header name (`sec-ch-ua-mobile`, `sec-ch-ua-platform`,
   * `sec-ch-ua-model`, ...), with values as sent: `?1`/`?0`, quoted strings.
   */
  clientHints?: Record<string, string>;
  /** The tracker's touch hint: true when the browser reported a touch screen. */
  touch?: boolean;
}

/** Platforms of `Sec-CH-UA-Platform` that only run on desktop and laptop computers. */
const DESKTOP_PLATFORMS = new Set(['windows', 'macos', 'linux', 'chrome os', 'chromium os']);

/** Phone platforms and browsers that ua-parser-js leaves without a device type. */
const MOBILE_MARKERS =
  /\b(?:MIDP|CLDC|UP\.Browser|Obigo|UCWEB|Opera Mini|Opera Mobi|i-mode|DoCoMo|jig browser|Symbian|SymbOS|Series ?[46]0|webOS|BlackBerry|BB10|Windows Phone|IEMobile|Lumia|KaiOS|Adr \d)/i;

/** Android on laptops and desktops: Chrome OS's Android apps and Android-x86 installs. */
const ANDROID_COMPUTER_MODELS =
  /\b(?:Chromebook|Chromebox|Pixelbook|Inspiron|Latitude|Vostro|OptiPlex|TravelMate|Aspire|EliteBook|ProBook|Pavilion|LIFEBOOK|Satellite|ThinkPad|IdeaPad|WayDroid)\b/i;

/** Model names that tablet makers use: `Tab`, `Pad`, `MID` (mobile internet device). */
const TABLET_MODEL_WORDS = /(?:tab|pad(?!fone)|^mid|[^a-z]mid|kids)/i;

/** User-Agent tokens that name an iPad even when the rest of the string claims otherwise. */
const IPAD_MARKERS = /iPad|FBDV\/iPad|\/apad\b/;

/**
 * Classifies a request's device from its User-Agent, client hints and touch hint.
 *
 * Order of evidence: bot detection first, then the `Sec-CH-UA-Mobile` and
 * `Sec-CH-UA-Platform` hints, then User-Agent rules. A User-Agent that is no bot and carries
 * no phone or tablet marker is `desktop`, because desktop browsers are the ones that name no
 * device. An empty User-Agent, or one without a word in it, is `bot`: every browser sends a
 * product name.
 */
export function classifyDevice(input: DeviceClassInput): DeviceClass {
  const userAgent = input.userAgent.trim();
  const hints = normaliseHints(input.clientHints);
  const parser = new UAParser(userAgent);
  const device = parser.getDevice();

  if (isBotUserAgent(userAgent, device.model)) return 'bot';

  const fromHints = classifyFromHints(hints);
  if (fromHints) return fromHints;

  const isAndroid = /Android|\bAdr \d/.test(userAgent);
  if (isAndroid && ANDROID_COMPUTER_MODELS.test(userAgent)) return 'desktop';
  if (IPAD_MARKERS.test(userAgent)) return 'tablet';
  // iPadOS Safari sends a desktop Macintosh User-Agent; Macs have no touch screen.
  if (input.touch === true && /Macintosh/.test(userAgent)) return 'tablet';
  if (/Windows Phone|Lumia|IEMobile/.test(userAgent)) return 'mobile';
  // Internet Explorer 10 and 11 add `Touch` on touch-screen Windows tablets (Surface and others).
  if (/Windows NT[^)]*\b(?:ARM|Touch)\b/.test(userAgent)) return 'tablet';
  if (/Windows NT|Windows\/\d|Win64|WOW64|Windows 9[58]/.test(userAgent)) return 'desktop';

  const model = device.model ?? androidModel(userAgent) ?? '';
  if (isAndroid && TABLET_MODEL_WORDS.test(model)) return 'tablet';

  if (device.type === 'tablet') return 'tablet';
  if (device.type === 'mobile') {
    // Android browsers mark phones with `Mobile`; a browser User-Agent without it is a tablet.
    if (isAndroid && isBrowserUserAgent(userAgent) && !/Mobile/.test(userAgent)) return 'tablet';
    return 'mobile';
  }
  if (device.type === 'wearable') return 'mobile';

  if (MOBILE_MARKERS.test(userAgent)) return 'mobile';
  if (isAndroid) {
    return isBrowserUserAgent(userAgent) && !/Mobile/.test(userAgent) ? 'tablet' : 'mobile';
  }
  if (/\b(?:Mobile|Phone)\b/.test(userAgent)) return 'mobile';
  return 'desktop';
}

function classifyFromHints(hints: Map<string, string>): DeviceClass | null {
  const mobile = hints.get('sec-ch-ua-mobile');
  const platform = hints.get('sec-ch-ua-platform')?.toLowerCase();
  if (mobile === '?1') return 'mobile';
  if (mobile === '?0') {
    if (platform === 'android') return 'tablet';
    if (platform !== undefined && DESKTOP_PLATFORMS.has(platform)) return 'desktop';
  }
  return null;
}

/** Lower-cases hint names and unquotes structured-field strings (`"Android"` → `Android`). */
function normaliseHints(clientHints: Record<string, string> | undefined): Map<string, string> {
  const hints = new Map<string, string>();
  for (const [name, value] of Object.entries(clientHints ?? {})) {
    const trimmed = value.trim();
    const unquoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
    hints.set(name.toLowerCase(), unquoted);
  }
  return hints;
}

function isBrowserUserAgent(userAgent: string): boolean {
  return /AppleWebKit|Gecko\/|Presto/.test(userAgent);
}

/** Extracts the device model of an Android User-Agent: `(Linux; Android 10; SM-T510 Build/...)`. */
function androidModel(userAgent: string): string | null {
  const match = /Android[\s\d.]*;\s*(?:[a-z]{2}[-_][a-z]{2}\s*;\s*)?([^;)]+?)(?:\s+Build\/|\)|;)/i.exec(userAgent);
  return match?.[1]?.trim() || null;
}

/**
 * Detects crawlers, scripts and other clients that are not a person's browser, as `isbot`
 * judges them. A match that is only the device's model name (an Android tablet called
 * `Spider 8` or `M bot 60`) or a browser's own product token (`SogouMobileBrowser/5.6`)
 * does not count.
 */
function isBotUserAgent(userAgent: string, parsedModel: string | undefined): boolean {
  // Every browser sends a product token; an empty or near-empty string comes from a script.
  if (!/[a-z]{2}/i.test(userAgent)) return true;
  const matches = findBotMatches(userAgent);
  if (matches.length === 0) return false;
  const model = parsedModel ?? androidModel(userAgent) ?? '';
  return matches.some((match) => !model.includes(match) && !isBrowserProductToken(userAgent, match));
}

/** True when `match` starts a browser's product token such as `SogouMobileBrowser/5.6`. */
function isBrowserProductToken(userAgent: string, match: string): boolean {
  const escaped = match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}[A-Za-z]*Browser/\\d`).test(userAgent);
}
