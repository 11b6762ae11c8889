// The typed PolicyClient factory of rolecall.gen.ts (DESIGN §8): binds the SDK's generic
// client to this policy's unions, so a misspelt action, role, call type or permission id in
// application code is a compile error.
import type { SourceFile } from 'ts-morph';
import type { TypesExtension } from './index.js';

/** Appends `PolicyNames` and `createPolicyClient` to rolecall.gen.ts, importing the SDK. */
export const addClientFactory: TypesExtension = (sourceFile: SourceFile) => {
  sourceFile.insertImportDeclaration(0, {
    moduleSpecifier: 'rolecall',
    namedImports: [
      'PolicyClient',
      { name: 'ClientSubject', isTypeOnly: true },
      { name: 'Evaluator', isTypeOnly: true },
      { name: 'PolicyClientOptions', isTypeOnly: true },
    ],
  });
  sourceFile.addInterface({
    isExported: true,
    name: 'PolicyNames',
    docs: ["This policy's names, the type parameter of rolecall's PolicyClient."],
    properties: [
      { name: 'Role', type: 'UserRole', docs: ["A subject's (and a user resource's) role."] },
      { name: 'CallRole', type: 'CallRole' },
      { name: 'CallType', type: 'CallType' },
      { name: 'PermissionId', type: 'PermissionId' },
      { name: 'Action', type: 'Action' },
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
};
