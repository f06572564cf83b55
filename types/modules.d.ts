// dynalite ships no type declarations and there is no @types package for it.
declare module 'dynalite';
