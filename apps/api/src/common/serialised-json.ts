import { StreamableFile } from '@nestjs/common';

/**
 * A JSON answer already serialised (by a read worker): sent as it is, never parsed or re-serialised on
 * the request thread. `T` is the shape of the JSON, for the reader of the code and the route's type.
 */
export class SerialisedJson<T> extends StreamableFile {
  declare readonly _shape?: T;

  constructor(bytes: Buffer) {
    super(bytes, { type: 'application/json; charset=utf-8', length: bytes.length });
  }
}
