import { DomainError } from '@tracelode/domain';

/**
 * Given/when/then for deciders (after emmett's DeciderSpecification): given past events, when a command
 * is decided, then exactly these events, or a refusal with this code.
 */
export interface DeciderUnderTest<Command, Event, State, Context> {
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export function deciderSpec<Command, Event, State, Context>(
  decider: DeciderUnderTest<Command, Event, State, Context>,
) {
  return (given: readonly Event[]) => ({
    when: (command: Command, context: Context) => {
      const run = () =>
        decider.decide(command, given.reduce(decider.evolve, decider.initialState()), context);
      return {
        then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
        thenRefuses: (code: string) => {
          let refusal: unknown;
          try {
            run();
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toBeInstanceOf(DomainError);
          expect((refusal as DomainError).code).toBe(code);
        },
      };
    },
  });
}
