/** tracelode verify — not built yet. */
export async function verify(_args: string[]): Promise<number> {
  console.error('tracelode verify is not available yet');
  return 2;
}
