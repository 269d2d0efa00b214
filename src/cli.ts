#!/usr/bin/env node
/**
 * The `datakant` command line: `serve`, `demo`, `sites`, `keys`, `consent` and `snippet`. Commands that
 * change configuration write to the data directory's SQLite file; a running server picks the
 * change up within a second or two.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadServerConfig, resolveDataDir, resolvePublicUrl, resolveScriptPath, type ServerFlags } from './config.js';
import { ConfigStore, ConfigStoreError } from './config-store/config-store.js';
import { renderSnippet } from './snippet.js';
import { cmpScriptPath } from './tracker-paths.js';
import { startServer, type RunningServer } from './server/start.js';
import { runDemo } from './demo.js';
import { consentSettingsToJson } from './consent/settings.js';
import { applyConsentChanges, ConsentOptionError, describeConsentSettings } from './consent/settings-edit.js';
import { CONSENT_PURPOSES, DROPPABLE_FIELDS } from './consent/purposes.js';
import { InvalidConsentRowError } from './config-store/consent-rows.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('Expected a whole number of at least 1.');
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function withConfigStore<T>(dataFlag: string | undefined, work: (store: ConfigStore) => Promise<T>): Promise<T> {
  const store = await ConfigStore.open(resolveDataDir(dataFlag));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Longest time a clean shutdown may take before the process exits anyway, in milliseconds. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** Stop the server cleanly on SIGINT and SIGTERM, committing queued events first. */
function stopOnSignals(server: RunningServer): void {
  const stop = (signal: string) => {
    // A shutdown that cannot finish (a commit that hangs, a log pipe whose reader is gone)
    // must not leave a half-stopped process behind.
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    server.logger.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const dataOption = ['--data <dir>', 'data directory (env DATAKANT_DATA_DIR, default ./data)'] as const;

export function buildCli(): Command {
  const program = new Command('datakant')
    .description('Privacy-first web analytics with server-side, first-party tracking.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('Start the edge: intake, tracker script, Stats API, on one port.')
    .option('--port <port>', 'TCP port (env DATAKANT_PORT, default 8000)')
    .option('--host <address>', 'listen address (env DATAKANT_HOST, default 127.0.0.1)')
    .option(...dataOption)
    .option('--trusted-proxies <cidrs>', 'comma-separated proxies whose forwarding headers are believed (env DATAKANT_TRUSTED_PROXIES)')
    .option('--public-hosts <hosts>', 'comma-separated hosts of the standard route (env DATAKANT_PUBLIC_HOSTS; default any host)')
    .option('--geo-database <file>', 'your own mmdb file for geo look-ups (env DATAKANT_GEO_DATABASE)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env DATAKANT_LOG_LEVEL, default info)')
    .action(async (flags: ServerFlags) => {
      const server = await startServer(loadServerConfig(flags));
      stopOnSignals(server);
    });

  program
    .command('demo')
    .description('Start the edge with a demo property "localhost" and a demo page at /demo.')
    .option('--port <port>', 'TCP port (env DATAKANT_PORT, default 8000)')
    .option(...dataOption)
    .action(async (flags: ServerFlags) => {
      const server = await runDemo(loadServerConfig(flags));
      stopOnSignals(server);
    });

  const sites = program.command('sites').description('Manage properties.');
  sites
    .command('add <domain>')
    .description('Register a property; its domain is its id.')
    .option('--timezone <zone>', 'IANA time zone for reports', 'UTC')
    .option('--first-party-host <host>', 'subdomain that serves the first-party route, e.g. stats.shop.example')
    .option('--retention-days <days>', 'delete events older than this many days (default: keep)', positiveInteger)
    .option(...dataOption)
    .action(async (domain: string, flags: { timezone: string; firstPartyHost?: string; retentionDays?: number; data?: string }) => {
      const site = await withConfigStore(flags.data, (store) =>
        store.addSite({ domain, timezone: flags.timezone, firstPartyHost: flags.firstPartyHost, retentionDays: flags.retentionDays }),
      );
      console.log(`Added property ${site.domain} (time zone ${site.timezone}).`);
      for (const host of site.firstPartyHosts) console.log(`First-party host: ${host}`);
    });
  sites
    .command('add-host <domain> <host>')
    .description('Add a first-party host to a property.')
    .option(...dataOption)
    .action(async (domain: string, host: string, flags: { data?: string }) => {
      await withConfigStore(flags.data, (store) => store.addFirstPartyHost(domain, host));
      console.log(`First-party host ${host.toLowerCase()} now serves ${domain}.`);
    });
  sites
    .command('list')
    .description('List properties.')
    .option(...dataOption)
    .action(async (flags: { data?: string }) => {
      const all = await withConfigStore(flags.data, (store) => store.listSites());
      if (all.length === 0) console.log('No properties yet; add one with "datakant sites add <domain>".');
      for (const site of all) {
        const retention = site.retentionDays === null ? 'kept' : `${site.retentionDays} days`;
        const hosts = site.firstPartyHosts.length ? site.firstPartyHosts.join(', ') : 'none';
        console.log(`${site.domain}\ttime zone ${site.timezone}\tretention ${retention}\tfirst-party hosts ${hosts}`);
      }
    });

  program
    .command('keys')
    .description('Manage Stats API keys.')
    .command('create')
    .description('Create a Stats API key; the key is the last line of the output and is shown only once.')
    .option('--name <label>', 'label to recognise the key by')
    .option('--site <domain>', 'property the key may read (repeatable; default: every property)', collect, [])
    .option('--write', 'the key may also change its properties\' consent settings through the API')
    .option(...dataOption)
    .action(async (flags: { name?: string; site: string[]; write?: boolean; data?: string }) => {
      const created = await withConfigStore(flags.data, (store) =>
        store.createKey({ name: flags.name, sites: flags.site, write: flags.write === true }),
      );
      const scope = created.sites === 'all' ? 'every property' : created.sites.join(', ');
      const rights = created.canWrite ? 'read and change settings of' : 'read';
      console.log(`Created key "${created.name}" to ${rights} ${scope}. Store it now: only its hash is kept.`);
      console.log(created.key);
    });

  const consent = program.command('consent').description('Show or change a property\'s consent mode and per-system consent mapping.');
  consent
    .command('show <domain>')
    .description('Print the consent mode, the no-signal policy and what each system requires.')
    .option('--json', 'print the settings as the HTTP API returns them')
    .option(...dataOption)
    .action(async (domain: string, flags: { json?: boolean; data?: string }) => {
      const { site, custom } = await withConfigStore(flags.data, async (store) => {
        const found = await store.getSite(domain);
        if (!found) throw new ConfigStoreError(`No property ${domain}; add it first with "datakant sites add ${domain}".`);
        return { site: found, custom: await store.hasCustomConsentSettings(found.domain) };
      });
      if (flags.json) {
        console.log(JSON.stringify({ site_id: site.domain, ...consentSettingsToJson(site.consent) }, null, 2));
        return;
      }
      console.log(`Consent settings of ${site.domain}${custom ? '' : ' (defaults)'}:`);
      for (const line of describeConsentSettings(site.consent)) console.log(`  ${line}`);
    });
  consent
    .command('set <domain>')
    .description('Change consent settings; a running server applies the change within about a second.')
    .option('--mode <mode>', 'cookieless (nothing on the device) or consent-cookies (first-party cookies with analytics consent)')
    .option('--no-signal <policy>', 'store or drop: what datakant does with events that carry no consent signal')
    .option('--system <system>', 'datakant, ga4 or meta: the system that --requires, --drop-field and --keep-field change')
    .option('--requires <purposes>', `comma-separated purposes the system requires (${CONSENT_PURPOSES.join(', ')}); datakant always requires analytics`)
    .option('--drop-field <field=purposes>', `drop a field (${DROPPABLE_FIELDS.join(', ')}) unless all these purposes are granted (repeatable)`, collect, [])
    .option('--keep-field <field>', 'never drop this field for the system (repeatable)', collect, [])
    .option('--defaults', 'start from the default settings instead of the current ones')
    .option(...dataOption)
    .action(
      async (
        domain: string,
        flags: { mode?: string; signal?: string | boolean; system?: string; requires?: string; dropField: string[]; keepField: string[]; defaults?: boolean; data?: string },
      ) => {
        const site = await withConfigStore(flags.data, async (store) => {
          const found = await store.getSite(domain);
          if (!found) throw new ConfigStoreError(`No property ${domain}; add it first with "datakant sites add ${domain}".`);
          const changed = applyConsentChanges(found.consent, {
            defaults: flags.defaults,
            mode: flags.mode,
            noSignal: typeof flags.signal === 'string' ? flags.signal : undefined,
            system: flags.system,
            requires: flags.requires,
            dropFields: flags.dropField,
            keepFields: flags.keepField,
          });
          return store.setConsentSettings(found.domain, changed);
        });
        console.log(`Consent settings of ${site.domain} changed:`);
        for (const line of describeConsentSettings(site.consent)) console.log(`  ${line}`);
      },
    );

  program
    .command('snippet <domain>')
    .description('Print the HTML snippet for a property.')
    .option('--route <route>', 'standard or first-party', 'standard')
    .option('--public-url <url>', 'base URL of the standard route (env DATAKANT_PUBLIC_URL, default http://localhost:8000)')
    .option('--cmp', 'use the tracker build that reads IAB TCF and Google Consent Mode (s.cmp.js)')
    .option(...dataOption)
    .action(async (domain: string, flags: { route: string; publicUrl?: string; cmp?: boolean; data?: string }) => {
      if (flags.route !== 'standard' && flags.route !== 'first-party') {
        throw new ConfigError(`--route must be standard or first-party, got "${flags.route}".`);
      }
      const site = await withConfigStore(flags.data, (store) => store.getSite(domain));
      if (!site) throw new ConfigStoreError(`No property ${domain}; add it first with "datakant sites add ${domain}".`);
      let origin: string;
      if (flags.route === 'first-party') {
        const host = site.firstPartyHosts[0];
        if (!host) {
          throw new ConfigStoreError(
            `The property ${site.domain} has no first-party host; add one with "datakant sites add-host ${site.domain} stats.${site.domain}".`,
          );
        }
        origin = `https://${host}`;
      } else {
        origin = resolvePublicUrl(flags.publicUrl);
      }
      const scriptPath = flags.cmp ? cmpScriptPath(resolveScriptPath()) : resolveScriptPath();
      console.log(renderSnippet({ domain: site.domain, scriptUrl: origin + scriptPath }));
    });

  return program;
}

async function main(): Promise<void> {
  try {
    await buildCli().parseAsync(process.argv);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof ConfigStoreError ||
      error instanceof ConsentOptionError ||
      error instanceof InvalidConsentRowError
    ) {
      console.error(`datakant: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

await main();
