// Structural bounds of the JSON a client sends and stores: depth, key count and size, measured
// without recursion (a value nested 100,000 levels deep is refused, not a stack overflow) and
// before any decision or SQL; finite numbers; and text that is well-formed UTF-16 (JSON's
// `\ud800` escapes can spell a lone surrogate, which the database drivers would silently store
// as U+FFFD). A refusal is a 400 naming the limit and the JSON path.
import { isWellFormed } from '../../core/precheck.js';
import { badRequest } from '../errors.js';

/** What one stored JSON value (`custom`, `settings_override`, `config_overrides`) may hold. */
export const STORED_VALUE_LIMITS = {
  /** Levels of nesting: `{}` is 1, `{"a": {}}` is 2. */
  depth: 16,
  /** Object keys in the whole value, every level counted. */
  keys: 256,
  /** Bytes of its JSON text (UTF-8), as stored. */
  bytes: 16 * 1024,
} as const;

/** What any request body may hold (its size is capped by fastify's bodyLimit before parsing). */
export const BODY_LIMITS = {
  bytes: 1024 * 1024,
  depth: 32,
  /** Keys of any one object in the body. */
  keysPerObject: 1000,
} as const;

export type PathStep = string | number;

interface Container {
  value: object;
  depth: number;
  parent: Container | undefined;
  step: PathStep | undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_IN_PATH = 40;

/** `users[0].custom.a["odd key"]`, with long keys shortened so the message stays short. */
export function jsonPath(base: string, steps: readonly PathStep[]): string {
  let path = base;
  for (const step of steps) {
    if (typeof step === 'number') path += `[${String(step)}]`;
    else if (IDENTIFIER.test(step) && step.length <= MAX_KEY_IN_PATH)
      path += path === '' ? step : `.${step}`;
    else {
      const shown = step.length > MAX_KEY_IN_PATH ? `${step.slice(0, MAX_KEY_IN_PATH)}…` : step;
      path += `[${JSON.stringify(shown)}]`;
    }
  }
  return path;
}

function pathOf(base: string, container: Container): string {
  const steps: PathStep[] = [];
  for (let at: Container | undefined = container; at?.step !== undefined; at = at.parent) {
    steps.push(at.step);
  }
  return jsonPath(base, steps.reverse());
}

interface WalkLimits {
  depth: number;
  /** Keys of the whole value (stored values). */
  keys?: number;
  /** Keys of any one object (bodies). */
  keysPerObject?: number;
}

/** Text that is not well-formed UTF-16 (a lone surrogate) is refused where it was found. */
function checkText(text: string, where: () => string, what: 'key' | 'text'): void {
  if (isWellFormed(text)) return;
  throw badRequest(
    'INVALID_REQUEST',
    `${where()} has ${what === 'key' ? 'a key' : 'text'} with a lone surrogate (\\ud800–\\udfff not in a pair); send well-formed Unicode`,
  );
}

/**
 * A string or number where it was found: text well-formed, and a number finite (JSON has no
 * Infinity, but `1e400` parses as one and would be stored as null without a word).
 */
function checkLeaf(value: unknown, where: () => string): void {
  if (typeof value === 'string') checkText(value, where, 'text');
  else if (typeof value === 'number' && !Number.isFinite(value)) {
    throw badRequest(
      'INVALID_REQUEST',
      `${where()} is a number beyond what JSON numbers hold (it reads as ${String(value)}); send it as a string`,
    );
  }
}

/**
 * Depth-first over the containers of `value`, with an explicit stack; throws at the first excess
 * or the first ill-formed string.
 */
function walk(value: unknown, base: string, limits: WalkLimits): void {
  if (typeof value !== 'object' || value === null) {
    checkLeaf(value, () => base);
    return;
  }
  const stack: Container[] = [{ value, depth: 1, parent: undefined, step: undefined }];
  let keys = 0;
  for (let container = stack.pop(); container !== undefined; container = stack.pop()) {
    if (container.depth > limits.depth) {
      throw badRequest(
        'JSON_TOO_DEEP',
        `${pathOf(base, container)} nests deeper than ${String(limits.depth)} levels`,
      );
    }
    const { value: node, depth } = container;
    const at = (step: PathStep) => () => jsonPath(pathOf(base, container), [step]);
    if (Array.isArray(node)) {
      node.forEach((item: unknown, index) => {
        if (typeof item === 'object' && item !== null) {
          stack.push({ value: item, depth: depth + 1, parent: container, step: index });
        } else checkLeaf(item, at(index));
      });
      continue;
    }
    const names = Object.keys(node);
    keys += names.length;
    if (limits.keysPerObject !== undefined && names.length > limits.keysPerObject) {
      throw badRequest(
        'JSON_TOO_MANY_KEYS',
        `${pathOf(base, container)} has ${String(names.length)} keys; at most ${String(limits.keysPerObject)}`,
      );
    }
    if (limits.keys !== undefined && keys > limits.keys) {
      throw badRequest(
        'JSON_TOO_MANY_KEYS',
        `${base} has more than ${String(limits.keys)} keys in all (counted up to ${pathOf(base, container)})`,
      );
    }
    for (const name of names) {
      checkText(name, () => pathOf(base, container), 'key');
      const item = (node as Record<string, unknown>)[name];
      if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, depth: depth + 1, parent: container, step: name });
      } else checkLeaf(item, at(name));
    }
  }
}

/**
 * A JSON object a client stores: at most STORED_VALUE_LIMITS deep, keyed and large, so it can be
 * stored, read back, logged and serialized in any later answer.
 */
export function expectStoredObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('INVALID_REQUEST', `${what} must be an object`);
  }
  walk(value, what, { depth: STORED_VALUE_LIMITS.depth, keys: STORED_VALUE_LIMITS.keys });
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > STORED_VALUE_LIMITS.bytes) {
    throw badRequest(
      'JSON_TOO_LARGE',
      `${what} is ${String(bytes)} bytes of JSON; at most ${String(STORED_VALUE_LIMITS.bytes)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Every request body, before authentication, decisions or SQL. */
export function checkBodyBounds(body: unknown): void {
  walk(body, 'body', { depth: BODY_LIMITS.depth, keysPerObject: BODY_LIMITS.keysPerObject });
}
