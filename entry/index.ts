// `rolecall`'s SDK entry: the SDK itself lives in @rolecall/sdk (a dependency), so an app that
// installs both packages loads one copy of every class, and `instanceof` holds across them.
export * from '@rolecall/sdk';
