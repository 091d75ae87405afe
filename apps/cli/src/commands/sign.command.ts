/** tracelode sign — not built yet. */
export function sign(_args: string[]): Promise<number> {
  console.error('tracelode sign is not available yet');
  return Promise.resolve(2);
}
