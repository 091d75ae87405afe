import 'reflect-metadata';
import { backup } from './commands/backup.command';
import { bench } from './commands/bench.command';
import { demo } from './commands/demo.command';
import { rebuild } from './commands/rebuild.command';
import { replay } from './commands/replay.command';
import { restore } from './commands/restore.command';
import { sign } from './commands/sign.command';
import { verify } from './commands/verify.command';
import { verifyCredentialCommand } from './commands/verify-credential.command';
import { verifyLogCommand } from './commands/verify-log.command';

/** `tracelode <command>`: the ledger's operator tools. Each command lives in ./commands. */
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number> }> = {
  rebuild: {
    summary: 'rebuild [--store URL] [--views PATH]  replay the whole log into fresh read models',
    run: rebuild,
  },
  demo: {
    summary: 'demo [--url URL]                      seed a realistic rare-earth chain through the API',
    run: demo,
  },
  bench: {
    summary:
      'bench [--large] [--only CASES]         commands/s over HTTP, raw appends/s, provenance reads on 10k and 100k (1M) events, verify and rebuild rates, EPCIS capture and query',
    run: bench,
  },
  verify: {
    summary:
      'verify <bundle.json> [--public-key FILE] check an audit bundle offline: signatures, hashes, proofs, views',
    run: verify,
  },
  'verify-credential': {
    summary:
      'verify-credential <file> --did-document FILE [--status-list FILE]  check a passport or traceability-events credential offline',
    run: verifyCredentialCommand,
  },
  'verify-log': {
    summary:
      'verify-log [--store URL] [--checkpoint FILE]  check the whole log: hashes, chains, roots of kept checkpoints',
    run: verifyLogCommand,
  },
  replay: {
    summary:
      'replay --to <position|time> --out DIR  rebuild the views as of a moment into DIR and diff them with the live ones',
    run: replay,
  },
  backup: {
    summary:
      'backup --out DIR                      copy the log and the integrity file online, with a manifest',
    run: backup,
  },
  restore: {
    summary:
      'restore --from DIR --data DIR         restore a backup into an empty directory, verify it, rebuild the views',
    run: restore,
  },
  sign: {
    summary:
      'sign --key FILE --key-id ID ...       sign a command request (RFC 9421) the way a producer must',
    run: sign,
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(
      `Usage: tracelode <command>\n\n${Object.values(COMMANDS)
        .map((c) => `  ${c.summary}`)
        .join('\n')}`,
    );
    return name ? 2 : 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
