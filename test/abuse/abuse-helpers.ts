/** Shared set-up for the abuse tests: properties, a Stats API key, stored counts and RSS. */
import fs from 'node:fs';
import { ConfigStore } from '../../src/config-store/config-store.js';
import { totalOf } from '../helpers/http.js';

/** Registers properties (and their first-party hosts) and returns a key that reads them all. */
export async function setUpProperties(dataDir: string, properties: { domain: string; firstPartyHost?: string }[]): Promise<string> {
  const store = await ConfigStore.open(dataDir);
  try {
    for (const property of properties) await store.addSite(property);
    return (await store.createKey({ name: 'abuse tests' })).key;
  } finally {
    await store.close();
  }
}

/** Every stored event of a property, bots included (reports leave bots out unless filtered on). */
export async function storedEventCount(baseUrl: string, key: string, domain: string): Promise<number> {
  const people = await totalOf(baseUrl, key, domain, 'events');
  const bots = await totalOf(baseUrl, key, domain, 'events', [['is', 'visit:device', ['bot']]]);
  return people + bots;
}

/** Resident set size of a live process in bytes, from /proc. */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`No VmRSS line in /proc/${pid}/status.`);
  return Number(match[1]) * 1024;
}
