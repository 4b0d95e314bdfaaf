// Contacts of a batch as the UTF-8 bytes of one JSON array (contacts-repo PACKED_INSERT_SQL's format),
// written row by row into a reusable buffer. Each row's JSON text dies young; nothing per contact
// outlives the row, and the bytes go to the writer thread as they are.
export class PackedRows {
  private static readonly encoder = new TextEncoder();
  buffer: ArrayBuffer;
  private bytes: Uint8Array;
  /** Bytes used, the opening "[" included. */
  length = 1;
  count = 0;

  constructor(buffer: ArrayBuffer = new ArrayBuffer(1 << 20)) {
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.bytes[0] = 0x5b; // [
  }

  /** Appends one contact's JSON array text. */
  add(rowJson: string): void {
    const room = this.length + rowJson.length * 3 + 2; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (room > this.bytes.length) this.grow(room);
    if (this.count > 0) this.bytes[this.length++] = 0x2c; // ,
    this.length += PackedRows.encoder.encodeInto(rowJson, this.bytes.subarray(this.length)).written;
    this.count++;
  }

  /** Closes the array; returns the byte length to hand on with `buffer`. */
  finish(): number {
    if (this.length + 1 > this.bytes.length) this.grow(this.length + 1);
    this.bytes[this.length] = 0x5d; // ]
    return this.length + 1;
  }

  private grow(need: number): void {
    const bigger = new Uint8Array(Math.max(need, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    this.buffer = bigger.buffer;
  }
}
