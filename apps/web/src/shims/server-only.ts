/**
 * Stands in, in the browser build, for modules only the server uses (SQLite, KurrentDB, files): the
 * libraries' indexes name them, the verifier never calls them. Any use fails loudly.
 */
const unavailable = (): never => {
  throw new Error('Not available in the browser');
};
export default unavailable;
export const existsSync = unavailable;
export const readFileSync = unavailable;
export const writeFileSync = unavailable;
export const mkdirSync = unavailable;
export const chmodSync = unavailable;
export const openSync = unavailable;
export const closeSync = unavailable;
export const fsyncSync = unavailable;
export const statSync = unavailable;
export const dirname = unavailable;
export const join = unavailable;
export const resolve = unavailable;
export const Readable = unavailable;
export const Worker = unavailable;
export const availableParallelism = unavailable;
export const KurrentDBClient = unavailable;
export const jsonEvent = unavailable;
export const START = 'start';
export const END = 'end';
export const FORWARDS = 'forwards';
export const BACKWARDS = 'backwards';
export const ANY = 'any';
export const NO_STREAM = 'no_stream';
export const STREAM_EXISTS = 'stream_exists';
export const excludeSystemEvents = unavailable;
export class StreamNotFoundError extends Error {}
export class WrongExpectedVersionError extends Error {}
export const StreamsServiceService = {};
