/**
 * The one shape of a tracelode command: parse the options (a bad one: its message and the help, exit 2),
 * answer --help (exit 0), then run; an error while running is reported without a stack (exit 1).
 */
export async function runCommand<Options>(
  name: string,
  help: string,
  parse: () => Options | 'help',
  run: (options: Options) => Promise<number>,
): Promise<number> {
  let options: Options | 'help';
  try {
    options = parse();
  } catch (error) {
    console.error(`${name}: ${messageOf(error)}\n\n${help}`);
    return 2;
  }
  if (options === 'help') {
    console.log(help);
    return 0;
  }
  try {
    return await run(options);
  } catch (error) {
    console.error(`${name}: ${messageOf(error)}`);
    return 1;
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
