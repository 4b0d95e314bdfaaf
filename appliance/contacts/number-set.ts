// Which E.164 numbers an import has already taken, and from which row: an open-addressing hash table
// over the numbers' digits as doubles (15 digits fit exactly). ~16 bytes a number instead of the
// ~80 a Map<string, number> costs, which keeps a million-row import inside its memory budget.
/** Highest fill before the table grows: linear probing stays short up to ~0.75. */
const LOAD = 0.75;

export class NumberSet {
  private keys: Float64Array;
  private rows: Int32Array;
  private used = 0;

  constructor(capacity = 1 << 14) {
    const size = slotsFor(capacity);
    this.keys = new Float64Array(size);
    this.rows = new Int32Array(size);
  }

  /** Makes room for `n` numbers at once, so a big import does not hold the old and new tables while growing. */
  reserve(n: number): void {
    const size = slotsFor(n);
    if (size > this.keys.length) this.resize(size);
  }

  get size(): number {
    return this.used;
  }

  /** Records `row` for the number if it is new and returns 0; else returns the row that had it first. */
  addOrGet(e164: string, row: number): number {
    const key = Number(e164.charCodeAt(0) === 43 ? e164.slice(1) : e164);
    if (!Number.isSafeInteger(key) || key <= 0) throw new Error(`NumberSet: not an E.164 number: ${e164}`);
    if (this.used + 1 > this.keys.length * LOAD) this.grow();
    const first = this.place(key, row);
    if (first === 0) this.used++;
    return first;
  }

  private place(key: number, row: number): number {
    const n = this.keys.length;
    let i = hash(key) % n;
    for (;;) {
      const k = this.keys[i];
      if (k === 0) {
        this.keys[i] = key;
        this.rows[i] = row;
        return 0;
      }
      if (k === key) return this.rows[i];
      if (++i === n) i = 0;
    }
  }

  private grow(): void {
    this.resize(this.keys.length * 2);
  }


  private resize(size: number): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(size);
    this.rows = new Int32Array(size);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.place(keys[i], rows[i]);
  }
}

function slotsFor(n: number): number {
  return Math.max(16, Math.ceil(n / LOAD) + 1);
}

function hash(key: number): number {
  const lo = key % 4294967296 | 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h, 0x1b873593);
  return (h ^ (h >>> 13)) >>> 0;
}
