/**
 * A strict reader for the report's markup, shared by the report's tests: elements, attributes
 * (double-quoted), text, the five entities the writer uses. Anything else (a stray `<`, a bare
 * `&`, a mismatched end tag) throws. The charts and the page are well-formed XML apart from the
 * doctype, so the same checks run in Node and Chromium.
 */
import { expect } from 'vitest';

export interface El {
  name: string;
  attrs: Record<string, string>;
  children: (El | string)[];
}

const TOKEN =
  /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/iy;
const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const DECODED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decode(raw: string): string {
  if (/&(?!(amp|lt|gt|quot|#39);)/.test(raw)) throw new Error(`bare & in ${raw.slice(0, 80)}`);
  return raw.replace(ENTITY, (_, e: string) => DECODED[e] as string);
}

export function parse(markup: string): El {
  const root: El = { name: '#root', attrs: {}, children: [] };
  const stack = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < markup.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(markup);
    if (!m) throw new Error(`not well-formed at ${at}: ${markup.slice(at, at + 80)}`);
    const top = stack.at(-1) as El;
    const [token, close, open, attrText, selfClose, text] = m;
    if (close) {
      if (top.name !== close) throw new Error(`</${close}> closes <${top.name}> at ${at}`);
      stack.pop();
    } else if (open) {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of (attrText ?? '').matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        if ((k as string) in attrs) throw new Error(`duplicate attribute ${k} at ${at}`);
        attrs[k as string] = decode(v as string);
      }
      const el: El = { name: open, attrs, children: [] };
      top.children.push(el);
      if (!selfClose) stack.push(el);
    } else if (text !== undefined) top.children.push(decode(text));
    else if (!token.startsWith('<!')) throw new Error(`unexpected ${token}`);
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  return root;
}

export function all(el: El, test: (e: El) => boolean, out: El[] = []): El[] {
  for (const c of el.children)
    if (typeof c !== 'string') {
      if (test(c)) out.push(c);
      all(c, test, out);
    }
  return out;
}

export const named = (name: string) => (e: El) => e.name === name;
export const textOf = (el: El): string =>
  el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
export const titleOf = (el: El) => {
  const t = el.children.find((c): c is El => typeof c !== 'string' && c.name === 'title');
  return t ? textOf(t) : undefined;
};
export const num = (el: El, attr: string) => Number(el.attrs[attr]);
export const svgRoot = (markup: string) => {
  const svgs = all(parse(markup), named('svg'));
  expect(svgs).toHaveLength(1);
  return svgs[0] as El;
};

/** Every svg in `root` is labelled: role img, aria-labelledby → a non-empty title and desc. */
export function expectAccessible(root: El): void {
  const byId = new Map(all(root, (e) => e.attrs.id !== undefined).map((e) => [e.attrs.id, e]));
  for (const svg of all(root, named('svg'))) {
    expect(svg.attrs.role).toBe('img');
    const ids = (svg.attrs['aria-labelledby'] ?? '').split(' ');
    expect(ids).toHaveLength(2);
    const [title, desc] = ids.map((id) => byId.get(id));
    expect(title?.name).toBe('title');
    expect(desc?.name).toBe('desc');
    expect(textOf(title as El).length).toBeGreaterThan(5);
    expect(textOf(desc as El).length).toBeGreaterThan(20);
  }
}
