// `rolecall/node`: the Node SDK entry of @rolecall/sdk (adds OpaEvaluator and the bundle loaders).
export * from '@rolecall/sdk/node';
