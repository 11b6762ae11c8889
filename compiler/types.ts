// The types that carry the compiler pipeline from one stage to the next:
// GrantsDocument (load) → Diagnostic[] (validate) → ResolvedPolicy (resolve) → EmittedFile[] (emit).
// ResolvedPolicy and GrantsMap live in the core (core/policy.ts): every engine reads them.
import type { CustomPermissionSpec, GrantsMap } from '../core/policy.js';
import type { DiagnosticCode } from './diagnostics/codes.js';

export type { GrantsMap, ResolvedPolicy, SourceRef } from '../core/policy.js';

/** A 1-based range in a source file; columns count UTF-16 code units like editors do. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning';

/** One problem found in a grants file; `code` is a stable SCREAMING_SNAKE name (DESIGN §6). */
export interface Diagnostic extends SourceSpan {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  help?: string;
}

/** Result of a stage that can fail on bad input; stages throw only on bugs. */
export type Result<T> =
  { ok: true; value: T; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/**
 * The grants file as plain data, exactly the YAML's shape (DESIGN §2). The resolver takes this
 * and never YAML, so the reference server can resolve grants that came through its API.
 */
export interface GrantsSpec {
  version: 1;
  app?: {
    multi_tenant_enabled?: boolean;
    /** `null` resets `.app` to the builtin defaults. */
    grants?: GrantsMap | null;
  };
  roles?: Record<string, { description?: string; level?: 'user' | 'call' }>;
  permissions?: CustomPermissionSpec[];
  call_types?: Record<string, { description?: string; grants?: GrantsMap | null }>;
  /** "type:id" → overrides; grants here are modifiers. */
  calls?: Record<string, { config_overrides?: { grants?: GrantsMap | null } }>;
}

/** A path into the spec, e.g. ['call_types', 'default', 'grants', 'user', 2]. */
export type SpecPath = readonly (string | number)[];

/** Finds the source span of a node of the spec; undefined when there is no source (API data). */
export type SpanLocator = (path: SpecPath) => SourceSpan | undefined;

/** A loaded grants file: the spec plus where each of its nodes came from. */
export interface GrantsDocument {
  file: string;
  /** The raw text, kept for code frames. */
  source: string;
  /** The parsed value; only trustworthy as a GrantsSpec after validation succeeded. */
  spec: unknown;
  /** Span of a node (the value's span; for a map key use `locateKey`). */
  locate: SpanLocator;
  /** Span of a map key, e.g. the `join-cal` in a list or the `guestt:` key. */
  locateKey: SpanLocator;
}

/** One file produced by the compiler, relative to the output folder. */
export interface EmittedFile {
  path: string;
  contents: string | Uint8Array;
}
