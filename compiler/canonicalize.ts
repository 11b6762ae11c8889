// RFC 8785 canonical JSON through the `canonicalize` package: the one compact, key-sorted form the
// compiler hashes (the policy revision) and compares answers by (test suites).
import canonicalizeModule from 'canonicalize';

// The package is CommonJS (`module.exports = fn`) typed as an ES default export.
/** Canonical JSON text of a value; undefined for a value JSON has no form for (e.g. undefined). */
export const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;
