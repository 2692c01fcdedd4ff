/**
 * Streaming UTF-8 validator (WHATWG Encoding "UTF-8 decoder" algorithm,
 * without producing code points). Text messages must be valid UTF-8 only
 * after reassembly (RFC 6455 §5.6, §8.1): a code point may be split across
 * frames, so a validator that keeps state between chunks is needed — a
 * TextDecoder per frame would wrongly reject such messages.
 */
export class Utf8Validator {
  private bytesNeeded = 0;
  private lowerBoundary = 0x80;
  private upperBoundary = 0xbf;

  /** Feeds bytes [start, end); returns false as soon as the input is invalid. */
  push(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let needed = this.bytesNeeded;
    let lower = this.lowerBoundary;
    let upper = this.upperBoundary;
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (needed === 0) {
        if (byte < 0x80) continue;
        if (byte >= 0xc2 && byte <= 0xdf) {
          needed = 1;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) lower = 0xa0; // no overlong 3-byte forms
          if (byte === 0xed) upper = 0x9f; // no UTF-16 surrogates
          needed = 2;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) lower = 0x90; // no overlong 4-byte forms
          if (byte === 0xf4) upper = 0x8f; // nothing above U+10FFFF
          needed = 3;
        } else {
          return this.fail();
        }
        continue;
      }
      if (byte < lower || byte > upper) return this.fail();
      lower = 0x80;
      upper = 0xbf;
      needed--;
    }
    this.bytesNeeded = needed;
    this.lowerBoundary = lower;
    this.upperBoundary = upper;
    return true;
  }

  /** True when no multi-byte sequence is left open (call at the end of a message). */
  get complete(): boolean {
    return this.bytesNeeded === 0;
  }

  reset(): void {
    this.bytesNeeded = 0;
    this.lowerBoundary = 0x80;
    this.upperBoundary = 0xbf;
  }

  private fail(): false {
    this.reset();
    return false;
  }
}

/** Whole-buffer check. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.push(bytes) && validator.complete;
}
