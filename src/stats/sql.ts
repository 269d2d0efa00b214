import type { QueryParameter } from '../storage/event-store.js';

/**
 * A piece of SQL text with the values of its `?` placeholders, in text order. Fragments are
 * composed only through `sql` and `joinSql`, so a value can never end up inside the text and
 * placeholders always line up with their values.
 */
export class SqlFragment {
  constructor(
    readonly text: string,
    readonly params: readonly QueryParameter[],
  ) {}
}

/**
 * Builds a fragment from a template: interpolated fragments are inlined, every other
 * interpolated value becomes a `?` placeholder with that value as its parameter.
 */
export function sql(strings: TemplateStringsArray, ...values: (SqlFragment | QueryParameter)[]): SqlFragment {
  let text = strings[0] ?? '';
  const params: QueryParameter[] = [];
  values.forEach((value, index) => {
    if (value instanceof SqlFragment) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[index + 1] ?? '';
  });
  return new SqlFragment(text, params);
}

/** Inlines trusted text: identifiers and keywords from this module's constants, never input. */
export function trustedSql(text: string): SqlFragment {
  return new SqlFragment(text, []);
}

export function joinSql(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  return new SqlFragment(
    fragments.map((fragment) => fragment.text).join(separator),
    fragments.flatMap((fragment) => fragment.params),
  );
}
