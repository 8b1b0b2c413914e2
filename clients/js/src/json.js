// A strict RFC 8259 JSON parser. JSON.parse cannot tell `1.0` from `1` or see duplicate
// names, so this one keeps the text of every number that is a member of the top-level object
// (the claims) and refuses duplicate member names, as key format 1.0 recommends. It is
// recursive: any nesting a 4096-byte token can hold (about 1,490 levels) fits the stack.

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonError extends Error {}

/** `{ value, numbers }` (numbers: top-level member name → number text) or `{ error }`. */
export function parseJson(text) {
  const numbers = new Map();
  let i = 0;
  const fail = (what) => { throw new JsonError(`${what} at offset ${i}`); };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };
  const hex4 = () => {
    const h = text.slice(i, i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('bad \\u escape');
    i += 4;
    return parseInt(h, 16);
  };
  const string = () => {
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in a string');
      if (c !== 0x5c) { i++; continue; }
      out += text.slice(run, i);
      const e = text[i + 1];
      i += 2;
      if (e === 'u') {
        // An escaped surrogate pair is one character; a lone surrogate escape names no
        // character (UTF-8 cannot hold it) and is MALFORMED (docs/key-format.md, section 5).
        const code = hex4();
        if (code >= 0xdc00 && code <= 0xdfff) fail('a lone surrogate escape');
        if (code >= 0xd800 && code <= 0xdbff) {
          if (text[i] !== '\\' || text[i + 1] !== 'u') fail('a lone surrogate escape');
          i += 2;
          const low = hex4();
          if (low < 0xdc00 || low > 0xdfff) fail('a lone surrogate escape');
          out += String.fromCharCode(code, low);
        } else {
          out += String.fromCharCode(code);
        }
      } else if (e !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, e)) {
        out += ESCAPES[e];
      } else {
        fail('bad escape');
      }
      run = i;
    }
  };
  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('bad number');
    i += m[0].length;
    return m[0];
  };
  const literal = (word, value) => {
    if (text.startsWith(word, i)) { i += word.length; return value; }
    return fail('unexpected character');
  };
  const value = (top) => {
    ws();
    const c = text[i];
    if (c === '{') return object(top);
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      const token = number();
      // "-0" is the integer 0 (as in Python and Go); "-0.0" stays the float -0.
      return token === '-0' ? 0 : Number(token);
    }
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return fail(c === undefined ? 'unexpected end' : 'unexpected character');
  };
  const object = (top) => {
    i++;
    const obj = {};
    const seen = new Set();
    ws();
    if (text[i] === '}') { i++; return obj; }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected a member name');
      const name = string();
      if (seen.has(name)) fail(`duplicate member name ${JSON.stringify(name)}`);
      seen.add(name);
      ws();
      if (text[i] !== ':') fail('expected ":"');
      i++;
      ws();
      const start = i;
      const member = value(false);
      if (top && typeof member === 'number') numbers.set(name, text.slice(start, i));
      // defineProperty, not assignment: a member named "__proto__" stays an ordinary member.
      Object.defineProperty(obj, name, { value: member, writable: true, enumerable: true, configurable: true });
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return obj; }
      fail('expected "," or "}"');
    }
  };
  const array = () => {
    i++;
    const arr = [];
    ws();
    if (text[i] === ']') { i++; return arr; }
    for (;;) {
      arr.push(value(false));
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return arr; }
      fail('expected "," or "]"');
    }
  };
  try {
    const result = value(true);
    ws();
    if (i !== text.length) fail('text after the JSON value');
    return { value: result, numbers };
  } catch (err) {
    if (err instanceof JsonError) return { error: err.message };
    if (err instanceof RangeError) return { error: 'nested too deeply' };
    throw err;
  }
}
