/**
 * The part of RFC 8941 (Structured Field Values) that RFC 9421 signatures and RFC 9530 digests need:
 * parsing a Dictionary whose members are Items or Inner Lists with Parameters, and serialising Inner
 * Lists and Items back. Decimals are parsed but never produced (no signature parameter is one).
 */

export class Token {
  constructor(readonly value: string) {}
}

export class ByteSequence {
  constructor(readonly bytes: Buffer) {}
}

export type BareItem = string | number | boolean | Token | ByteSequence;
export type Parameters = Map<string, BareItem>;
export interface Item {
  readonly value: BareItem;
  readonly params: Parameters;
}
export interface InnerList {
  readonly items: Item[];
  readonly params: Parameters;
}
export type Member = Item | InnerList;
export type Dictionary = Map<string, Member>;

export const isInnerList = (member: Member): member is InnerList => 'items' in member;

export class StructuredFieldError extends Error {
  override readonly name = 'StructuredFieldError';
}

/** RFC 8941 §4.2.2: a Dictionary, e.g. a Signature-Input or Content-Digest field value. */
export function parseDictionary(text: string): Dictionary {
  const parser = new Parser(text);
  const dictionary: Dictionary = new Map();
  parser.skipSpaces();
  if (parser.done()) return dictionary;
  for (;;) {
    const key = parser.key();
    let member: Member;
    if (parser.peek() === '=') {
      parser.advance();
      member = parser.member();
    } else {
      member = { value: true, params: parser.parameters() };
    }
    dictionary.set(key, member);
    parser.skipOws();
    if (parser.done()) return dictionary;
    parser.expect(',');
    parser.skipOws();
    if (parser.done()) throw new StructuredFieldError('A dictionary must not end with a comma');
  }
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }
  peek(): string {
    return this.text[this.at] ?? '';
  }
  advance(): string {
    return this.text[this.at++] ?? '';
  }
  expect(char: string): void {
    if (this.advance() !== char) throw new StructuredFieldError(`Expected "${char}" at ${this.at - 1}`);
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.at++;
  }
  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  member(): Member {
    if (this.peek() === '(') return this.innerList();
    return { value: this.bareItem(), params: this.parameters() };
  }

  innerList(): InnerList {
    this.expect('(');
    const items: Item[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.peek() === ')') {
        this.advance();
        return { items, params: this.parameters() };
      }
      items.push({ value: this.bareItem(), params: this.parameters() });
      const next = this.peek();
      if (next !== ' ' && next !== ')') throw new StructuredFieldError(`Bad inner list at ${this.at}`);
    }
  }

  parameters(): Parameters {
    const params: Parameters = new Map();
    while (this.peek() === ';') {
      this.advance();
      this.skipSpaces();
      const key = this.key();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.advance();
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  key(): string {
    const match = /^[a-z*][a-z0-9_\-.*]*/.exec(this.text.slice(this.at));
    if (!match) throw new StructuredFieldError(`Expected a key at ${this.at}`);
    this.at += match[0].length;
    return match[0];
  }

  bareItem(): BareItem {
    const char = this.peek();
    const rest = this.text.slice(this.at);
    if (char === '"') return this.string();
    if (char === ':') {
      const match = /^:([A-Za-z0-9+/=]*):/.exec(rest);
      if (!match) throw new StructuredFieldError(`Bad byte sequence at ${this.at}`);
      this.at += match[0].length;
      return new ByteSequence(Buffer.from(match[1] ?? '', 'base64'));
    }
    if (char === '?') {
      const match = /^\?([01])/.exec(rest);
      if (!match) throw new StructuredFieldError(`Bad boolean at ${this.at}`);
      this.at += 2;
      return match[1] === '1';
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?(\d{1,15})(\.\d{1,3})?/.exec(rest);
      if (!match || (match[2] && match[1]!.length > 12))
        throw new StructuredFieldError(`Bad number at ${this.at}`);
      this.at += match[0].length;
      return Number(match[0]);
    }
    const token = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/.exec(rest);
    if (!token) throw new StructuredFieldError(`Unexpected "${char}" at ${this.at}`);
    this.at += token[0].length;
    return new Token(token[0]);
  }

  string(): string {
    this.expect('"');
    let value = '';
    for (;;) {
      if (this.done()) throw new StructuredFieldError('Unterminated string');
      const char = this.advance();
      if (char === '\\') {
        const escaped = this.advance();
        if (escaped !== '"' && escaped !== '\\') throw new StructuredFieldError('Bad escape in string');
        value += escaped;
      } else if (char === '"') {
        return value;
      } else if (char < ' ' || char > '~') {
        throw new StructuredFieldError('Strings are printable ASCII only');
      } else {
        value += char;
      }
    }
  }
}

/** RFC 8941 §4.1.1.1: an Inner List with its Parameters, e.g. `("@method" "@path");created=1`. */
export function serialiseInnerList(list: InnerList): string {
  const items = list.items.map((item) => serialiseBareItem(item.value) + serialiseParameters(item.params));
  return `(${items.join(' ')})${serialiseParameters(list.params)}`;
}

export function serialiseParameters(params: Parameters): string {
  return [...params]
    .map(([key, value]) => (value === true ? `;${key}` : `;${key}=${serialiseBareItem(value)}`))
    .join('');
}

export function serialiseBareItem(value: BareItem): string {
  if (typeof value === 'string') {
    if (!/^[\x20-\x7e]*$/.test(value)) throw new StructuredFieldError('Strings are printable ASCII only');
    return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > 999_999_999_999_999)
      throw new StructuredFieldError('Only integers are serialised here');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Token) return value.value;
  return `:${value.bytes.toString('base64')}:`;
}
