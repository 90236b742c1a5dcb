/**
 * Module params: `params:` of a module node substituted into its inner nodes.
 *
 * @module
 */

/** Substitutes `${_param.key}` and `$PARAM_KEY` in `s`. */
export function substituteParams(
  s: string,
  params: Record<string, string>,
): string {
  const upper = new Map(
    Object.entries(params).map(([k, v]) => [k.toUpperCase(), v]),
  );
  return s
    .replace(
      /\$\{_param\.([A-Za-z0-9_]+)\}/g,
      (m, key: string) => Object.hasOwn(params, key) ? params[key]! : m,
    )
    .replace(
      /\$PARAM_([A-Za-z0-9_]+)/g,
      (m, key: string) => upper.get(key) ?? m,
    );
}
