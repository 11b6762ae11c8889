// The typed factories of rolecall.gen.ts (DESIGN §8): bind the SDK's generic PolicyClient,
// createClient and createServerClient to this policy's unions, so a misspelt action, role, call
// type or permission id in application code is a compile error.
import type { SourceFile } from 'ts-morph';
import type { TypesExtension } from './index.js';

/** How to use the factories, for the header of rolecall.gen.ts (and its .js/.d.ts pair). */
export const CLIENT_FACTORY_USAGE: readonly string[] = [
  'Typed clients bound to these names; a misspelt role, action, call type, member role or',
  'permission id is a type error (createClient<PolicyNames> and createServerClient<PolicyNames>',
  "from '@rolecall/sdk' do the same):",
  '',
  "  import { createClient, createServerClient } from './rolecall.gen.js';",
  '  const admin = createServerClient({ baseUrl, apiKey, secret });',
  "  const call = admin.call('default', 'standup');",
  "  await call.updateCallMembers({ update_members: [{ user_id: 'bob', role: 'host' }] });",
  "  const bob = createClient({ baseUrl, apiKey, token: await admin.createToken('bob') });",
  "  const canSend = await bob.call('default', 'standup').can('SendVideo');",
  '',
  'createPolicyClient(evaluator, subject) binds PolicyClient the same way. For plain JavaScript,',
  '`rolecall compile --types js` writes rolecall.gen.js with rolecall.gen.d.ts instead, so',
  'editors and `tsc --checkJs` check the same names.',
];

/**
 * Appends `PolicyNames`, `createPolicyClient`, `createClient` and `createServerClient` to
 * rolecall.gen.ts, importing the SDK. Every signature is written out (no inferred types), so
 * the file also transpiles, one file alone, to a .js and a .d.ts.
 */
export const addClientFactory: TypesExtension = (sourceFile: SourceFile) => {
  sourceFile.insertImportDeclaration(0, {
    // The SDK package alone: an app that runs this file needs @rolecall/sdk, not the CLI.
    moduleSpecifier: '@rolecall/sdk',
    namedImports: [
      'PolicyClient',
      { name: 'createClient', alias: 'createSdkClient' },
      { name: 'createServerClient', alias: 'createSdkServerClient' },
      { name: 'CallFilterField', isTypeOnly: true },
      { name: 'ChangeField', isTypeOnly: true },
      { name: 'ClientOptions', isTypeOnly: true },
      { name: 'ClientSubject', isTypeOnly: true },
      { name: 'Evaluator', isTypeOnly: true },
      { name: 'PolicyClientOptions', isTypeOnly: true },
      { name: 'ServerClient', isTypeOnly: true },
      { name: 'ServerClientOptions', isTypeOnly: true },
      { name: 'UserFilterField', isTypeOnly: true },
      { name: 'VideoClient', isTypeOnly: true },
    ],
  });
  sourceFile.addInterface({
    isExported: true,
    name: 'PolicyNames',
    docs: [
      "This policy's names: the type parameter of rolecall's PolicyClient, createClient and createServerClient.",
    ],
    properties: [
      { name: 'Role', type: 'UserRole', docs: ["A subject's (and a user resource's) role."] },
      { name: 'CallRole', type: 'CallRole' },
      { name: 'CallType', type: 'CallType' },
      { name: 'PermissionId', type: 'PermissionId' },
      { name: 'Action', type: 'Action' },
      { name: 'Change', type: 'ChangeField', docs: ['Field names an update lists in `changes`.'] },
      { name: 'UserFilterField', type: 'UserFilterField' },
      { name: 'CallFilterField', type: 'CallFilterField' },
    ],
  });
  sourceFile.addTypeAlias({
    isExported: true,
    name: 'TypedPolicyClient',
    type: 'PolicyClient<PolicyNames>',
  });
  sourceFile.addFunction({
    isExported: true,
    name: 'createPolicyClient',
    docs: [
      'A PolicyClient for one authenticated subject, checked against this policy at compile time.',
    ],
    parameters: [
      { name: 'evaluator', type: 'Evaluator' },
      { name: 'subject', type: 'ClientSubject<PolicyNames>' },
      { name: 'options', type: 'PolicyClientOptions', hasQuestionToken: true },
    ],
    returnType: 'TypedPolicyClient',
    statements: ['return new PolicyClient<PolicyNames>(evaluator, subject, options);'],
  });
  sourceFile.addFunction({
    isExported: true,
    name: 'createClient',
    docs: [
      "rolecall's createClient (one user's client) with this policy's names: call types, actions, member roles, permission ids, `changes` and filter fields are checked.",
    ],
    parameters: [{ name: 'options', type: 'ClientOptions' }],
    returnType: 'VideoClient<PolicyNames>',
    statements: ['return createSdkClient<PolicyNames>(options);'],
  });
  sourceFile.addFunction({
    isExported: true,
    name: 'createServerClient',
    docs: [
      "rolecall's createServerClient (the back end's client) with this policy's names: call types, roles, member roles, permission ids and grants maps are checked.",
    ],
    parameters: [{ name: 'options', type: 'ServerClientOptions' }],
    returnType: 'ServerClient<PolicyNames>',
    statements: ['return createSdkServerClient<PolicyNames>(options);'],
  });
};
