import 'reflect-metadata';
import { bench } from './commands/bench.command';
import { demo } from './commands/demo.command';
import { rebuild } from './commands/rebuild.command';

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
      'bench [--large]                        commands/s over HTTP, raw appends/s, provenance reads on 10k and 100k (1M) events',
    run: bench,
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
