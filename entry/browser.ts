// `rolecall/browser`: the page-safe SDK entry of @rolecall/sdk, re-exported (one copy of its classes).
export * from '@rolecall/sdk/browser';
