// The part of @keypool/core this package uses (masking, scrubbing, header-safe secrets, did-you-mean), without the
// engine: the writer processes of the concurrency test load only this.
export * from '../../node_modules/@keypool/core/src/did-you-mean.ts';
export * from '../../node_modules/@keypool/core/src/header-unsafe.ts';
export * from '../../node_modules/@keypool/core/src/mask-key-like.ts';
export * from '../../node_modules/@keypool/core/src/secret.ts';
export * from '../../node_modules/@keypool/core/src/secret-scrubber.ts';
