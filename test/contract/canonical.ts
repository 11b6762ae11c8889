// Canonical JSON (RFC 8785 via `canonicalize`): the equality every evaluator is held to.
import canonicalizeModule from 'canonicalize';

type Serialize = (input: unknown) => string | undefined;

// The package is CommonJS with an ESM-style `export default` typing: at run time the default
// import is already the function, under the types it is `.default`.
const moduleValue = canonicalizeModule as unknown;
const serialize = (
  typeof moduleValue === 'function' ? moduleValue : (moduleValue as { default: Serialize }).default
) as Serialize;

/** Canonical JSON text of a value (throws on values JSON cannot represent). */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}
