/**
 * structured-headers' declarations name the DOM's `BufferSource` (a Byte Sequence's value), which a
 * Node-only program (lib ES2023, no "dom") does not have; without it every bare item would be typed as
 * an error. Same definition as lib.dom.d.ts.
 */
type BufferSource = ArrayBufferView | ArrayBuffer;
