/** tracelode replay — not built yet. */
export async function replay(_args: string[]): Promise<number> {
  console.error('tracelode replay is not available yet');
  return 2;
}
