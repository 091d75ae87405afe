/** tracelode sign — not built yet. */
export async function sign(_args: string[]): Promise<number> {
  console.error('tracelode sign is not available yet');
  return 2;
}
